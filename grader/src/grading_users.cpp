// The users graded code runs as when the grader is root: "nobody" compiles, and each grading
// process claims a slot that gives it two users of its own (the student's code, the reference),
// so that no two runs, in this grade or in another at the same time, can reach each other.

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "sandbox.hpp"

namespace parlab::grader {

std::optional<std::pair<uid_t, gid_t>> unprivileged_user() {
    if (::geteuid() != 0) return std::nullopt;
    if (const passwd* user = ::getpwnam("nobody")) return std::make_pair(user->pw_uid, user->pw_gid);
    return std::make_pair(uid_t{65534}, gid_t{65534});
}

namespace {

// Graded code runs as uid first_grading_uid + 2 * slot, the reference as the next one: far above
// the users and the subordinate id ranges systems hand out.
constexpr uid_t first_grading_uid = 2'000'000'000;
constexpr int grading_slots = 4096;

// The slot this process holds (see users_for_grading()), claimed with an exclusive lock on a file
// per slot. A process forked from a grader claims its own: the lock it inherited is its parent's.
std::optional<int> claimed_slot() {
    static pid_t owner = 0;
    static std::optional<int> slot;
    static int lock_fd = -1;
    if (owner == ::getpid()) return slot;
    if (lock_fd >= 0) ::close(lock_fd);
    owner = ::getpid();
    slot.reset();
    lock_fd = -1;
    std::filesystem::path folder = "/run/parlab";
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
        folder = "/tmp/parlab-grading-users";
        std::filesystem::create_directories(folder, error);
        if (error) return slot;
    }
    for (int n = 0; n < grading_slots; ++n) {
        const int fd = ::open((folder / fmt::format("slot-{}", n)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return slot;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            lock_fd = fd;
            slot = n;
            return slot;
        }
        ::close(fd);
    }
    return slot;
}

}  // namespace

std::optional<grading_users> users_for_grading() {
    const auto compile = unprivileged_user();
    if (!compile) return std::nullopt;
    const auto slot = claimed_slot();
    if (!slot) throw std::runtime_error("cannot claim users to grade as: every slot under /run/parlab is taken");
    const uid_t student = first_grading_uid + 2 * static_cast<uid_t>(*slot);
    return grading_users{*compile, {student, student}, {student + 1, student + 1}};
}

}  // namespace parlab::grader
