// A benchmark of the sandbox (not a test): the time from start to exit of an empty program
// (/bin/true) run the way the grader runs graded code, with and without the namespaces of
// bubblewrap and a memory cgroup, under the same limits and (as root) the same unprivileged user.
// Usage: build/release/grader/parlab_sandbox_bench [RUNS]   (default 50)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "sandbox.hpp"

using namespace parlab::grader;

namespace {

// Milliseconds per run, sorted.
std::vector<double> time_runs(const run_request& request, int runs) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const run_result result = run_sandboxed(request);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
        if (!result.ok()) {
            std::fprintf(stderr, "sandbox bench: the run failed: %s %s\n", result.status.describe().c_str(),
                         result.output.c_str());
            std::exit(1);
        }
    }
    std::sort(ms.begin(), ms.end());
    return ms;
}

void print(const char* what, const std::vector<double>& ms) {
    double total = 0;
    for (double m : ms) total += m;
    std::printf("  %-34s median %6.2f ms, mean %6.2f ms, fastest %6.2f ms\n", what, ms[ms.size() / 2],
                total / static_cast<double>(ms.size()), ms.front());
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
    become_subreaper();
    run_request request;
    request.argv = {"/bin/true"};
    request.workdir = std::filesystem::temp_directory_path();
    request.env = clean_environment(request.workdir);
    const auto run_as = unprivileged_user();
    if (run_as) {
        request.run_as_uid = run_as->first;
        request.run_as_gid = run_as->second;
    }
    std::printf("/bin/true, %d runs each%s:\n", runs, run_as ? ", as the unprivileged user" : "");
    print("limits only", time_runs(request, runs));
    const isolation_support& support = isolation_for(run_as);
    if (!support.available) {
        std::printf("  no namespaces here: %s\n", support.missing.c_str());
        return 0;
    }
    request.isolate = isolation{{request.workdir}, {}};
    print("limits and namespaces (bwrap)", time_runs(request, runs));
    if (!memory_groups().available) {
        std::printf("  no memory cgroups here: %s\n", memory_groups().missing.c_str());
        return 0;
    }
    request.memory_limit = std::size_t{2} << 30;
    print("... and a memory cgroup of 2 GiB", time_runs(request, runs));
    return 0;
}
