#pragma once
// You do not need to modify this file.
//
// Lab 07, messages versus shared memory: forked processes that hand each other data, either as
// messages through a pipe (every byte copied into the kernel and out again) or through memory
// they share (no copy, but they must agree on when the data is there).
//
// The message format of tasks 1 and 2, exactly:
//   * a header of two std::uint64_t, rows then cols, in the machine's byte order;
//   * then rows * cols doubles, row after row (row y starts at element y * cols).
// An empty array (rows or cols 0) is a header alone. The sum of an array is sum_values() below:
// the elements added one after another in storage order, starting from 0.0, so every correct
// solution returns the same double to the last bit.

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/semaphore.hpp"
#include "parlab/shared_memory.hpp"

namespace parlab::lab07 {

// ---- arrays ----------------------------------------------------------------------------------

/// A read-only view of rows x cols doubles stored row after row.
struct array_view {
    const double* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    [[nodiscard]] std::size_t size() const noexcept { return rows * cols; }
};

/// An array that owns its numbers (in private memory).
struct array2d {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> values;  ///< rows * cols numbers, row after row
    [[nodiscard]] array_view view() const noexcept { return {values.data(), rows, cols}; }
};

/// The message header of tasks 1 and 2.
struct message_header {
    std::uint64_t rows = 0;
    std::uint64_t cols = 0;
};
static_assert(sizeof(message_header) == 16);

/// for (i = 0; i < n; ++i) sum += data[i], from sum = 0.0: the one sum every task uses.
[[nodiscard]] double sum_values(const double* data, std::size_t n) noexcept;

/// A message stream ended, or said something impossible, before a whole message arrived.
class message_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// ---- task 1: a message through a pipe -------------------------------------------------------

/// Task 1: writes all `bytes` bytes from `data` to `fd`. A blocking write() on a pipe returns
/// fewer bytes than asked when a signal handler interrupts it after the pipe took some (and a
/// non-blocking one whenever the pipe is full), or fails with EINTR when the signal arrives
/// before it took any: write again from where it stopped, until every byte is written. Throws
/// std::system_error for any other failure (EPIPE: the reader is gone and SIGPIPE is ignored;
/// by default SIGPIPE ends the process first).
void write_all(int fd, const void* data, std::size_t bytes);

/// Task 1: reads from `fd` until `bytes` bytes arrived or the stream ended (read() returned 0);
/// returns how many arrived (less than `bytes` only at the end of the stream). read() may
/// return fewer bytes than asked, or fail with EINTR: read again for the rest. Throws
/// std::system_error for any other failure.
[[nodiscard]] std::size_t read_full(int fd, void* data, std::size_t bytes);

/// Task 1: writes `a` to `fd` as one message (format at the top), with write_all.
void send_array(int fd, array_view a);

/// Task 1: reads one message from `fd` and returns the array it carries. Throws message_error
/// naming what was missing when the stream ends inside the message ("the stream ended after 16
/// of 48 bytes of data"), or when the header's rows * cols overflows or exceeds max_message_values.
[[nodiscard]] array2d receive_array(int fd);

/// The most numbers receive_array accepts in one message (2^31: 16 GiB).
inline constexpr std::uint64_t max_message_values = std::uint64_t{1} << 31;

/// Task 1: forks a child that sends `a` (which it has from fork) to the parent through a new pipe
/// as one message; the parent receives it, joins the child and returns sum_values of what it
/// received. Throws parlab::process_error when the child failed, message_error when the message
/// was cut short.
[[nodiscard]] double sum_through_pipe(array_view a);

// ---- task 2: the same through shared memory ---------------------------------------------------

/// Room in shared memory for one array of up to `capacity` numbers: a process_semaphore "ready"
/// (count 0), the array's header, then the numbers. Made once by the parent and used by every
/// child forked after it, like a long-lived buffer between two programs: made and zeroed once,
/// so no transfer pays for allocating it. Each child still maps its pages when it first writes
/// them (see map_for_writing). Not copyable or movable.
class shared_array_slot {
public:
    /// Throws std::system_error when the segment cannot be mapped.
    explicit shared_array_slot(std::size_t capacity);
    shared_array_slot(const shared_array_slot&) = delete;
    shared_array_slot& operator=(const shared_array_slot&) = delete;
    ~shared_array_slot();

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    /// Posted by the writer once header and numbers are in place.
    [[nodiscard]] process_semaphore& ready() const noexcept;
    [[nodiscard]] message_header& header() const noexcept;
    /// capacity() numbers, row after row.
    [[nodiscard]] double* numbers() const noexcept;
    /// Maps the first `count` numbers' pages into the calling process for writing, in one system
    /// call (madvise MADV_POPULATE_WRITE, Linux 5.14; nothing on older kernels). A forked child
    /// does not inherit its parent's page-table entries for shared memory: without this, its
    /// first write to each 4 KiB page stops for a page fault, which costs more than the copy.
    void map_for_writing(std::size_t count) const noexcept;

private:
    struct control;
    shared_segment segment_;
    std::size_t capacity_ = 0;
    pid_t creator_ = 0;
};

/// Task 2: the same transfer through memory the two processes share: forks a child that writes
/// `a` into `slot` (header and numbers) and then posts slot.ready(); the parent waits on
/// slot.ready(), returns sum_values of the numbers in the slot (in place, no copy) and joins the
/// child. Throws std::invalid_argument when a.size() > slot.capacity(), parlab::process_error
/// when the child failed.
[[nodiscard]] double sum_through_shared_memory(array_view a, shared_array_slot& slot);

/// Task 2: the same with a new slot of a.size() numbers (for one transfer; the mapping's cost is
/// then part of it).
[[nodiscard]] double sum_through_shared_memory(array_view a);

/// The median times of one shape.
struct transfer_timing {
    std::size_t rows = 0;
    std::size_t cols = 0;
    double pipe_seconds = 0;    ///< sum_through_pipe
    double shared_seconds = 0;  ///< sum_through_shared_memory with a slot made before the timing
};

/// One shape of the sweep.
struct shape {
    std::size_t rows = 0;
    std::size_t cols = 0;
};

/// Task 2: for each shape, an array of random numbers in [0, 1) and the median time of
/// `repetitions` calls (after one untimed call) of sum_through_pipe and of
/// sum_through_shared_memory with one slot made before either is timed; one entry per shape,
/// in order.
/// Throws std::invalid_argument when repetitions is 0.
[[nodiscard]] std::vector<transfer_timing> time_transfers(std::span<const shape> shapes, std::size_t repetitions);

// ---- task 3: a bounded buffer between processes -----------------------------------------------

/// One item of the producer/consumer pipeline. An item with producer == end_of_stream is the
/// marker that tells a consumer to stop.
struct item {
    std::uint32_t producer = 0;  ///< which producer made it, 0..P-1
    std::uint32_t sequence = 0;  ///< its place in that producer's stream, 0, 1, 2, ...
    std::uint64_t value = 0;     ///< the payload
};

/// The producer number of an end-of-stream marker.
inline constexpr std::uint32_t end_of_stream = 0xffffffffu;

/// What run_pipeline runs.
struct pipeline_spec {
    std::size_t producers = 1;           ///< P >= 1
    std::size_t consumers = 1;           ///< C >= 1
    std::size_t capacity = 1;            ///< slots of the ring buffer, >= 1
    std::size_t items_per_producer = 0;  ///< each producer makes this many items
};

/// Makes item `sequence` of producer `producer` (called in the producer's process).
using make_item = std::function<item(std::size_t producer, std::size_t sequence)>;
/// Takes one item (called in the consumer's process, for every item it takes, in the order it
/// takes them; never for an end-of-stream marker).
using take_item = std::function<void(std::size_t consumer, const item&)>;

class ring_buffer;

/// Task 3: P producer processes and C consumer processes joined by one ring_buffer of
/// spec.capacity slots. Producer p pushes make(p, 0), make(p, 1), ..., in that order; every
/// consumer c pops items and calls take(c, it) for each, until it pops an end-of-stream marker.
/// Every item is taken exactly once; one producer's items reach the consumers in the order it
/// pushed them. When every producer has ended, the caller (or a process it forks) pushes one
/// marker per consumer, then every consumer is joined and the call returns. Throws
/// std::invalid_argument for P, C or capacity 0 and parlab::process_error (after every process
/// ended) when one of them failed: at the first failure the others are stopped, since a failed
/// consumer can leave the producers waiting for ever.
void run_pipeline(const pipeline_spec& spec, const make_item& make, const take_item& take);

/// A ring buffer of items in an anonymous shared segment, for processes forked after it is
/// made. The segment holds a control block (two counting semaphores, a process-shared lock, the
/// read and write positions) and then `capacity` slots:
///     free_slots   starts at capacity: a producer waits on it before it writes a slot;
///     filled_slots starts at 0: a consumer waits on it before it reads a slot;
///     the lock guards the positions (several producers, several consumers).
/// Not copyable or movable (the processes find it at one address).
class ring_buffer {
public:
    /// Throws std::invalid_argument for capacity 0, std::system_error when mapping fails.
    explicit ring_buffer(std::size_t capacity);
    ring_buffer(const ring_buffer&) = delete;
    ring_buffer& operator=(const ring_buffer&) = delete;
    ~ring_buffer();

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

