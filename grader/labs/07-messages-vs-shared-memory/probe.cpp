// The grader's probe for lab 07: the student's message functions against the probe's own pipe
// ends (every byte send_array writes; receive_array from a writer that hands the message over in
// pieces and interrupts the reader with signals), both sums, the pipeline with the probe's own
// make and take functions recording every item in shared memory, and run_limited with the
// probe's own occupancy count. The probe only records; the verifier judges against its own
// reference. Everything that could hang runs under a time limit of the probe's, so the answer can
// say which side was left waiting.

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "answers.hpp"
#include "inputs.hpp"
#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "probe.hpp"
#include "reference.hpp"
#include "tests/slow_pipes.hpp"

namespace {

namespace lab07 = parlab::lab07;
namespace answers = parlab::grader::lab07;
namespace slow_pipes = parlab::lab07::slow_pipes;
using parlab::probe::arguments;

// ---- forks, counted by the probe --------------------------------------------------------------

// Every fork() in this process (and in its children) adds one, from a pthread_atfork handler.
std::atomic<long>* fork_count = nullptr;

void install_fork_counter() {
    static parlab::shared_value<std::atomic<long>> counter(0);
    fork_count = &counter.get();
    ::pthread_atfork(nullptr, nullptr, [] {
        if (fork_count != nullptr) fork_count->fetch_add(1);
    });
}

// ---- sem_post on a slot's "ready", counted by the probe ----------------------------------------

// The semaphore whose posts are counted (a reused slot's ready) and the count, across fork().
struct post_census {
    std::atomic<const sem_t*> watched{nullptr};
    std::atomic<long> posts{0};
};
post_census* census = nullptr;

void install_post_census() {
    static parlab::shared_value<post_census> shared;
    census = &shared.get();
}

}  // namespace

// Every sem_post of the probe passes through here on its way to the real one.
extern "C" int sem_post(sem_t* semaphore) {
    using post_function = int (*)(sem_t*);
    static const auto next = reinterpret_cast<post_function>(::dlsym(RTLD_NEXT, "sem_post"));
    if (census != nullptr && semaphore == census->watched.load()) census->posts.fetch_add(1);
    return next(semaphore);
}

namespace {

template <class Call>
answers::call_end ended(Call call) {
    const std::optional<std::string> thrown = parlab::probe::exception_from(call);
    return {!thrown.has_value(), thrown.value_or("")};
}

const char* end_name(parlab::limited_end end) {
    switch (end) {
    case parlab::limited_end::returned: return "returned";
    case parlab::limited_end::threw: return "threw";
    case parlab::limited_end::timed_out: return "timed_out";
    case parlab::limited_end::crashed: return "crashed";
    }
    return "?";
}

// ---- pipe-message ------------------------------------------------------------------------------

std::vector<char> message_bytes(const std::vector<double>& values, std::uint64_t rows, std::uint64_t cols) {
    return parlab::grader::lab07_reference::message(values, rows, cols);
}

// Every byte send_array writes into a pipe, read by the probe until the end of the stream. The
// probe reads slowly and signals the writer after each read (a handler without SA_RESTART): a
// write() blocked on the full pipe then returns the part it moved, as the README says, and a
// write_all that does not go on loses the rest.
answers::call_end sent_bytes(lab07::array_view a, std::vector<char>& out) {
    parlab::pipe_ends ends = parlab::make_pipe();
    auto sender = parlab::process::start([&] {
        ends.read.close();
        const slow_pipes::interrupting_signal interrupted;
        lab07::send_array(ends.write.get(), a);
    });
    ends.write.close();
    // Only the writer is interrupted here. With SIGUSR1 held off in this thread (after the fork,
    // so the child does not inherit the mask) nothing interrupts the probe's own reads, which
    // therefore need no retry: a failed read is the probe's failure, not a signal.
    struct held_signal {
        sigset_t before{};
        held_signal() {
            sigset_t usr1;
            ::sigemptyset(&usr1);
            ::sigaddset(&usr1, SIGUSR1);
            ::pthread_sigmask(SIG_BLOCK, &usr1, &before);
        }
        held_signal(const held_signal&) = delete;
        held_signal& operator=(const held_signal&) = delete;
        ~held_signal() { ::pthread_sigmask(SIG_SETMASK, &before, nullptr); }
    } held;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(ends.read.get(), buffer, sizeof buffer);
        if (n < 0) throw std::system_error(errno, std::generic_category(), "the probe cannot read send_array's pipe");
        if (n == 0) break;
        out.insert(out.end(), buffer, buffer + n);
        // bytes arrived, so the writer's handler is in place: interrupt its next wait
        ::kill(sender.pid(), SIGUSR1);
        ::usleep(200);
    }
    ends.read.close();
    const parlab::exit_status status = sender.join();
    if (!status.ok()) return {false, "send_array failed in the probe's child: " + status.describe() + " " + status.error};
    return {true, ""};
}

