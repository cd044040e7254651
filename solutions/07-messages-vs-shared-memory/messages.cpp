// Lab 07: your file. Tasks 1 to 4 are marked TODO(task N).
// `./parlab grade messages-vs-shared-memory` checks your work.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
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
    // A signal handler that runs while write() waits for room in the pipe makes it return the
    // part taken so far (or fail with EINTR if nothing was): go on from where the last call stopped.
    const auto* next = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t n = ::write(fd, next, bytes);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "cannot write a message");
        }
        next += n;
        bytes -= static_cast<std::size_t>(n);
    }
}

std::size_t read_full(int fd, void* data, std::size_t bytes) {
    // read() hands over what the pipe holds now, which may be less than asked: read again for
    // the rest, until it all arrived or the writer closed its end (0).
    auto* next = static_cast<char*>(data);
    std::size_t done = 0;
    while (done < bytes) {
        const ssize_t n = ::read(fd, next + done, bytes - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "cannot read a message");
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void send_array(int fd, array_view a) {
    const message_header header{a.rows, a.cols};
    write_all(fd, &header, sizeof header);
    write_all(fd, a.data, a.size() * sizeof(double));
}

array2d receive_array(int fd) {
    message_header header;
    if (const std::size_t got = read_full(fd, &header, sizeof header); got != sizeof header)
        throw message_error("the stream ended after " + std::to_string(got) + " of the header's " +
                            std::to_string(sizeof header) + " bytes");
    // The header is checked before it sizes anything: a wrong one must not allocate 2^64 bytes.
    if (header.cols != 0 && header.rows > max_message_values / header.cols)
        throw message_error("the header announces " + std::to_string(header.rows) + " x " + std::to_string(header.cols) +
                            " numbers, more than a message may carry");
    array2d a;
    a.rows = header.rows;
    a.cols = header.cols;
    a.values.resize(a.rows * a.cols);
    const std::size_t bytes = a.values.size() * sizeof(double);
    if (const std::size_t got = read_full(fd, a.values.data(), bytes); got != bytes)
        throw message_error("the stream ended after " + std::to_string(got) + " of " + std::to_string(bytes) +
                            " bytes of data");
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
        throw std::invalid_argument("sum_through_shared_memory: " + std::to_string(a.size()) +
                                    " numbers do not fit in a slot of " + std::to_string(slot.capacity()));
    // The slot was mapped before the fork, so parent and child see the same pages: what the
    // child writes there, the parent reads in place. "ready" says when it is all there; the
    // post comes after the writes, and the wait orders the parent's reads after them.
    process child = process::start([&] {
        slot.map_for_writing(a.size());  // one system call instead of a page fault per page
        slot.header() = {a.rows, a.cols};
        if (a.size() > 0) std::memcpy(slot.numbers(), a.data, a.size() * sizeof(double));
        slot.ready().post();
    });
    // Wait for "ready", but not for ever: a child that died before posting never will. waitid
    // with WNOWAIT only looks (the child stays joinable); join_or_throw then says how it ended.
    while (!slot.ready().wait_for(0.01)) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
            if (slot.ready().try_wait()) break;  // it posted just before it ended
            child.join_or_throw();
            throw process_error("the child ended without posting \"ready\"", exit_status{});
        }
    }
    const message_header shape = slot.header();
    const double sum = sum_values(slot.numbers(), shape.rows * shape.cols);
    child.join_or_throw();
    return sum;
}

double sum_through_shared_memory(array_view a) {
    shared_array_slot slot(a.size());
    return sum_through_shared_memory(a, slot);
}

std::vector<transfer_timing> time_transfers(std::span<const shape> shapes, std::size_t repetitions) {
    if (repetitions == 0) throw std::invalid_argument("time_transfers: repetitions must be at least 1");
    std::vector<transfer_timing> table;
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> number(0.0, 1.0);
    for (const shape& s : shapes) {
        std::vector<double> values(s.rows * s.cols);
        for (double& v : values) v = number(random);
        const array_view a{values.data(), s.rows, s.cols};
        transfer_timing row{s.rows, s.cols, 0, 0};
        row.pipe_seconds = time_repeated([&] { (void)sum_through_pipe(a); }, repetitions).median;
        shared_array_slot slot(a.size());  // made once, like a buffer two programs keep
        row.shared_seconds = time_repeated([&] { (void)sum_through_shared_memory(a, slot); }, repetitions).median;
        table.push_back(row);
    }
    return table;
}

// ---- task 3 ---------------------------------------------------------------------------------

