// Lab 07: your file. Tasks 1 to 4 are marked TODO(task N).
// `./parlab grade messages-vs-shared-memory` checks your work.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/semaphore.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/timing.hpp"

namespace parlab::lab07 {

// ---- task 1 ---------------------------------------------------------------------------------

void write_all(int fd, const void* data, std::size_t bytes) {
    // TODO(task 1): one write() is not always enough: a signal handler that runs while write()
    // waits for room in the pipe (64 KiB on Linux) makes it return the part taken so far, or
    // fail with EINTR if it took nothing yet. Loop until every byte is written; throw
    // std::system_error for any other failure.
    if (bytes > 0 && ::write(fd, data, bytes) < 0)
        throw std::system_error(errno, std::generic_category(), "cannot write a message");
}

std::size_t read_full(int fd, void* data, std::size_t bytes) {
    // TODO(task 1): one read() returns what the pipe holds right now, often less than asked, and
    // may fail with EINTR. Loop until `bytes` arrived or read() returns 0 (the stream ended);
    // return how many arrived.
    if (bytes == 0) return 0;
    const ssize_t n = ::read(fd, data, bytes);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read a message");
    return static_cast<std::size_t>(n);
}

void send_array(int fd, array_view a) {
    const message_header header{a.rows, a.cols};
    write_all(fd, &header, sizeof header);
    write_all(fd, a.data, a.size() * sizeof(double));
}

array2d receive_array(int fd) {
    message_header header;
    (void)read_full(fd, &header, sizeof header);
    // TODO(task 1): check what arrived: a header cut short, rows * cols above
    // max_message_values (check before multiplying: it may overflow), or data cut short are each
    // a message_error saying how many bytes arrived of how many.
    array2d a;
    a.rows = header.rows;
    a.cols = header.cols;
    a.values.resize(a.rows * a.cols);
    (void)read_full(fd, a.values.data(), a.values.size() * sizeof(double));
    return a;
}

double sum_through_pipe(array_view a) {
    pipe_ends ends = make_pipe();
    process child = process::start([&] {
        ends.read.close();
        send_array(ends.write.get(), a);
    });
    ends.write.close();  // else the parent would never see the end of the stream
    double sum = 0;
    try {
        const array2d received = receive_array(ends.read.get());
        sum = sum_values(received.values.data(), received.values.size());
    } catch (...) {
        ends.read.close();  // a child still writing is ended by SIGPIPE instead of waiting for ever
        (void)child.join();
        throw;
    }
    ends.read.close();
    child.join_or_throw();
    return sum;
}

// ---- task 2 ---------------------------------------------------------------------------------

double sum_through_shared_memory(array_view a, shared_array_slot& slot) {
    if (a.size() > slot.capacity())
        throw std::invalid_argument("sum_through_shared_memory: the array does not fit in the slot");
    // TODO(task 2): the child copies the array into a vector of its own, which fork() made
    // private: the parent never sees it and sums the slot's zeros. Let the child write the
    // header and the numbers into `slot` (which both processes share) and post slot.ready();
    // the parent waits on slot.ready() (not on the child's end) and sums the numbers in place.
    process child = process::start([&] {
        std::vector<double> numbers(a.data, a.data + a.size());
        (void)numbers;
    });
    child.join_or_throw();
    return sum_values(slot.numbers(), a.size());
}

double sum_through_shared_memory(array_view a) {
    shared_array_slot slot(a.size());
    return sum_through_shared_memory(a, slot);
}

std::vector<transfer_timing> time_transfers(std::span<const shape> shapes, std::size_t repetitions) {
    if (repetitions == 0) throw std::invalid_argument("time_transfers: repetitions must be at least 1");
    // TODO(task 5): for each shape, make an array of random numbers in [0, 1) and take the
    // median time of `repetitions` calls of sum_through_pipe and of sum_through_shared_memory
    // with one shared_array_slot made before the timing (parlab::time_repeated does one untimed
    // call first).
    std::vector<transfer_timing> table;
    for (const shape& s : shapes) table.push_back({s.rows, s.cols, 0, 0});
    return table;
}

// ---- task 3 ---------------------------------------------------------------------------------

void ring_buffer::push(const item& it) {
    // TODO(task 3): nothing waits and nothing tells: a push overwrites a slot nobody read yet.
    // Wait on free_slots first (outside the lock: why?), write under the lock, then post
    // filled_slots.
    control& c = state();
    const std::lock_guard<process_mutex> hold(c.lock);
    slots()[c.write_at] = it;
    c.write_at = (c.write_at + 1) % capacity_;
}

item ring_buffer::pop() {
    // TODO(task 3): the mirror image of push: wait on filled_slots, read under the lock, post
    // free_slots.
    control& c = state();
    const std::lock_guard<process_mutex> hold(c.lock);
    const item it = slots()[c.read_at];
    c.read_at = (c.read_at + 1) % capacity_;
    return it;
}

void run_pipeline(const pipeline_spec& spec, const make_item& make, const take_item& take) {
    if (spec.producers == 0 || spec.consumers == 0 || spec.capacity == 0)
        throw std::invalid_argument("run_pipeline: producers, consumers and capacity must be at least 1");
    // TODO(task 3): everything happens here, in the caller, and nothing goes through a buffer.
    // Make a ring_buffer, fork C consumers that pop and take until they pop an end-of-stream
    // marker, fork P producers that push their items, join the producers, push one marker per
    // consumer, join the consumers. Report a failed process (parlab::process_error) after all
    // of them ended.
    for (std::size_t p = 0; p < spec.producers; ++p)
        for (std::size_t k = 0; k < spec.items_per_producer; ++k) take(0, make(p, k));
}

// ---- task 4 ---------------------------------------------------------------------------------

void run_limited(std::size_t workers, std::size_t limit, const std::function<void(std::size_t)>& step) {
    if (limit == 0) throw std::invalid_argument("run_limited: the limit must be at least 1");
    // TODO(task 4): the steps run one after another in the caller. Fork `workers` processes and
    // let at most `limit` of them into step() at once with a process_semaphore initialised to
    // limit, in shared memory (parlab::shared_value). Give the unit back even when step throws.
    for (std::size_t w = 0; w < workers; ++w) step(w);
}

}  // namespace parlab::lab07