// receive_array from the probe's writer, which sends `bytes` in pieces with signals between.
answers::call_end received_array(const std::vector<char>& bytes, lab07::array2d& got) {
    parlab::pipe_ends ends = parlab::make_pipe();
    auto writer = slow_pipes::start_slow_writer(ends, bytes);
    const answers::call_end end = ended([&] { got = lab07::receive_array(ends.read.get()); });
    ends.read.close();  // a writer with bytes left gets EPIPE instead of waiting for ever
    (void)writer.join();
    return end;
}

// What receive_array does with a stream of `bytes` and nothing more: ok only when it throws
// message_error. Run in a child under a time limit (a header that announces 16 GiB must be
// refused, not allocated).
answers::call_end refused(const std::vector<char>& bytes, const std::string& what) {
    const auto got = parlab::call_with_time_limit<int>(10.0, [&] {
        const parlab::pipe_ends ends = slow_pipes::filled_pipe(bytes);
        try {
            (void)lab07::receive_array(ends.read.get());
        } catch (const lab07::message_error&) {
            return 1;
        }
        return 0;
    });
    if (got.value == std::optional<int>(1)) return {true, ""};
    if (got.value) return {false, what + ": receive_array returned instead of throwing message_error"};
    return {false, what + ": receive_array " + (got.end == parlab::limited_end::threw ? "threw something else: " : "") +
                       got.message};
}

nlohmann::json message_check(const arguments& a) {
    const auto seed = a.number("seed");
    answers::message_answer answer;
    std::size_t i = 0;
    for (const answers::array_case& c : answers::array_cases(seed)) {
        const std::vector<double> values = answers::case_values(c);
        const lab07::array_view view{values.data(), c.rows, c.cols};
        answers::message_result r;
        std::vector<char> sent;
        r.sent = sent_bytes(view, sent);
        r.sent_file = "sent-" + std::to_string(i) + ".raw";
        answers::write_file(r.sent_file, sent.data(), sent.size());
        lab07::array2d got;
        r.received = received_array(message_bytes(values, c.rows, c.cols), got);
        r.rows = got.rows;
        r.cols = got.cols;
        r.received_file = "received-" + std::to_string(i) + ".raw";
        answers::write_file(r.received_file, got.values.data(), got.values.size() * sizeof(double));
        fork_count->store(0);
        r.summed = ended([&] { r.sum = lab07::sum_through_pipe(view); });
        r.forks = fork_count->load();
        answer.arrays.push_back(std::move(r));
        ++i;
    }
    const std::vector<double> six = answers::case_values(answers::array_case{2, 3, parlab::grader::derive_seed(seed, 76), ""});
    const std::vector<char> whole = message_bytes(six, 2, 3);
    answer.cut_short.push_back(refused({}, "an empty stream"));
    answer.cut_short.push_back(refused({whole.begin(), whole.begin() + 9}, "9 of the header's 16 bytes"));
    answer.cut_short.push_back(refused({whole.begin(), whole.end() - 3}, "a 2 x 3 message 3 bytes short"));
    answer.cut_short.push_back(
        refused(message_bytes({}, lab07::max_message_values + 1, 1), "a header announcing 2^31 + 1 numbers"));
    return answer;
}

// ---- shared-sum --------------------------------------------------------------------------------

