// A probe check: the student's code run once by the lab's probe on inputs made from the seed,
// its answer judged by the lab's verifier against the grader's own reference.
#include <fmt/format.h>

#include <algorithm>

#include "support.hpp"

namespace parlab::grader::checking {

check_result run_probe_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                             const probe_kind& kind, const lab_programs& programs, lab_state& state) {
    check_result r = start_result(lab, spec);
    const std::string& probe = kind.probe;
    const probe_verifier* verifier = verifier_for(lab, kind, programs.release, r);
    if (verifier == nullptr) return r;
    const int full = timeout_seconds(spec, 30, context);
    const int cut = std::max(1, static_cast<int>(blocked_cut_seconds * context.timeout_scale * context.load_factor));
    const int timeout = state.sat_blocked ? std::min(full, cut) : full;
    const probe_call call = verifier->make_call ? verifier->make_call(spec, context) : probe_call{};
    const probe_outcome out = run_probe(context, stage_program(programs.release.probe, graded_place(context), "release"), probe,
                                        call.args,
                                        timeout, {}, memory_limit(spec));
    if (abnormal_probe_end(r, out, timeout, spec, state)) {
        if (out.run.timed_out && out.started && timeout < full)
            r.message += fmt::format(" (its limit was cut from {} s to {} s: an earlier check of this lab already sat "
                                     "blocked for its whole limit)",
                                     full, timeout);
        if (out.run.sat_blocked(timeout)) state.sat_blocked = true;
        return r;
    }
    if (!out.answer) {
        fail(r, check_status::error,
             fmt::format("the code ended without an answer ({}): does it call exit()?", out.run.status.describe()),
             out.run.output);
        return r;
    }
    if (out.answer->contains("error")) {
        const std::string error = out.answer->at("error").is_string() ? out.answer->at("error").get<std::string>() : "?";
        fail(r, check_status::failed, out_of_memory(error) ? memory_message(spec) : error, out.run.output);
        return r;
    }
    try {
        return verify_answer(*verifier, spec, out, context, r);
    } catch (const std::exception&) {
        fail(r, check_status::error, "the probe's answer was malformed: does your code write on the grader's channel?",
             out.run.output);
        return r;
    }
}

}  // namespace parlab::grader::checking
