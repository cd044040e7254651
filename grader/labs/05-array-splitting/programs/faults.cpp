// ./parlab faults [MEGABYTES]: counts, on this machine, the page faults a forked worker takes when
// it writes a shared output, for an output made just before the fork and for one the parent made
// and wrote earlier (the given-output mode reusing its output), with getrusage(RUSAGE_CHILDREN).
// It shows what reuse saves and what it does not: fork() does not copy the page-table entries of
// a shared mapping, so the worker faults on every page it writes either way; reuse saves making
// and zeroing the pages. It uses no student code.

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct child_cost {
    long minor_faults = 0;
    double seconds = 0;
};

// Forks a worker that writes one byte into every page of `bytes` at `region`, and returns the
// minor faults it took and the wall time from fork to join.
child_cost worker_writes(char* region, std::size_t bytes, long page) {
    rusage before{};
    ::getrusage(RUSAGE_CHILDREN, &before);
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        for (std::size_t at = 0; at < bytes; at += static_cast<std::size_t>(page)) region[at] = 1;
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    rusage after{};
    ::getrusage(RUSAGE_CHILDREN, &after);
    return {after.ru_minflt - before.ru_minflt,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
}

}  // namespace

int main(int argc, char** argv) {
    const long megabytes = argc > 1 ? std::atol(argv[1]) : 320;
    if (megabytes < 1 || megabytes > 16384) {
        std::fprintf(stderr, "faults: the size is a number of megabytes from 1 to 16384, got '%s'\n", argv[1]);
        return 2;
    }
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::size_t bytes = static_cast<std::size_t>(megabytes) * 1000 * 1000;
    auto* output = static_cast<char*>(::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (output == MAP_FAILED) {
        std::perror("faults: cannot map the shared output");
        return 1;
    }
    const std::size_t pages = (bytes + static_cast<std::size_t>(page) - 1) / static_cast<std::size_t>(page);
    std::printf("a shared output of %ld MB: %zu pages of %ld bytes; a worker forked after it writes every page\n",
                megabytes, pages, page);
    const child_cost fresh = worker_writes(output, bytes, page);
    std::printf("  new output (never written before):       %8ld minor faults in the worker, %.3f s\n", fresh.minor_faults,
                fresh.seconds);
    // The parent has written the output too now (as a reused output has been), then forks again.
    std::memset(output, 2, bytes);
    const child_cost reused = worker_writes(output, bytes, page);
    std::printf("  reused output (written before the fork):  %8ld minor faults in the worker, %.3f s\n", reused.minor_faults,
                reused.seconds);
    ::munmap(output, bytes);
    return 0;
}
