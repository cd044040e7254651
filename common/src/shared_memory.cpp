#include "parlab/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <system_error>

#include "parlab/system_error.hpp"

namespace parlab {
namespace {

std::size_t page_rounded(std::size_t bytes) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return bytes == 0 ? page : (bytes + page - 1) / page * page;
}

void* map_shared(std::size_t bytes, int fd, const std::string& what) {
    const int flags = fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED) detail::throw_errno("cannot map " + what);
    return p;
}

void throw_pthread(int code, const char* what) {
    throw std::system_error(code, std::generic_category(), what);
}

}  // namespace

shared_segment::shared_segment(std::size_t bytes)
    : data_(map_shared(page_rounded(bytes), -1, "a shared segment of " + std::to_string(bytes) + " bytes")),
      size_(bytes),
      mapped_(page_rounded(bytes)) {}

shared_segment::shared_segment(shared_segment&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

shared_segment& shared_segment::operator=(shared_segment&& other) noexcept {
    if (this != &other) {
        if (data_ != nullptr) ::munmap(data_, mapped_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        mapped_ = std::exchange(other.mapped_, 0);
    }
    return *this;
}

shared_segment::~shared_segment() {
    if (data_ != nullptr) ::munmap(data_, mapped_);
}

named_shared_segment named_shared_segment::create(const std::string& name, std::size_t bytes) {
    const int fd = detail::retry_on_eintr(
        [&] { return ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600); });
    if (fd < 0) detail::throw_errno("cannot create shared memory '" + name + "'");
    named_shared_segment segment;
    segment.name_ = name;
    segment.owner_pid_ = ::getpid();
    const std::size_t mapped = bytes == 0 ? 1 : bytes;
    if (detail::retry_on_eintr([&] { return ::ftruncate(fd, static_cast<off_t>(mapped)); }) != 0) {
        const int saved = errno;
        ::close(fd);
        ::shm_unlink(name.c_str());
        throw std::system_error(saved, std::generic_category(), "cannot size shared memory '" + name + "'");
    }
    try {
        segment.data_ = map_shared(mapped, fd, "shared memory '" + name + "'");
    } catch (...) {
        ::close(fd);
        ::shm_unlink(name.c_str());
        throw;
    }
    ::close(fd);
    segment.size_ = bytes;
    return segment;
}

named_shared_segment named_shared_segment::open(const std::string& name) {
    const int fd = detail::retry_on_eintr([&] { return ::shm_open(name.c_str(), O_RDWR, 0); });
    if (fd < 0) detail::throw_errno("cannot open shared memory '" + name + "'");
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int saved = errno;
        ::close(fd);
        throw std::system_error(saved, std::generic_category(), "cannot stat shared memory '" + name + "'");
    }
    named_shared_segment segment;
    segment.name_ = name;
    segment.size_ = static_cast<std::size_t>(info.st_size);
    try {
        segment.data_ = map_shared(segment.size_ == 0 ? 1 : segment.size_, fd, "shared memory '" + name + "'");
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return segment;
}

std::string named_shared_segment::unique_name(const std::string& prefix) {
    static std::atomic<unsigned> counter{0};
    return "/" + prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

named_shared_segment::named_shared_segment(named_shared_segment&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owner_pid_(std::exchange(other.owner_pid_, 0)) {}

named_shared_segment& named_shared_segment::operator=(named_shared_segment&& other) noexcept {
    if (this != &other) {
        named_shared_segment previous(std::move(*this));  // released at the end of this block
        name_ = std::move(other.name_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        owner_pid_ = std::exchange(other.owner_pid_, 0);
    }
    return *this;
}

named_shared_segment::~named_shared_segment() {
    if (data_ != nullptr) ::munmap(data_, size_ == 0 ? 1 : size_);
    // Only the creating process removes the name: a forked child holds a copy of this object.
    if (owner_pid_ != 0 && owner_pid_ == ::getpid()) ::shm_unlink(name_.c_str());
}

void named_shared_segment::unlink() {
    if (owner_pid_ == 0) return;
    if (::shm_unlink(name_.c_str()) != 0 && errno != ENOENT)
        detail::throw_errno("cannot unlink shared memory '" + name_ + "'");
    owner_pid_ = 0;
}

process_mutex::process_mutex() {
    pthread_mutexattr_t attr;
    if (int rc = pthread_mutexattr_init(&attr); rc != 0) throw_pthread(rc, "cannot make a process-shared mutex");
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    const int rc = pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) throw_pthread(rc, "cannot make a process-shared mutex");
}

process_mutex::~process_mutex() { pthread_mutex_destroy(&mutex_); }

void process_mutex::lock() {
    if (int rc = pthread_mutex_lock(&mutex_); rc != 0) throw_pthread(rc, "cannot lock a process-shared mutex");
}

bool process_mutex::try_lock() { return pthread_mutex_trylock(&mutex_) == 0; }

void process_mutex::unlock() { pthread_mutex_unlock(&mutex_); }

}  // namespace parlab