    /// Task 3: waits for a free slot, writes `it` at the write position under the lock, and
    /// tells the consumers a slot is filled.
    void push(const item& it);
    /// Task 3: waits for a filled slot, reads the item at the read position under the lock, and
    /// tells the producers a slot is free.
    [[nodiscard]] item pop();

    /// The control block at the start of the segment, for push and pop.
    struct control {
        process_semaphore free_slots;    ///< starts at capacity
        process_semaphore filled_slots;  ///< starts at 0
        process_mutex lock;              ///< guards read_at and write_at
        std::size_t read_at = 0;         ///< the slot the next pop reads, 0..capacity-1
        std::size_t write_at = 0;        ///< the slot the next push writes, 0..capacity-1
        explicit control(std::size_t capacity);
    };

private:
    [[nodiscard]] control& state() const noexcept;
    [[nodiscard]] item* slots() const noexcept;

    shared_segment segment_;
    std::size_t capacity_ = 0;
    pid_t creator_ = 0;
};

// ---- task 4: at most K at a time ------------------------------------------------------------

/// Task 4: forks `workers` processes; worker w runs step(w) once, with at most `limit` of them
/// inside step at any moment (a process_semaphore initialised to limit, in shared memory). All
/// of them may wait at once; none is turned away. Joins every worker. Throws
/// std::invalid_argument for limit 0 and parlab::process_error (after every worker ended) when a
/// worker failed; at the first failure the others are stopped (a worker killed inside the step
/// never gives its unit back).
void run_limited(std::size_t workers, std::size_t limit, const std::function<void(std::size_t worker)>& step);

/// The kit's instrument for task 4's step: how many processes are inside at each moment, and the
/// most that ever were. Lives in shared memory (put it in a parlab::shared_value).
class occupancy_meter {
public:
    /// Called first thing in the step.
    void enter() noexcept;
    /// Called last thing in the step.
    void leave() noexcept;
    [[nodiscard]] int inside() const noexcept;
    [[nodiscard]] int most_inside() const noexcept;
    [[nodiscard]] int finished() const noexcept;

private:
    std::atomic<int> inside_{0};
    std::atomic<int> most_{0};
    std::atomic<int> finished_{0};
};

}  // namespace parlab::lab07
