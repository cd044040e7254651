// Lab 07: the frozen parts of the lab library (you do not need to modify this file): the sum,
// the ring buffer's segment, the shared array slot, and the occupancy meter.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <new>
#include <stdexcept>

#include "messages.hpp"

namespace parlab::lab07 {

double sum_values(const double* data, std::size_t n) noexcept {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += data[i];
    return sum;
}

// ---- the ring buffer's segment ----------------------------------------------------------------

namespace {

// Where the slots start: after the control block, aligned for items.
constexpr std::size_t slots_offset =
    (sizeof(ring_buffer::control) + alignof(item) - 1) / alignof(item) * alignof(item);

std::size_t segment_bytes(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("ring_buffer: the capacity must be at least 1");
    if (capacity > (std::size_t{1} << 32)) throw std::invalid_argument("ring_buffer: the capacity is too large");
    return slots_offset + capacity * sizeof(item);
}

}  // namespace

ring_buffer::control::control(std::size_t capacity) : free_slots(static_cast<unsigned>(capacity)), filled_slots(0) {}

ring_buffer::ring_buffer(std::size_t capacity)
    : segment_(segment_bytes(capacity)), capacity_(capacity), creator_(::getpid()) {
    ::new (segment_.data()) control(capacity);
    item* first = slots();
    for (std::size_t i = 0; i < capacity; ++i) ::new (first + i) item();
}

ring_buffer::~ring_buffer() {
    // Only the process that made the control block destroys it; forked children only share it.
    if (segment_.data() != nullptr && creator_ == ::getpid()) state().~control();
}

ring_buffer::control& ring_buffer::state() const noexcept {
    return *std::launder(static_cast<control*>(segment_.data()));
}

item* ring_buffer::slots() const noexcept {
    return std::launder(reinterpret_cast<item*>(static_cast<std::byte*>(segment_.data()) + slots_offset));
}

// ---- the shared array slot ------------------------------------------------------------------------

struct shared_array_slot::control {
    process_semaphore ready{0};
    message_header header;
};

namespace {

constexpr std::size_t numbers_offset = 64;

std::size_t slot_bytes(std::size_t capacity) {
    if (capacity > (std::size_t{1} << 40) / sizeof(double)) throw std::invalid_argument("shared_array_slot: too large");
    return numbers_offset + capacity * sizeof(double);
}

}  // namespace

shared_array_slot::shared_array_slot(std::size_t capacity)
    : segment_(slot_bytes(capacity)), capacity_(capacity), creator_(::getpid()) {
    static_assert(sizeof(control) <= numbers_offset);
    ::new (segment_.data()) control();
    // Touch every page now (the segment is zero-filled; writing zeros keeps it so).
    auto* bytes = static_cast<volatile unsigned char*>(segment_.data());
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    for (std::size_t i = numbers_offset; i < segment_.size(); i += page) bytes[i] = 0;
}

shared_array_slot::~shared_array_slot() {
    if (segment_.data() != nullptr && creator_ == ::getpid())
        std::launder(static_cast<control*>(segment_.data()))->~control();
}

process_semaphore& shared_array_slot::ready() const noexcept {
    return std::launder(static_cast<control*>(segment_.data()))->ready;
}

message_header& shared_array_slot::header() const noexcept {
    return std::launder(static_cast<control*>(segment_.data()))->header;
}

double* shared_array_slot::numbers() const noexcept {
    return reinterpret_cast<double*>(static_cast<std::byte*>(segment_.data()) + numbers_offset);
}

void shared_array_slot::map_for_writing(std::size_t count) const noexcept {
#ifdef MADV_POPULATE_WRITE
    constexpr int populate_write = MADV_POPULATE_WRITE;
#else
    constexpr int populate_write = 23;  // the value in Linux's headers, for older C libraries
#endif
    const std::size_t bytes = std::min(count, capacity_) * sizeof(double);
    if (bytes > 0) (void)::madvise(segment_.data(), numbers_offset + bytes, populate_write);
}

// ---- the occupancy meter ------------------------------------------------------------------------

void occupancy_meter::enter() noexcept {
    const int now = inside_.fetch_add(1) + 1;
    int most = most_.load();
    while (now > most && !most_.compare_exchange_weak(most, now)) {
    }
}

void occupancy_meter::leave() noexcept {
    inside_.fetch_sub(1);
    finished_.fetch_add(1);
}

int occupancy_meter::inside() const noexcept { return inside_.load(); }
int occupancy_meter::most_inside() const noexcept { return most_.load(); }
int occupancy_meter::finished() const noexcept { return finished_.load(); }

}  // namespace parlab::lab07
