// The grader's verifiers for lab 02: the dot product against the compensated serial sum, and
// where the lock was taken; and the results of timed runs.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "reference.hpp"

namespace parlab::grader {
namespace lab02_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

std::optional<std::string> dot_error(double got, const dot_input& in) {
    const double expected = reference::dot(in.x, in.y);
    const double relative = std::abs(got - expected) / std::abs(expected);
    if (std::isfinite(got) && relative <= 1e-9) return std::nullopt;
    return fmt::format("the dot product is {:.10g}, the reference {:.10g} (relative error {:.2g}, allowed 1e-9): "
                       "some additions were lost",
                       got, expected, relative);
}

probe_verdict per_element(const check_spec&, const lab02::locked_answer& answer, const verify_context& context) {
    const auto in = seeded_dot_input(context.seed);
    if (auto error = dot_error(answer.value, in)) return failed(*error);
    if (answer.acquisitions != in.x.size())
        return failed(fmt::format("the lock was taken {} times; version 2 takes it around every element's "
                                  "update ({} elements, so {} times)",
                                  with_commas(answer.acquisitions), with_commas(in.x.size()), with_commas(in.x.size())));
    return passed(fmt::format("right, with the lock taken {} times", with_commas(answer.acquisitions)));
}

probe_verdict per_chunk(const check_spec&, const lab02::locked_answer& answer, const verify_context& context) {
    const auto in = seeded_dot_input(context.seed);
    if (auto error = dot_error(answer.value, in)) return failed(*error);
    const std::size_t non_empty = std::min(in.chunks, in.x.size());
    if (answer.acquisitions < non_empty || answer.acquisitions > in.chunks)
        return failed(fmt::format("the lock was taken {} times; task 2 asks for one acquisition per chunk ({})",
                                  with_commas(answer.acquisitions), in.chunks));
    return passed(fmt::format("right, with one lock acquisition per chunk ({})", answer.acquisitions));
}

probe_verdict atomic(const check_spec&, const lab02::atomic_answer& answer, const verify_context& context) {
    if (auto error = dot_error(answer.value, seeded_dot_input(context.seed))) return failed(*error);
    return passed("right");
}

// What is wrong with the workers' slots ("" when nothing): one 64-byte cache line each when
// padded, adjacent doubles otherwise.
std::string slot_error(std::vector<std::uintptr_t> slots, bool padded) {
    std::sort(slots.begin(), slots.end());
    std::set<std::uintptr_t> lines;
    for (auto slot : slots) lines.insert(slot / 64);
    if (padded && lines.size() != slots.size()) return "two workers' slots share a 64-byte cache line";
    for (std::size_t i = 1; !padded && i < slots.size(); ++i)
        if (slots[i] - slots[i - 1] != sizeof(double)) return "the slots are not adjacent doubles";
    return {};
}

probe_verdict per_worker(const lab02::per_worker_answer& answer, const verify_context& context, bool padded) {
    const auto in = seeded_dot_input(context.seed);
    if (auto error = dot_error(answer.value, in)) return failed(*error);
    if (answer.slots.size() != in.workers)
        return failed(fmt::format("{} slots reported for a pool of {} workers", answer.slots.size(), in.workers));
    if (const std::string error = slot_error(answer.slots, padded); !error.empty())
        return failed(padded ? error + ": pad each slot to a line of its own"
                             : error + " (task 4a shows false sharing with them)");
    return passed(padded ? "right, one cache line per slot" : "right, with adjacent slots");
}

probe_verdict sweep(const check_spec&, const lab02::sweep_answer& answer, const verify_context& context) {
    std::size_t checked = 0;
    for (const auto& c : answer.cases) {
        const std::string where = fmt::format("{} slots, {} elements, {} workers", c.padded ? "padded" : "adjacent",
                                              with_commas(c.n), c.workers);
        const auto x = seeded_doubles(derive_seed(context.seed, 20 + c.n), c.n);
        const auto y = seeded_doubles(derive_seed(context.seed, 40 + c.n), c.n);
        const double expected = reference::dot(x, y);
        const bool right = c.n == 0 ? c.value == 0.0 : std::abs(c.value - expected) <= 1e-9 * std::abs(expected);
        if (!right) return failed(fmt::format("{}: the dot product is {:.10g}, the reference {:.10g}", where, c.value, expected));
        if (c.slots.size() != c.workers)
            return failed(fmt::format("{}: {} slots reported, one per worker expected", where, c.slots.size()));
        if (const std::string error = slot_error(c.slots, c.padded); !error.empty())
            return failed(fmt::format("{}: {}", where, error));
        ++checked;
    }
    if (checked != 4 * sweep_sizes(context.seed).size() * 2) return failed("the probe returned the wrong number of cases");
    return passed(fmt::format("right in all {} cases (empty, one, odd and large inputs, 1 to 8 workers)", checked));
}

// Timed runs of versions 2 and 3 answer their dot product for the nonce's vector y.
timing_verifier timed_dot() {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce) {
        const auto found = options.find("n");
        const auto n = found == options.end() ? std::size_t{1000000} : static_cast<std::size_t>(std::stoull(found->second));
        dot_input in = seeded_dot_input(seed, n);
        return digest_double(reference::dot(in.x, timed_y(seed, std::move(in.y)).for_nonce(nonce)));
    };
    v.matches = [](const std::string& expected, const std::string& got) {
        char* end = nullptr;
        const double value = std::strtod(got.c_str(), &end);
        if (end == got.c_str() || *end != '\0' || !std::isfinite(value)) return false;
        const double want = std::strtod(expected.c_str(), nullptr);
        return std::abs(value - want) <= 1e-9 * std::abs(want);
    };
    return v;
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    lab.probes["lock-per-element"] = typed_verifier<lab02::locked_answer>(per_element);
    lab.probes["lock-per-chunk"] = typed_verifier<lab02::locked_answer>(per_chunk);
    lab.probes["atomic-per-chunk"] = typed_verifier<lab02::atomic_answer>(atomic);
    for (const bool padded : {false, true})
        lab.probes[padded ? "per-worker-padded" : "per-worker-adjacent"] = typed_verifier<lab02::per_worker_answer>(
            [padded](const check_spec&, const lab02::per_worker_answer& answer, const verify_context& context) {
                return per_worker(answer, context, padded);
            });
    lab.probes["per-worker-sweep"] = typed_verifier<lab02::sweep_answer>(sweep);
    lab.timing["lock-per-chunk"] = timed_dot();
}

}  // namespace lab02_checks
}  // namespace parlab::grader
