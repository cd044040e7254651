#include "parlab/semaphore.hpp"

#include <time.h>

#include <cerrno>
#include <cmath>

#include "parlab/system_error.hpp"

namespace parlab {

process_semaphore::process_semaphore(unsigned initial) {
    if (::sem_init(&semaphore_, 1, initial) != 0) detail::throw_errno("cannot make a process-shared semaphore");
}

process_semaphore::~process_semaphore() { ::sem_destroy(&semaphore_); }

void process_semaphore::wait() {
    if (detail::retry_on_eintr([&] { return ::sem_wait(&semaphore_); }) != 0)
        detail::throw_errno("cannot wait on a process-shared semaphore");
}

bool process_semaphore::try_wait() {
    return detail::retry_on_eintr([&] { return ::sem_trywait(&semaphore_); }) == 0;
}

bool process_semaphore::wait_for(double seconds) {
    // The deadline on the monotonic clock (sem_clockwait, glibc 2.30): a change of the wall-clock
    // time (NTP, an administrator) neither shortens nor stretches the wait. ThreadSanitizer (GCC
    // 11 and 12) intercepts sem_timedwait but not sem_clockwait, and would miss the ordering a
    // wait gives, so its builds keep sem_timedwait and the wall clock.
#if defined(__SANITIZE_THREAD__)
    constexpr clockid_t clock = CLOCK_REALTIME;
    const auto wait_until = [this](const timespec& d) { return ::sem_timedwait(&semaphore_, &d); };
#else
    constexpr clockid_t clock = CLOCK_MONOTONIC;
    const auto wait_until = [this](const timespec& d) { return ::sem_clockwait(&semaphore_, clock, &d); };
#endif
    timespec deadline{};
    ::clock_gettime(clock, &deadline);
    const double whole = std::floor(seconds > 0 ? seconds : 0);
    deadline.tv_sec += static_cast<time_t>(whole);
    deadline.tv_nsec += static_cast<long>((seconds > 0 ? seconds - whole : 0) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    if (detail::retry_on_eintr([&] { return wait_until(deadline); }) == 0) return true;
    if (errno == ETIMEDOUT) return false;
    detail::throw_errno("cannot wait on a process-shared semaphore");
}

void process_semaphore::post() {
    if (::sem_post(&semaphore_) != 0) detail::throw_errno("cannot post a process-shared semaphore");
}

int process_semaphore::value() {
    int count = 0;
    ::sem_getvalue(&semaphore_, &count);
    return count;
}

}  // namespace parlab