void ring_buffer::push(const item& it) {
    // Wait for room first, outside the lock: a producer that waited holding the lock would keep
    // out the consumer that is about to make room.
    control& c = state();
    c.free_slots.wait();
    {
        const std::lock_guard<process_mutex> hold(c.lock);
        slots()[c.write_at] = it;
        c.write_at = (c.write_at + 1) % capacity_;
    }
    c.filled_slots.post();
}

item ring_buffer::pop() {
    control& c = state();
    c.filled_slots.wait();
    item it;
    {
        const std::lock_guard<process_mutex> hold(c.lock);
        it = slots()[c.read_at];
        c.read_at = (c.read_at + 1) % capacity_;
    }
    c.free_slots.post();
    return it;
}

namespace {

// A child the parent watches, and the name its failure is reported under ("consumer 2").
struct watched {
    process* child;
    std::string name;
};

// Waits until every process of `awaited` has ended, watching `others` too. A process that dies
// may leave a semaphore unposted or the buffer's lock taken (nobody gives back what a dead process
// held), and then the rest wait for ever: so at the first failure, in either group, every other
// process is killed (a process object that is reset kills and reaps its child), and
// process_error names the failure.
void wait_or_stop_all(const std::vector<watched>& awaited, const std::vector<watched>& others = {}) {
    std::vector<watched> all = awaited;
    all.insert(all.end(), others.begin(), others.end());
    const auto running = [](const watched& w) { return w.child->joinable(); };
    while (std::any_of(awaited.begin(), awaited.end(), running)) {
        bool any_ended = false;
        for (const watched& w : all) {
            siginfo_t info{};  // WNOWAIT: only look; join() below reaps it
            if (!running(w) ||
                ::waitid(P_PID, static_cast<id_t>(w.child->pid()), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
                info.si_pid == 0)
                continue;
            any_ended = true;
            if (const exit_status status = w.child->join(); !status.ok()) {
                for (const watched& other : all)
                    if (running(other)) *other.child = process{};
                throw process_error(w.name + " failed: " + status.describe(), status);
            }
        }
        if (!any_ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

std::vector<watched> named(std::vector<process>& children, const std::string& role) {
    std::vector<watched> out;
    for (std::size_t i = 0; i < children.size(); ++i) out.push_back({&children[i], role + " " + std::to_string(i)});
    return out;
}

}  // namespace

void run_pipeline(const pipeline_spec& spec, const make_item& make, const take_item& take) {
    if (spec.producers == 0 || spec.consumers == 0 || spec.capacity == 0)
        throw std::invalid_argument("run_pipeline: producers, consumers and capacity must be at least 1");
    ring_buffer buffer(spec.capacity);
    std::vector<process> consumers;
    for (std::size_t c = 0; c < spec.consumers; ++c)
        consumers.push_back(process::start([&, c] {
            for (item it = buffer.pop(); it.producer != end_of_stream; it = buffer.pop()) take(c, it);
        }));
    std::vector<process> producers;
    for (std::size_t p = 0; p < spec.producers; ++p)
        producers.push_back(process::start([&, p] {
            for (std::size_t k = 0; k < spec.items_per_producer; ++k) buffer.push(make(p, k));
        }));
    // Wait for the producers, but not for ever: a consumer that fails while they wait for free
    // slots would leave them blocked.
    wait_or_stop_all(named(producers, "producer"), named(consumers, "consumer"));
    // A clean stop: the markers go in only after the last item of every producer, and each
    // consumer stops at the first marker it pops, so each takes exactly one. A process of the
    // caller's pushes them, so that the caller itself never waits on the buffer: it watches.
    process closer = process::start([&] {
        for (std::size_t c = 0; c < spec.consumers; ++c) buffer.push(item{end_of_stream, 0, 0});
    });
    std::vector<watched> last = named(consumers, "consumer");
    last.push_back({&closer, "the process pushing the end-of-stream markers"});
    wait_or_stop_all(last);
}

// ---- task 4 ---------------------------------------------------------------------------------

void run_limited(std::size_t workers, std::size_t limit, const std::function<void(std::size_t)>& step) {
    if (limit == 0) throw std::invalid_argument("run_limited: the limit must be at least 1");
    // K units: a worker takes one to go in and gives it back when it leaves, so at most K are
    // inside, and K are whenever K want to be (a lock would let in only one).
    shared_value<process_semaphore> slots(static_cast<unsigned>(std::min<std::size_t>(limit, 1u << 30)));
    std::vector<process> children;
    for (std::size_t w = 0; w < workers; ++w)
        children.push_back(process::start([&, w] {
            slots->wait();
            try {
                step(w);
            } catch (...) {
                slots->post();
                throw;
            }
            slots->post();
        }));
    // A worker killed inside its step never gives its unit back: the others could wait for ever.
    wait_or_stop_all(named(children, "worker"));
}

}  // namespace parlab::lab07
