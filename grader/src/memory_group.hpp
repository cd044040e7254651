#pragma once
// A memory limit on all the processes of one run together, kept by the kernel (a cgroup): unlike
// RLIMIT_AS it counts what is really used, not address space, so it also holds ThreadSanitizer's
// programs, which reserve terabytes of address space for their shadow memory.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace parlab::grader {

/// Whether memory cgroups can be made here, found once: `how` names the kind ("cgroup v2 memory
/// limit"), `missing` why there are none and what would give them.
struct memory_group_support {
    bool available = false;
    std::string how;
    std::string missing;
};

/// Where this grader makes its memory cgroups: as root, a "parlab" group at the top of the cgroup
/// v2 tree or under its own v1 memory group; as another user, beside its own group when that part
/// of the tree is delegated to it (systemd gives every user a subtree: `systemd-run --user --scope`).
[[nodiscard]] const memory_group_support& memory_groups();

/// Where run groups are made: a cgroup folder and the version of its tree (0: none).
struct group_base {
    std::filesystem::path path;
    int version = 0;
};

/// One run's cgroup, made with its limit and removed, with anything still in it, when destroyed.
class memory_group {
public:
    /// A new group limited to `limit_bytes`, swap included; nullptr where memory_groups() says
    /// none can be made.
    [[nodiscard]] static std::unique_ptr<memory_group> make(std::size_t limit_bytes);
    memory_group(const memory_group&) = delete;
    memory_group& operator=(const memory_group&) = delete;
    ~memory_group();

    /// An open descriptor of the group's process list: a child writes "0" into it (before it drops
    /// privileges or execs) to enter the group, with everything it will start.
    [[nodiscard]] int join_fd() const noexcept { return join_fd_; }
    /// Whether the kernel killed a process of the group for going over the limit.
    [[nodiscard]] bool limit_reached() const;

private:
    [[nodiscard]] static std::unique_ptr<memory_group> make_in(const group_base& base, std::size_t limit_bytes);
    friend const memory_group_support& memory_groups();
    memory_group(std::filesystem::path path, int version, int join_fd) : path_(std::move(path)), version_(version), join_fd_(join_fd) {}
    std::filesystem::path path_;
    int version_ = 2;
    int join_fd_ = -1;
};

}  // namespace parlab::grader
