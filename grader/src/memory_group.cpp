#include "memory_group.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "build.hpp"

namespace parlab::grader {
namespace {

namespace fs = std::filesystem;

// Writes `value` into a cgroup control file; the error, or empty.
std::string write_control(const fs::path& file, const std::string& value) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fmt::format("cannot open {}: {}", file.string(), std::strerror(errno));
    const ssize_t written = ::write(fd, value.data(), value.size());
    const int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(value.size()))
        return fmt::format("cannot write '{}' into {}: {}", value, file.string(), std::strerror(error));
    return {};
}

bool has_word(const std::string& text, const std::string& word) {
    std::istringstream words(text);
    for (std::string w; words >> w;)
        if (w == word) return true;
    return false;
}

// The number after `key` in a "key value" list (memory.events, memory.oom_control).
long long counter(const std::string& text, const std::string& key) {
    std::istringstream lines(text);
    for (std::string k; lines >> k;) {
        long long value = 0;
        if (!(lines >> value)) return 0;
        if (k == key) return value;
    }
    return 0;
}

// Where memory cgroups are mounted: the v1 memory hierarchy, else the v2 tree (empty: none).
struct mounts {
    fs::path v1_memory, v2;
};
mounts find_mounts() {
    mounts found;
    std::ifstream table("/proc/self/mounts");
    for (std::string line; std::getline(table, line);) {
        std::istringstream fields(line);
        std::string device, where, type, options;
        fields >> device >> where >> type >> options;
        if (type == "cgroup2" && found.v2.empty()) found.v2 = where;
        if (type == "cgroup") {
            std::istringstream opts(options);
            for (std::string opt; std::getline(opts, opt, ',');)
                if (opt == "memory") found.v1_memory = where;
        }
    }
    return found;
}

// This process's group in the v1 memory hierarchy ("memory" in the controller list) or in the v2
// tree ("0::").
std::string own_group(bool v1) {
    std::ifstream table("/proc/self/cgroup");
    for (std::string line; std::getline(table, line);) {
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        std::istringstream list(controllers);
        bool memory = false;
        for (std::string c; std::getline(list, c, ',');) memory = memory || c == "memory";
        if ((v1 && memory) || (!v1 && line.rfind("0::", 0) == 0)) return line.substr(second + 1);
    }
    return {};
}

// Where run groups go (see memory_groups()); the reason when nowhere.
group_base find_base(std::string& why) {
    const mounts where = find_mounts();
    if (!where.v1_memory.empty()) {
        const std::string own = own_group(true);
        const fs::path base = where.v1_memory / fs::path(own).relative_path();
        if (!own.empty() && ::access(base.c_str(), W_OK) == 0) return {base, 1};
        why = fmt::format("the memory cgroup {} is not writable by this user (run as root)", base.string());
        return {};
    }
    if (where.v2.empty()) {
        why = "no cgroup file system is mounted";
        return {};
    }
    if (!has_word(read_text(where.v2 / "cgroup.controllers"), "memory")) {
        why = "the cgroup tree has no memory controller";
        return {};
    }
    if (::geteuid() == 0) {
        // Ours alone, beside the system's own groups; the top of the tree may hold processes.
        const fs::path base = where.v2 / "parlab";
        std::error_code error;
        fs::create_directory(base, error);
        if (!error && has_word(read_text(where.v2 / "cgroup.subtree_control"), "memory") &&
            write_control(base / "cgroup.subtree_control", "+memory").empty())
            return {base, 2};
    }
    // A delegated subtree: the parent of our own group, if it is ours to write and hands out memory.
    const fs::path own = where.v2 / fs::path(own_group(false)).relative_path();
    const fs::path parent = own.parent_path();
    if (own != where.v2 && ::access(parent.c_str(), W_OK) == 0 && ::access((parent / "cgroup.procs").c_str(), W_OK) == 0 &&
        has_word(read_text(parent / "cgroup.subtree_control"), "memory"))
        return {parent, 2};
    why = fmt::format("{} is not delegated to this user (start the grader with systemd-run --user --scope ./parlab ..., "
                      "or as root)",
                      parent.string());
    return {};
}

group_base& base_place() {
    static group_base base;
    return base;
}

std::atomic<unsigned> groups_made{0};

}  // namespace

const memory_group_support& memory_groups() {
    static std::once_flag once;
    static memory_group_support support;
    std::call_once(once, [] {
        std::string why;
        base_place() = find_base(why);
        if (base_place().version == 0) {
            support.missing = "no memory cgroup can be made here: " + why;
            return;
        }
        // A group of 64 MiB that a child enters, made and removed, shows that runs can have one
        // (entering is where a tree that is not quite delegated says no).
        const auto trial = memory_group::make_in(base_place(), std::size_t{64} << 20);
        if (trial == nullptr) {
            support.missing = fmt::format("no memory cgroup can be made in {}", base_place().path.string());
            return;
        }
        const pid_t child = ::fork();
        if (child == 0) ::_exit(::write(trial->join_fd(), "0", 1) == 1 ? 0 : 1);
        int status = 0;
        while (child > 0 && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        if (child < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            support.missing = fmt::format("a process cannot be moved into a memory cgroup under {}",
                                          base_place().path.string());
            return;
        }
        support.available = true;
        support.how = fmt::format("cgroup v{} memory limit", base_place().version);
    });
    return support;
}

std::unique_ptr<memory_group> memory_group::make(std::size_t limit_bytes) {
    if (!memory_groups().available) return nullptr;
    return make_in(base_place(), limit_bytes);
}

std::unique_ptr<memory_group> memory_group::make_in(const group_base& base, std::size_t limit_bytes) {
    const fs::path path = base.path / fmt::format("parlab-{}-{}", ::getpid(), groups_made++);
    std::error_code error;
    if (!fs::create_directory(path, error) || error) return nullptr;
    const std::string limit = std::to_string(limit_bytes);
    std::string failed;
    if (base.version == 2) {
        failed = write_control(path / "memory.max", limit);
        if (failed.empty() && fs::exists(path / "memory.swap.max")) failed = write_control(path / "memory.swap.max", "0");
    } else {
        failed = write_control(path / "memory.limit_in_bytes", limit);
        if (failed.empty() && fs::exists(path / "memory.memsw.limit_in_bytes"))
            failed = write_control(path / "memory.memsw.limit_in_bytes", limit);
    }
    const int fd = failed.empty() ? ::open((path / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
        ::rmdir(path.c_str());
        return nullptr;
    }
    return std::unique_ptr<memory_group>(new memory_group(path, base.version, fd));
}

bool memory_group::limit_reached() const {
    if (version_ == 2) return counter(read_text(path_ / "memory.events"), "oom_kill") > 0;
    return counter(read_text(path_ / "memory.oom_control"), "oom_kill") > 0;
}

memory_group::~memory_group() {
    if (join_fd_ >= 0) ::close(join_fd_);
    // Whatever is left in the group is killed; the group can go once it is empty.
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
        if (version_ == 2 && fs::exists(path_ / "cgroup.kill")) {
            (void)write_control(path_ / "cgroup.kill", "1");
        } else {
            std::istringstream pids(read_text(path_ / "cgroup.procs"));
            for (pid_t pid = 0; pids >> pid;) ::kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace parlab::grader
