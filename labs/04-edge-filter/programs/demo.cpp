// You do not need to modify this file.
// Lab 04 demo: times your filter_threads and filter_processes on a photo for 1, 2, 4, 8 and
// 16 workers (or up to --max-workers) and prints the table ANSWERS.md asks for.
//   parlab_lab04_demo [IMAGE] [--kernel NAME|k1,...,k9] [--max-workers N]

#include <cstdio>
#include <exception>
#include <string>

#include "filter.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

int main(int argc, char** argv) {
    using namespace parlab::lab04;
    try {
        std::string path = PARLAB_IMAGES_DIR "/hubble_deep_field.jpg";
        std::string kernel_text = "diagonal";
        std::size_t max_workers = 16;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--kernel" && i + 1 < argc)
                kernel_text = argv[++i];
            else if (arg == "--max-workers" && i + 1 < argc)
                max_workers = parlab::parse_positive(argv[++i], "--max-workers");
            else if (!arg.empty() && arg[0] != '-')
                path = arg;
            else {
                std::fprintf(stderr, "usage: %s [IMAGE] [--kernel NAME|k1,...,k9] [--max-workers N]\n", argv[0]);
                return 2;
            }
        }
        const filter_spec f = parse_filter(kernel_text);
        const parlab::image source = parlab::load_image(path);
        parlab::image target(source.width(), source.height(), source.channels());
        std::printf("%s: %dx%d, %d channel(s), kernel %s, %zu CPUs available\n\n", path.c_str(),
                    source.width(), source.height(), source.channels(), kernel_text.c_str(),
                    parlab::available_cpus());
        std::printf("%8s %14s %14s %14s\n", "workers", "threads ms", "speedup", "processes ms");
        double one = 0;
        for (std::size_t workers = 1; workers <= max_workers; workers *= 2) {
            const double threads = parlab::time_repeated(
                [&] { filter_threads(source.view(), target.view(), f, workers); }, 5).median;
            const double processes = parlab::time_repeated(
                [&] { filter_processes(source.view(), target.view(), f, workers); }, 5).median;
            if (workers == 1) one = threads;
            std::printf("%8zu %14.2f %14.2f %14.2f\n", workers, threads * 1e3, one / threads, processes * 1e3);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
