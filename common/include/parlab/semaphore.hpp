#pragma once
// A counting semaphore that works across processes: a POSIX unnamed semaphore (sem_t) made with
// pshared = 1. Like process_mutex, it must live in memory the processes share (a shared_value,
// or a struct placed in a shared_segment): a semaphore in private memory is copied by fork(),
// and each process then counts on its own copy.

#include <semaphore.h>

namespace parlab {

/// A process-shared counting semaphore. wait() takes one unit (blocking while the count is 0),
/// post() gives one back and wakes one waiter. Not copyable or movable: the processes find it
/// at one address.
class process_semaphore {
public:
    /// A semaphore whose count starts at `initial`. Throws std::system_error when sem_init fails
    /// (initial above SEM_VALUE_MAX, say).
    explicit process_semaphore(unsigned initial = 0);
    process_semaphore(const process_semaphore&) = delete;
    process_semaphore& operator=(const process_semaphore&) = delete;
    ~process_semaphore();

    /// Takes one unit, waiting while there is none; an interrupting signal does not end the wait.
    void wait();
    /// Takes one unit if there is one now; false otherwise.
    [[nodiscard]] bool try_wait();
    /// Takes one unit, waiting at most `seconds`; false when the time ran out first.
    [[nodiscard]] bool wait_for(double seconds);
    /// Gives one unit back. Throws std::system_error when the count would overflow.
    void post();
    /// The count now (already stale when it returns: for tests and displays only).
    [[nodiscard]] int value();
    /// The POSIX semaphore inside, for tests that watch the sem_post calls made on it.
    [[nodiscard]] const sem_t* native() const noexcept { return &semaphore_; }

private:
    sem_t semaphore_{};
};

}  // namespace parlab