// sum_through_shared_memory with a child that dies before its post (it reads numbers it may not
// read): the call must throw process_error, not wait for a post that never comes. Run in a child
// under a time limit.
answers::call_end dead_child_reported() {
    constexpr std::size_t n = 1000;
    void* unreadable = ::mmap(nullptr, n * sizeof(double), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (unreadable == MAP_FAILED) return {false, "the probe could not map its unreadable array"};
    lab07::shared_array_slot slot(n);
    const auto got = parlab::call_with_time_limit<int>(10.0, [&] {
        try {
            (void)lab07::sum_through_shared_memory({static_cast<const double*>(unreadable), 1, n}, slot);
        } catch (const parlab::process_error&) {
            return 1;
        }
        return 0;
    });
    ::munmap(unreadable, n * sizeof(double));
    if (got.value == std::optional<int>(1)) return {true, ""};
    if (got.value) return {false, "it returned a sum though the child died before posting ready"};
    if (got.end == parlab::limited_end::timed_out)
        return {false, "the parent still waited on ready 10 s after the child died: nobody posts a semaphore for a "
                       "process that died, so the parent must watch the child while it waits"};
    return {false, (got.end == parlab::limited_end::threw ? "it threw something other than process_error: " : "") +
                       got.message};
}

// Each case twice: with a new slot of its size, then through one slot (as big as the largest
// case) that every case reuses; then a child that dies before its post.
nlohmann::json shared_sum_check(const arguments& a) {
    answers::sum_answer answer;
    const auto cases = answers::array_cases(a.number("seed"));
    std::size_t largest = 0;
    for (const answers::array_case& c : cases) largest = std::max(largest, c.rows * c.cols);
    lab07::shared_array_slot reused(largest);
    for (const answers::array_case& c : cases) {
        const std::vector<double> values = answers::case_values(c);
        const lab07::array_view view{values.data(), c.rows, c.cols};
        for (lab07::shared_array_slot* slot : {static_cast<lab07::shared_array_slot*>(nullptr), &reused}) {
            answers::sum_result r;
            fork_count->store(0);
            census->posts.store(0);
            census->watched.store(slot == nullptr ? nullptr : slot->ready().native());
            if (slot != nullptr) slot->header() = {0, 0};  // what the child must overwrite
            r.summed = ended([&] {
                r.sum = slot == nullptr ? lab07::sum_through_shared_memory(view) : lab07::sum_through_shared_memory(view, *slot);
            });
            census->watched.store(nullptr);
            r.forks = fork_count->load();
            if (slot != nullptr) {
                r.ready_posts = census->posts.load();
                r.ready_left = slot->ready().value();
                while (slot->ready().try_wait()) {  // the next case starts from a count of 0
                }
                r.header_written = slot->header().rows == c.rows && slot->header().cols == c.cols;
            }
            answer.sums.push_back(r);
        }
    }
    answer.dead_child = dead_child_reported();
    return answer;
}

// ---- bounded-buffer ----------------------------------------------------------------------------

// What the probe's make and take functions record, in shared memory.
struct pipeline_log {
    pipeline_log(const answers::pipeline_case& c)
        : per_consumer(c.producers * c.items_per_producer + 1), items(c.consumers * per_consumer),
          counts(c.consumers), made(c.producers), producer_pids(c.producers), consumer_pids(c.consumers),
          moved(1), caller(1), taken(0) {}
    std::size_t per_consumer;
    parlab::shared_array<lab07::item> items;
    parlab::shared_array<std::size_t> counts;  // each consumer writes only its own
    parlab::shared_array<std::size_t> made;    // each producer writes only its own
    parlab::shared_array<long> producer_pids;
    parlab::shared_array<long> consumer_pids;
    parlab::shared_array<int> moved;
    parlab::shared_array<long> caller;
    parlab::shared_value<std::atomic<std::size_t>> taken;  // by all consumers
};

answers::pipeline_result run_pipeline_case(const answers::pipeline_case& c, std::uint64_t seed, std::size_t index) {
    pipeline_log log(c);
    const lab07::pipeline_spec spec{c.producers, c.consumers, c.capacity, c.items_per_producer};
    const auto run = parlab::run_with_time_limit(
        [&] {
            log.caller[0] = static_cast<long>(::getpid());
            lab07::run_pipeline(
                spec,
                [&log, seed, c](std::size_t p, std::size_t k) {
                    if (p < c.producers) {
                        log.producer_pids[p] = static_cast<long>(::getpid());
                        log.made[p] += 1;
                    }
                    return lab07::item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k),
                                       answers::item_value(seed, p, k)};
                },
                [&log, c](std::size_t consumer, const lab07::item& it) {
                    if (consumer >= c.consumers) return;
                    const bool last = log.taken.get().fetch_add(1) + 1 == c.producers * c.items_per_producer;
                    if (last && c.last_take_milliseconds > 0)
                        std::this_thread::sleep_for(std::chrono::milliseconds(c.last_take_milliseconds));
                    else if (c.take_microseconds > 0)
                        std::this_thread::sleep_for(std::chrono::microseconds(c.take_microseconds));
                    const long pid = static_cast<long>(::getpid());
                    if (log.consumer_pids[consumer] == 0) log.consumer_pids[consumer] = pid;
                    else if (log.consumer_pids[consumer] != pid) log.moved[0] = 1;
                    std::size_t& n = log.counts[consumer];
                    if (n < log.per_consumer) log.items[consumer * log.per_consumer + n] = it;
                    n += 1;
                });
        },
        5.0);
    answers::pipeline_result r;
    r.end = end_name(run.end);
    r.message = run.message;
    r.caller_pid = log.caller[0];
    r.producer_pids.assign(log.producer_pids.begin(), log.producer_pids.end());
    r.made.assign(log.made.begin(), log.made.end());
    r.consumer_pids.assign(log.consumer_pids.begin(), log.consumer_pids.end());
    r.consumer_moved = log.moved[0] != 0;
    for (std::size_t consumer = 0; consumer < c.consumers; ++consumer) {
        std::vector<answers::taken_item> taken;
        const std::size_t n = std::min(log.counts[consumer], log.per_consumer);
        for (std::size_t i = 0; i < n; ++i) {
            const lab07::item& it = log.items[consumer * log.per_consumer + i];
            taken.push_back({it.producer, it.sequence, it.value});
        }
        r.taken_files.push_back("taken-" + std::to_string(index) + "-" + std::to_string(consumer) + ".raw");
        answers::write_file(r.taken_files.back(), taken.data(), taken.size() * sizeof(answers::taken_item));
    }
    return r;
}

