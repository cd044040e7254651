// A timing check: the student's code against a baseline (their own, or the grader's reference
// program) in alternating pairs, every result checked before its time counts, while the machine
// is watched for other programs.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>

#include "parlab/workers.hpp"
#include "support.hpp"

namespace parlab::grader::checking {
namespace fs = std::filesystem;
namespace {

// Options of a "--key=value" argument list, for the timing verifiers.
std::map<std::string, std::string> options_of(const std::vector<std::string>& args) {
    std::map<std::string, std::string> options;
    for (const auto& a : args)
        if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos)
            options[a.substr(2, eq - 2)] = a.substr(eq + 1);
    return options;
}

// A random nonce per timed pair: unpredictable, so no run can be prepared ahead of its "go".
std::uint64_t draw_nonce() {
    static std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32 | device()) % 1000000000000000ULL;
}

// Decides `r` when the check cannot be timed here and now; false when it can.
bool cannot_time(check_result& r, const check_spec& spec, const timing_kind& timing, const lab_programs& programs,
                 const lab_state& state) {
    // Only work whose result is right is worth timing; this also spares a class batch the
    // timed pairs of every unfinished task.
    if (state.failed_tasks.count(spec.task) > 0) {
        fail(r, check_status::failed,
             fmt::format("not timed: task {} does not pass its other checks yet, and only a right answer's speed counts",
                         spec.task));
        return true;
    }
    std::vector<std::string> unpassed;
    for (const auto& needed : timing.needs_passed)
        if (state.failed_checks.count(needed) > 0) unpassed.push_back(needed);
    if (!unpassed.empty()) {
        std::string names = unpassed.front();
        for (std::size_t i = 1; i < unpassed.size(); ++i) names += (i + 1 == unpassed.size() ? " and " : ", ") + unpassed[i];
        fail(r, check_status::failed,
             fmt::format("not timed: {} must pass first (the timed runs use the code {} check{}), and only a right "
                         "answer's speed counts",
                         names, unpassed.size() == 1 ? "it" : "they", unpassed.size() == 1 ? "s" : ""));
        return true;
    }
    if (programs.release.light) {
        not_run(r, spec, "this grade compiled the code at -O1 (--light-build), and the speed of less optimised code "
                         "says little");
        return true;
    }
    const int needs = timing.needs_cores;
    if (available_cpus() < static_cast<std::size_t>(needs)) {
        not_run(r, spec, fmt::format("needs {} cores, this machine gives the grader {}", needs, available_cpus()));
        return true;
    }
    // Under a CPU quota smaller than the cores a pair needs (a container of half a CPU), the
    // kernel stops the group for the rest of each period once the quota is spent: a run that
    // starts with quota left is not stopped, a longer one is, so wall-clock times favour the side
    // that happens to run unthrottled (the lab 04 skeleton measured 1.6x there against 1.3x).
    if (const auto quota = cpu_quota(); quota && *quota < needs - 0.01) {
        not_run(r, spec, fmt::format("needs {} whole core{}, this machine's CPU quota gives the grader {:.2g} of a CPU, "
                                     "which distorts wall-clock times",
                                     needs, needs > 1 ? "s" : "", *quota));
        return true;
    }
    if (programs.release.probe.empty()) {
        fail(r, check_status::error, "the grader has no probe for this lab");
        return true;
    }
    // A speedup needs its cores free: with another program on one of two cores no code can show
    // it, so the check is skipped with the reason rather than failed. A burst of other work (a
    // batch's other job between two of its steps, a process exiting) is waited out: the cores
    // are looked at for up to 3 s, and one quiet look is enough.
    if (needs > 1) {
        double free = 0;
        for (int look = 0; look < 10 && free < needs - 0.5; ++look) free = free_cores(std::chrono::milliseconds(300));
        if (free < needs - 0.5) {
            not_run(r, spec, fmt::format("needs {} free cores, but only {:.1f} were free (another program is busy)", needs, free));
            return true;
        }
    }
    return false;
}

// One timed run: its seconds, and the cores other programs took meanwhile on average (the
// machine's busy time less the run's own; a program that starts after the free-core check shows
// here).
struct timed {
    double seconds = 0;
    double others = 0;
};

// The two sides of a timing check and what they answered; it decides `r` when a side fails.
class timing_run {
public:
    timing_run(const grading_context& context, const lab_info& lab, const check_spec& spec, const timing_kind& timing,
               const lab_programs& programs, lab_state& state, check_result& r)
        : context_(context), lab_(lab), spec_(spec), timing_(timing), state_(state), r_(r),
          timeout_(timeout_seconds(spec, 20, context)), a_(make_side(timing.a, programs)), b_(make_side(timing.b, programs)) {}

