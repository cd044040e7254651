// Lab 07: the frozen parts of the lab library (you do not need to modify this file): the sum,
// the ring buffer's segment, and the occupancy meter.

#include <unistd.h>

#include <new>

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