nlohmann::json pipeline_check(const arguments& a) {
    const auto seed = a.number("seed");
    answers::pipeline_answer answer;
    const auto cases = answers::pipeline_cases(seed);
    // After a run that deadlocked, the others would most likely wait out their time limits too:
    // they are answered as not run, which keeps a hanging submission's grade short.
    bool timed_out = false;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        if (timed_out) {
            answers::pipeline_result skipped;
            skipped.end = "skipped";
            answer.runs.push_back(skipped);
            continue;
        }
        answer.runs.push_back(run_pipeline_case(cases[i], seed, i));
        timed_out = answer.runs.back().end == "timed_out";
    }
    return answer;
}

// ---- at-most-k ---------------------------------------------------------------------------------

struct meter {
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
};

nlohmann::json limit_check(const arguments& a) {
    answers::limit_answer answer;
    for (const auto& c : answers::limit_cases(a.number("seed"))) {
        parlab::shared_value<meter> m;
        parlab::shared_array<int> ran(c.workers);
        parlab::shared_array<long> pids(c.workers);
        parlab::shared_array<long> caller(1);
        const int expected = static_cast<int>(std::min(c.workers, c.limit));
        const auto run = parlab::run_with_time_limit(
            [&] {
                caller[0] = static_cast<long>(::getpid());
                lab07::run_limited(c.workers, c.limit, [&](std::size_t w) {
                    const int now = m->inside.fetch_add(1) + 1;
                    int most = m->most.load();
                    while (now > most && !m->most.compare_exchange_weak(most, now)) {
                    }
                    // Hold the place until as many are inside as the limit allows (or 200 ms
                    // passed), so that the most inside reaches the limit whenever it may.
                    for (int i = 0; i < 200 && m->most.load() < expected; ++i) ::usleep(1000);
                    ::usleep(3000);
                    if (w < c.workers) {
                        ran[w] += 1;
                        pids[w] = static_cast<long>(::getpid());
                    }
                    m->inside.fetch_sub(1);
                });
            },
            20.0);
        answers::limit_result r;
        r.end = end_name(run.end);
        r.message = run.message;
        r.most_inside = m->most.load();
        r.ran.assign(ran.begin(), ran.end());
        r.pids.assign(pids.begin(), pids.end());
        r.caller_pid = caller[0];
        answer.runs.push_back(std::move(r));
    }
    return answer;
}

// ---- timed transfers ---------------------------------------------------------------------------

// The 500 x 9111 input of the seed, changed in a few places for each nonce (and put back after);
// the answer is the sum `transfer` returns, which the grader checks.
template <class Transfer>
parlab::probe::timed_body timed_sum(const arguments& a, Transfer transfer) {
    const auto seed = a.number("seed");
    auto base = std::make_shared<const std::vector<double>>(answers::timing_base(seed));
    auto values = std::make_shared<std::vector<double>>(*base);
    return [seed, base, values, transfer](std::uint64_t nonce) {
        const std::vector<std::size_t> places = answers::apply_nonce(*values, seed, nonce);
        const double result = transfer(lab07::array_view{values->data(), answers::timing_rows, answers::timing_cols});
        for (const std::size_t at : places) (*values)[at] = (*base)[at];
        return parlab::grader::digest_double(result);
    };
}

}  // namespace

int main(int argc, char** argv) {
    install_fork_counter();
    install_post_census();
    // SIGUSR1 interrupts a blocked read() or write() (no SA_RESTART): the student's loops must retry.
    const slow_pipes::interrupting_signal interrupting;
    parlab::probe::probe_table table;
    table.checks["pipe-message"] = message_check;
    table.checks["shared-sum"] = shared_sum_check;
    table.checks["bounded-buffer"] = pipeline_check;
    table.checks["at-most-k"] = limit_check;
    table.timed["pipe-sum"] = [](const arguments& a) {
        return timed_sum(a, [](lab07::array_view v) { return lab07::sum_through_pipe(v); });
    };
    table.timed["shared-sum"] = [](const arguments& a) {
        // one slot, made while the probe prepares (before the clock starts), used by every run
        auto slot = std::make_shared<lab07::shared_array_slot>(answers::timing_rows * answers::timing_cols);
        return timed_sum(a, [slot](lab07::array_view v) { return lab07::sum_through_shared_memory(v, *slot); });
    };
    return parlab::probe::run(argc, argv, table);
}