    // Both sides set up and paused; false (with `r` decided) when one is not.
    bool prepare() {
        for (side* s : {&a_, &b_}) {
            if (s->session->await("prepared", std::chrono::seconds(timeout_))) {
                s->session->pause();
                continue;
            }
            // The grader's own program lacks this baseline (its answer to probe.hpp's "time NAME"):
            // a student edition leaves out a baseline that is a task's answer (./parlab release).
            if (s->reference && s->session->said_instead().rfind("error the probe has no timed run", 0) == 0) {
                not_run(r_, spec_, fmt::format("the student edition leaves out {}: this check runs where your instructor "
                                               "grades", s->label));
                return false;
            }
            session_failed(*s, fmt::format("the timed run ({}) did not get ready", s->label));
            return false;
        }
        return true;
    }

    // Times pairs until the verdict is clear or the pairs run out. Pairs during which other
    // programs took the processor do not count; as many of them as the check has pairs may be
    // timed again, and a check that saw any is never failed: it waits for a quiet machine instead
    // (a pass stands: it rests on the quiet pairs alone). Decides `r`.
    void time_pairs() {
        std::vector<double> speedups;
        std::size_t disturbed = 0;
        double most_taken = 0;
        timing_verdict verdict = timing_verdict::undecided;
        const std::size_t max_pairs = timing_.max_pairs;
        while (speedups.size() < max_pairs && disturbed < max_pairs && verdict == timing_verdict::undecided) {
            for (std::size_t i = 0; i < timing_.pairs && speedups.size() < max_pairs && disturbed < max_pairs; ++i) {
                const std::uint64_t nonce = draw_nonce();
                const auto ta = step(a_, nonce);
                if (!ta) return;
                const auto tb = step(b_, nonce);
                if (!tb) return;
                if (const double taken = std::max(ta->others, tb->others); taken > busy_core_limit) {
                    ++disturbed;
                    most_taken = std::max(most_taken, taken);
                    continue;
                }
                speedups.push_back(ta->seconds / std::max(tb->seconds, 1e-9));
                if (clearly_passed(speedups, timing_.min_speedup)) break;
            }
            verdict = decide_timing(speedups, timing_.min_speedup, timing_.min_pairs_to_fail);
        }
        if (verdict == timing_verdict::undecided)
            verdict = decide_out_of_pairs(speedups, timing_.min_speedup, timing_.min_pairs_to_fail);
        if (disturbed > 0 && verdict != timing_verdict::passed) {
            not_run(r_, spec_,
                    fmt::format("other programs took up to {:.1f} cores while {} of {} timed pairs ran, which makes a "
                                "speedup look smaller than it is",
                                most_taken, disturbed, disturbed + speedups.size()));
            return;
        }
        decide(speedups, verdict);
    }

private:
    // One side of the pair: the student's probe, or the grader's own reference program.
    struct side {
        std::string label, probe;
        std::vector<std::string> args;
        bool reference = false;
        const timing_verifier* verifier = nullptr;
        std::unique_ptr<sandbox_session> session;
    };

    side make_side(const timing_side& from, const lab_programs& programs) const {
        side s{from.label, from.probe, from.args, from.reference, nullptr, nullptr};
        if (!s.reference) {
            s.verifier = all_labs().timing(lab_.folder, s.probe);
            if (s.verifier == nullptr)
                throw std::runtime_error(fmt::format("no timing verifier '{}/{}' (check the rubric)", lab_.name, s.probe));
        }
        // the reference in its own folder, as its own user: the graded side can neither swap its
        // program nor signal it
        const run_place place = s.reference ? reference_place(context_) : graded_place(context_);
        const fs::path program = s.reference ? stage_program(context_.reference_probe, place, "grader")
                                             : stage_program(programs.release.probe, place, "release");
        std::vector<std::string> argv{program.string(), "time", s.probe};
        argv.insert(argv.end(), s.args.begin(), s.args.end());
        argv.push_back(fmt::format("--seed={}", context_.seed));
        run_request request = base_request(place, argv, timeout_ * 100);
        request.memory_limit = memory_limit(spec_);
        s.session = std::make_unique<sandbox_session>(request);
        return s;
    }

    // A side that ended or hung: the reason, in the student's terms.
    void session_failed(side& s, const std::string& otherwise) {
        const run_result ended = s.session->finish();
        if (!s.session->ready_seen() && ended.timed_out) {
            state_.never_started = hung_at_start(timeout_);
            fail(r_, check_status::timeout, state_.never_started, ended.output);
        } else if (ended.memory_exceeded || (!ended.timed_out && out_of_memory(ended.output))) {
            fail(r_, check_status::failed, memory_message(spec_), ended.output);
        } else if (!abnormal_end(r_, ended, timeout_)) {
            // the student's code failing is a fail; only the grader's own side failing is an error
            fail(r_, s.reference ? check_status::error : check_status::failed, otherwise, ended.output);
        } else if (r_.status == check_status::timeout) {
            r_.message = fmt::format("timed out after {} s in the timed run ({})", timeout_, s.label);
        }
    }

