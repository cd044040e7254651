#pragma once
// Turns on the machine for graders that run side by side (./parlab batch --jobs N): every step
// of a grade (a build, a check) takes a shared turn, and a timing check takes the machine alone,
// so that no other submission's build or probe runs while it measures. A waiting timing check
// goes before steps that ask after it (no starvation by a stream of shared turns).
//
// Two lock files in `dir`, with flock(): "gate" is held exclusively for a moment by every step
// on its way in and for the whole turn by a step that wants the machine alone; "room" is held
// shared by the ordinary steps and exclusively by the one alone. Locks end with the process, so
// a grader that dies leaves nothing locked.

#include <filesystem>
#include <functional>

namespace parlab::grader {

/// An exclusive flock() on `file` (made if missing), held while the object lives; like the
/// turns below it ends with the process. When another process holds it, `on_wait` is called once
/// before waiting for it. Throws std::system_error when the file cannot be opened.
class file_lock {
public:
    file_lock(const std::filesystem::path& file, const std::function<void()>& on_wait);
    file_lock(const file_lock&) = delete;
    file_lock& operator=(const file_lock&) = delete;
    ~file_lock();

private:
    int fd_ = -1;
};

class machine_turn {
public:
    /// Waits for the turn: shared with other steps, or the machine `alone`. Throws
    /// std::system_error when the lock files cannot be opened.
    machine_turn(const std::filesystem::path& dir, bool alone);
    machine_turn(machine_turn&& other) noexcept;
    machine_turn& operator=(machine_turn&&) = delete;
    machine_turn(const machine_turn&) = delete;
    machine_turn& operator=(const machine_turn&) = delete;
    ~machine_turn();

private:
    int gate_ = -1;
    int room_ = -1;
};

}  // namespace parlab::grader
