#include "machine_turn.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace parlab::grader {
namespace {

int open_lock(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open the lock file " + file.string());
    return fd;
}

void lock(int fd, int how) {
    while (::flock(fd, how) != 0)
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "flock");
}

}  // namespace

file_lock::file_lock(const std::filesystem::path& file, const std::function<void()>& on_wait) : fd_(open_lock(file)) {
    try {
        if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
        if (errno != EWOULDBLOCK && errno != EINTR) throw std::system_error(errno, std::generic_category(), "flock");
        on_wait();
        lock(fd_, LOCK_EX);
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

file_lock::~file_lock() { ::close(fd_); }

machine_turn::machine_turn(const std::filesystem::path& dir, bool alone) {
    std::filesystem::create_directories(dir);
    gate_ = open_lock(dir / "gate.lock");
    try {
        room_ = open_lock(dir / "room.lock");
        lock(gate_, LOCK_EX);
        lock(room_, alone ? LOCK_EX : LOCK_SH);
    } catch (...) {
        if (room_ >= 0) ::close(room_);
        ::close(gate_);
        throw;
    }
    if (!alone) {  // let the next step in; one that wants the machine alone keeps the gate
        ::close(gate_);
        gate_ = -1;
    }
}

machine_turn::machine_turn(machine_turn&& other) noexcept
    : gate_(std::exchange(other.gate_, -1)), room_(std::exchange(other.room_, -1)) {}

machine_turn::~machine_turn() {
    if (room_ >= 0) ::close(room_);
    if (gate_ >= 0) ::close(gate_);
}

}  // namespace parlab::grader