    // One timed run of side `s` on the input of `nonce`, its result checked; nothing (with `r`
    // decided) when it failed or answered wrong. Each side is paused while the other is timed:
    // nothing it leaves running in the background can take the processor from the other side.
    std::optional<timed> step(side& s, std::uint64_t nonce) {
        const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
        const double own_before = s.session->cpu_seconds();
        const double grader_before = this_thread_cpu_seconds();
        const double busy_before = machine_busy_seconds();
        s.session->resume();
        const auto answer = s.session->go(nonce, std::chrono::seconds(timeout_));
        s.session->pause();
        const double busy = machine_busy_seconds() - busy_before;
        // the run's processes, and the grader's own time here (finding them to pause and resume): not others
        const double own = s.session->cpu_seconds() - own_before + this_thread_cpu_seconds() - grader_before;
        if (!answer || answer->line.rfind("ok ", 0) != 0) {
            session_failed(s, answer ? fmt::format("the timed run ({}) failed: {}", s.label, answer->line)
                                     : fmt::format("the timed run ({}) failed: no answer", s.label));
            return std::nullopt;
        }
        // both counts move in whole clock ticks: two of them are rounding, not other programs
        const timed t{answer->seconds, std::max(0.0, busy - own - 2 * tick) / std::max(answer->seconds, 1e-3)};
        const std::string digest = answer->line.substr(3);
        if (s.verifier == nullptr) return t;  // the grader's own program
        auto [at, inserted] = expected_by_nonce_.try_emplace(nonce);  // one reference computation per nonce
        if (inserted) at->second = s.verifier->expected(options_of(s.args), context_.seed, nonce);
        if (s.verifier->matches(at->second, digest)) return t;
        fail(r_, check_status::failed,
             fmt::format("the timed run ({}) answered a wrong result for its input (expected {}, got {}): the grader "
                         "counts only the time of work whose result it checked",
                         s.label, at->second, digest.substr(0, 40)));
        return std::nullopt;
    }

    // The verdict of the quiet pairs, with the median speedup.
    void decide(const std::vector<double>& speedups, timing_verdict verdict) {
        const double median = median_speedup(speedups);
        r_.measured = median;
        const std::string figures =
            fmt::format("{} is {:.2f}x as fast as {}{} (median of {} alternating pairs, every result checked; needed {:.2f}x)",
                        b_.label, median, a_.label, median < 1 ? " (slower)" : "", speedups.size(), timing_.min_speedup);
        switch (verdict) {
            case timing_verdict::passed: pass(r_, figures); break;
            case timing_verdict::failed: fail(r_, check_status::failed, figures); break;
            case timing_verdict::undecided:
                fail(r_, check_status::inconclusive,
                     figures + "; the runs were too noisy to decide: run the grader again on a quieter machine");
                break;
        }
    }

    const grading_context& context_;
    const lab_info& lab_;
    const check_spec& spec_;
    const timing_kind& timing_;
    lab_state& state_;
    check_result& r_;
    int timeout_;
    side a_, b_;
    std::map<std::uint64_t, std::string> expected_by_nonce_;
};

}  // namespace

check_result run_timing_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                              const timing_kind& timing, const lab_programs& programs, lab_state& state) {
    check_result r = start_result(lab, spec);
    if (cannot_time(r, spec, timing, programs, state)) return r;
    timing_run run(context, lab, spec, timing, programs, state, r);
    if (run.prepare()) run.time_pairs();
    return r;
}

}  // namespace parlab::grader::checking

namespace parlab::grader {

bool clearly_passed(const std::vector<double>& speedups, double threshold) {
    return speedups.size() >= clear_pairs &&
           std::all_of(speedups.begin(), speedups.end(), [&](double s) { return s >= clear_margin * threshold; });
}

double median_speedup(const std::vector<double>& speedups) {
    std::vector<double> sorted = speedups;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
}

timing_verdict decide_out_of_pairs(const std::vector<double>& speedups, double threshold, std::size_t min_pairs_to_fail) {
    if (speedups.empty() || speedups.size() < min_pairs_to_fail) return timing_verdict::undecided;
    return median_speedup(speedups) >= rescue_margin * threshold ? timing_verdict::passed : timing_verdict::undecided;
}

timing_verdict decide_timing(const std::vector<double>& speedups, double threshold, std::size_t min_pairs_to_fail) {
    if (speedups.empty()) return timing_verdict::undecided;
    const auto reached = static_cast<std::size_t>(std::count_if(speedups.begin(), speedups.end(),
                                                                [&](double s) { return s >= threshold; }));
    const std::size_t n = speedups.size();
    if (3 * reached >= 2 * n && n >= clear_pairs) return timing_verdict::passed;
    if (3 * (n - reached) >= 2 * n && n >= min_pairs_to_fail) return timing_verdict::failed;
    return timing_verdict::undecided;
}

}  // namespace parlab::grader
