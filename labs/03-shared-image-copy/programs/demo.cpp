// You do not need to modify this file.
// Lab 03 demo: copies a photo with your processes and threads, says whether the copy arrived,
// and times both against one memcpy.
//   parlab_lab03_demo [IMAGE] [--workers N]

#include <cstdio>
#include <exception>
#include <string>

#include "image_copy.hpp"
#include "parlab/workers.hpp"

int main(int argc, char** argv) {
    using namespace parlab::lab03;
    try {
        std::string path = PARLAB_IMAGES_DIR "/hubble_deep_field.jpg";
        std::size_t workers = parlab::default_workers();
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--workers" && i + 1 < argc)
                workers = parlab::parse_positive(argv[++i], "--workers");
            else if (!arg.empty() && arg[0] != '-')
                path = arg;
            else {
                std::fprintf(stderr, "usage: %s [IMAGE] [--workers N]\n", argv[0]);
                return 2;
            }
        }
        const parlab::image source = parlab::load_image(path);
        std::printf("%s: %dx%d, %d channel(s), %zu workers\n", path.c_str(), source.width(),
                    source.height(), source.channels(), workers);
        for (const split_kind split : {split_kind::blocks, split_kind::interleaved}) {
            const pixel_buffer by_processes = copy_with_processes(source.view(), workers, split);
            const pixel_buffer by_threads = copy_with_threads(source.view(), workers, split);
            const std::string p = parlab::first_difference(source.view(), by_processes.view());
            const std::string t = parlab::first_difference(source.view(), by_threads.view());
            std::printf("%-11s processes: %s\n", std::string(to_string(split)).c_str(),
                        p.empty() ? "identical copy" : p.c_str());
            std::printf("%-11s threads:   %s\n", std::string(to_string(split)).c_str(),
                        t.empty() ? "identical copy" : t.c_str());
        }
        std::printf("\n%-12s %12s %12s %12s\n", "split", "memcpy ms", "processes ms", "threads ms");
        for (const split_kind split : {split_kind::blocks, split_kind::interleaved}) {
            const copy_timing t = time_copies(source.view(), workers, split, 7);
            std::printf("%-12s %12.3f %12.3f %12.3f\n", std::string(to_string(split)).c_str(),
                        t.memcpy_seconds * 1e3, t.processes_seconds * 1e3, t.threads_seconds * 1e3);
        }
        return 0;
    } catch (const parlab::image_error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
