#pragma once
// Memory that several processes see: an anonymous segment inherited across fork() (like
// multiprocessing.Value / Array / RawArray) and a named POSIX segment another process opens by
// name (like multiprocessing.shared_memory.SharedMemory(name=...)).

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <new>
#include <pthread.h>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace parlab {

/// An anonymous MAP_SHARED mapping. Children forked after it is made see the same bytes, and
/// their writes are visible to the parent. Move-only; unmapped by the destructor. Zero-filled.
class shared_segment {
public:
    shared_segment() = default;
    /// Maps `bytes` bytes (at least one page is mapped even for 0). Throws std::system_error.
    explicit shared_segment(std::size_t bytes);
    shared_segment(shared_segment&& other) noexcept;
    shared_segment& operator=(shared_segment&& other) noexcept;
    shared_segment(const shared_segment&) = delete;
    shared_segment& operator=(const shared_segment&) = delete;
    ~shared_segment();

    [[nodiscard]] void* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::span<std::byte> bytes() const noexcept {
        return {static_cast<std::byte*>(data_), size_};
    }

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t mapped_ = 0;
};

/// A named POSIX shared-memory segment (shm_open + mmap). The process that creates it owns the
/// name and unlinks it on destruction; others open it by name. Move-only.
class named_shared_segment {
public:
    named_shared_segment() = default;
    /// Creates a new segment; fails if the name exists. Names look like "/parlab-demo".
    /// Throws std::system_error naming the segment.
    [[nodiscard]] static named_shared_segment create(const std::string& name, std::size_t bytes);
    /// Opens an existing segment created by another process. Throws std::system_error.
    [[nodiscard]] static named_shared_segment open(const std::string& name);
    /// A fresh name, unique to this process and call, for create().
    [[nodiscard]] static std::string unique_name(const std::string& prefix = "parlab");

    named_shared_segment(named_shared_segment&& other) noexcept;
    named_shared_segment& operator=(named_shared_segment&& other) noexcept;
    named_shared_segment(const named_shared_segment&) = delete;
    named_shared_segment& operator=(const named_shared_segment&) = delete;
    ~named_shared_segment();

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] void* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::span<std::byte> bytes() const noexcept {
        return {static_cast<std::byte*>(data_), size_};
    }
    [[nodiscard]] bool owner() const noexcept { return owner_pid_ != 0; }
    /// Removes the name now (the mapping stays valid). Throws std::system_error.
    void unlink();

private:
    std::string name_;
    void* data_ = nullptr;
    std::size_t size_ = 0;
    pid_t owner_pid_ = 0;
};

/// One T living in an anonymous shared segment (like multiprocessing.Value). The process that
/// made it destroys the T; forked children only share it. T must be trivially destructible or
/// be destroyed by its creator only, as here.
template <class T>
class shared_value {
public:
    template <class... Args>
    explicit shared_value(Args&&... args)
        : segment_(sizeof(T)), creator_(current_pid()) {
        ::new (segment_.data()) T(std::forward<Args>(args)...);
    }
    shared_value(shared_value&&) noexcept = default;
    shared_value& operator=(shared_value&&) noexcept = default;
    ~shared_value() {
        if (segment_.data() != nullptr && creator_ == current_pid()) get().~T();
    }

    [[nodiscard]] T& get() const noexcept { return *std::launder(static_cast<T*>(segment_.data())); }
    [[nodiscard]] T& operator*() const noexcept { return get(); }
    [[nodiscard]] T* operator->() const noexcept { return &get(); }

private:
    static pid_t current_pid() noexcept { return ::getpid(); }
    shared_segment segment_;
    pid_t creator_ = 0;
};

/// n value-initialised Ts in an anonymous shared segment (like multiprocessing.RawArray).
/// T must be trivially destructible.
template <class T>
class shared_array {
    static_assert(std::is_trivially_destructible_v<T>, "shared_array needs a trivially destructible T");

public:
    shared_array() = default;
    explicit shared_array(std::size_t n) : segment_(n * sizeof(T)), size_(n) {
        T* first = static_cast<T*>(segment_.data());
        for (std::size_t i = 0; i < n; ++i) ::new (first + i) T();
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] T* data() const noexcept { return std::launder(static_cast<T*>(segment_.data())); }
    [[nodiscard]] std::span<T> span() const noexcept { return {data(), size_}; }
    [[nodiscard]] T& operator[](std::size_t i) const noexcept { return data()[i]; }
    [[nodiscard]] T* begin() const noexcept { return data(); }
    [[nodiscard]] T* end() const noexcept { return data() + size_; }

private:
    shared_segment segment_;
    std::size_t size_ = 0;
};

/// A mutex that works across processes when it lives in shared memory (a pthread mutex with
/// PTHREAD_PROCESS_SHARED). Meets the Lockable requirements, so std::lock_guard works.
/// Put it in a shared_value: a mutex in private memory is copied by fork() and then each
/// process locks its own copy, which excludes nobody.
class process_mutex {
public:
    process_mutex();
    process_mutex(const process_mutex&) = delete;
    process_mutex& operator=(const process_mutex&) = delete;
    ~process_mutex();

    void lock();
    [[nodiscard]] bool try_lock();
    void unlock();

private:
    pthread_mutex_t mutex_{};
};

}  // namespace parlab
