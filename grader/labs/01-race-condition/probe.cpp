// The grader's probe for lab 01: runs the student's balance functions on work drawn from the
// seed and reports the final balances (the grader knows what they should be), and for the
// versions with a lock, who took a lock how often and where that lock lived: a wrong balance
// then comes with the mistake named (only one side locks; each process locks its own copy).

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "answers.hpp"
#include "bank.hpp"
#include "inputs.hpp"
#include "probe.hpp"

// The census wraps pthread_mutex_lock, which std::mutex and parlab::process_mutex both call.
// Sanitizers wrap it themselves, so their builds count nothing (the balances are still checked).
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define PARLAB_LOCK_CENSUS 1
#endif

namespace {

using parlab::grader::lab01::balances_answer;
using parlab::grader::lab01::lock_census;

// The census lives in one shared page mapped before any run, so forked workers count into it.
struct census_slot {
    std::atomic<int> worker;  // thread id (a forked worker's is its process id)
    std::atomic<long> locks;
    std::atomic<long> in_private;
};
struct census_table {
    static constexpr int slots = 64;
    std::atomic<bool> active;
    std::atomic<int> caller;  // the thread that called the student's function: not a worker
    std::atomic<int> used;
    census_slot slot[slots];
};
census_table* census = nullptr;

#ifdef PARLAB_LOCK_CENSUS
// Whether `address` is in a MAP_SHARED mapping of this process ("s" in /proc/self/maps). Read
// with plain system calls into a buffer on the stack: no allocation, no lock, from inside a lock.
bool in_shared_mapping(const void* address) {
    const auto target = reinterpret_cast<std::uintptr_t>(address);
    const int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;  // cannot tell: claim nothing
    char buffer[8192];
    std::size_t have = 0;
    bool shared = true, found = false;
    for (;;) {
        const ssize_t got = ::read(fd, buffer + have, sizeof buffer - have);
        if (got <= 0) break;
        have += static_cast<std::size_t>(got);
        std::size_t start = 0;
        for (std::size_t i = 0; i < have && !found; ++i) {
            if (buffer[i] != '\n') continue;
            // "lo-hi perms ...": lo and hi in hex, perms like "rw-s"
            char* end = nullptr;
            const std::uintptr_t lo = std::strtoull(buffer + start, &end, 16);
            const std::uintptr_t hi = std::strtoull(end + 1, &end, 16);
            if (lo <= target && target < hi) {
                found = true;
                shared = end[4] == 's';
            }
            start = i + 1;
        }
        if (found) break;
        std::memmove(buffer, buffer + start, have - start);  // keep the unfinished line
        have -= start;
        if (have == sizeof buffer) break;  // a line longer than the buffer: give up
    }
    ::close(fd);
    return shared;
}

void count_lock(const void* mutex) {
    const int me = static_cast<int>(::gettid());
    if (me == census->caller.load(std::memory_order_relaxed)) return;
    // the last mutex this thread locked, and where it lives (one /proc read per new mutex)
    thread_local std::pair<int, const void*> last{0, nullptr};
    thread_local bool last_private = false;
    if (last.first != me || last.second != mutex) {
        last = {me, mutex};
        last_private = !in_shared_mapping(mutex);
    }
    census_slot* mine = nullptr;
    const int used = std::min(census->used.load(), census_table::slots);
    for (int i = 0; i < used && mine == nullptr; ++i)
        if (census->slot[i].worker.load() == me) mine = &census->slot[i];
    if (mine == nullptr) {
        const int i = census->used.fetch_add(1);
        if (i >= census_table::slots) return;
        census->slot[i].worker.store(me);
        mine = &census->slot[i];
    }
    mine->locks.fetch_add(1, std::memory_order_relaxed);
    if (last_private) mine->in_private.fetch_add(1, std::memory_order_relaxed);
}
#endif

void census_start() {
    if (census == nullptr) return;
    census->active.store(false);
    for (auto& s : census->slot) {
        s.worker.store(0);
        s.locks.store(0);
        s.in_private.store(0);
    }
    census->used.store(0);
    census->caller.store(static_cast<int>(::gettid()));
    census->active.store(true);
}

lock_census census_stop() {
    lock_census result;
    if (census == nullptr) return result;
    census->active.store(false);
    for (int i = 0; i < std::min(census->used.load(), census_table::slots); ++i) {
        result.per_worker.push_back(census->slot[i].locks.load());
        result.in_private += census->slot[i].in_private.load();
    }
    return result;
}

template <class Version>
std::function<nlohmann::json(const parlab::probe::arguments&)> balances(Version version, bool count_locks) {
    return [version, count_locks](const parlab::probe::arguments& args) {
        balances_answer answer;
        for (const auto& run : parlab::grader::seeded_balance_runs(args.number("seed"), args.number("runs"))) {
            if (count_locks) census_start();
            answer.results.push_back(version(run.initial, {run.deposits, run.withdrawals}));
            if (count_locks) answer.locks.push_back(census_stop());
        }
        return nlohmann::json(answer);
    };
}

}  // namespace

#ifdef PARLAB_LOCK_CENSUS
extern "C" int pthread_mutex_lock(pthread_mutex_t* mutex) {
    using lock_function = int (*)(pthread_mutex_t*);
    static std::atomic<lock_function> real{nullptr};
    lock_function next = real.load(std::memory_order_acquire);
    if (next == nullptr) {
        next = reinterpret_cast<lock_function>(::dlsym(RTLD_NEXT, "pthread_mutex_lock"));
        if (next == nullptr) std::abort();
        real.store(next, std::memory_order_release);
    }
    const int result = next(mutex);
    if ((result == 0 || result == EOWNERDEAD) && census != nullptr && census->active.load(std::memory_order_relaxed))
        count_lock(mutex);
    return result;
}
#endif

int main(int argc, char** argv) {
#ifdef PARLAB_LOCK_CENSUS
    void* page = ::mmap(nullptr, sizeof(census_table), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) census = new (page) census_table{};
#endif
    parlab::probe::probe_table table;
    table.checks["mutex-threads"] = balances(parlab::lab01::mutex_threads, true);
    table.checks["atomic-threads"] = balances(parlab::lab01::atomic_threads, false);
    table.checks["locked-processes"] = balances(parlab::lab01::locked_processes, true);
    table.checks["atomic-processes"] = balances(parlab::lab01::atomic_processes, false);
    return parlab::probe::run(argc, argv, table);
}
