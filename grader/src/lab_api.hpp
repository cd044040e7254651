#pragma once
// What a lab's grading folder (grader/labs/NN-name/) gives the grader, and what the grader gives
// it. The folder's verify.cpp defines, in the lab's own namespace, one registration function,
//     void parlab::grader::labNN_checks::register_verifiers(lab_verifiers&)
// which adds the lab's verifiers to those of its folder; CMake finds every folder and generates
// the source that calls them all (register_all_labs) with the folder's entry of the registry. No
// source names its own lab, and nothing else in the grader names a lab.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model.hpp"
#include "parlab/image.hpp"

namespace parlab::grader {

/// Everything a check needs besides its spec and the built programs.
struct grading_context {
    std::filesystem::path root;          ///< the kit
    std::filesystem::path run_dir;       ///< scratch folder the runs may write (owned by the run user)
    std::filesystem::path artifacts_dir; ///< where checks write files for people (diff images)
    unsigned long long seed = 0;
    std::optional<std::pair<uid_t, gid_t>> run_as;  ///< the user graded code runs as (root only)
    /// The grader's reference side of a timing pair runs in a folder and (as root) as a user of
    /// its own, out of the graded code's reach.
    std::filesystem::path reference_dir;
    std::optional<std::pair<uid_t, gid_t>> reference_as;
    double timeout_scale = 1.0;          ///< PARLAB_TIMEOUT_SCALE, for slow machines
    double load_factor = 1.0;            ///< time limits grow with the machine's load (see load_factor())
    std::filesystem::path reference_probe;  ///< the grader's own timing baselines (no student code)
};

/// What a verifier knows when it judges an answer: the grading context, and the wall time of the
/// probe's whole run as the grader measured it (whatever the answer says).
struct verify_context : grading_context {
    double wall_seconds = 0;
};

/// A probe run's input: the probe's arguments after the program name.
struct probe_call {
    std::vector<std::string> args;
};

/// A verifier's judgement of one answer. The grader turns it into the check's result, with
/// `fraction` of the check's points.
struct probe_verdict {
    bool passed = false;
    double fraction = 0;        ///< share of the check's points earned, 0 to 1
    std::string message;        ///< one line
    std::string artifact;       ///< a file written for people (a diff image), may be empty
};

/// A passed verdict (all the points).
[[nodiscard]] probe_verdict passed(std::string message);
/// A failed verdict, with `fraction` of the points (partial credit) or none.
[[nodiscard]] probe_verdict failed(std::string message, double fraction = 0);

/// A rubric key a verifier takes, with its C++ type and default:
///     inline const probe_param<int> runs{"runs", 5};
/// declared with the verifier (params = {runs.declare()}) and read as runs.of(spec).
template <class T>
struct probe_param {
    const char* key;
    T fallback;
    [[nodiscard]] param_decl declare() const {
        param_type type = param_type::text;
        if constexpr (std::is_same_v<T, bool>) type = param_type::boolean;
        else if constexpr (std::is_integral_v<T>) type = param_type::integer;
        else if constexpr (std::is_floating_point_v<T>) type = param_type::number;
        return {key, type, fallback};
    }
    /// The value of a check whose probe declared this key (the loader filled it in).
    [[nodiscard]] T of(const check_spec& spec) const {
        const probe_run* run = spec.run();
        if (run == nullptr) throw std::logic_error(fmt::format("check {} is not a probe or race check: it has no \"{}\"", spec.name, key));
        return run->params.at(key).template get<T>();
    }
};

/// Verifies what a lab's probe answered for a "probe" (or "race") check, against the grader's own
/// reference.
struct probe_verifier {
    /// The rubric keys this probe's checks take besides the common ones.
    std::vector<param_decl> params;
    /// The probe's arguments after its check name, besides --seed (the probe makes its inputs
    /// from the seed). Empty: none.
    std::function<probe_call(const check_spec&, const grading_context&)> make_call;
    /// Judges the probe's JSON answer; may throw for a malformed one.
    std::function<probe_verdict(const check_spec&, const nlohmann::json& answer, const verify_context&)> verify;
};

/// A verifier of a typed answer: the JSON is read into `Answer` (the lab's answers.hpp, which
/// the probe writes with the same struct) before `verify` sees it.
template <class Answer>
[[nodiscard]] probe_verifier typed_verifier(
    std::function<probe_verdict(const check_spec&, const Answer&, const verify_context&)> verify,
    std::vector<param_decl> params = {}) {
    probe_verifier v;
    v.params = std::move(params);
    v.verify = [verify = std::move(verify)](const check_spec& spec, const nlohmann::json& answer, const verify_context& context) {
        return verify(spec, answer.get<Answer>(), context);
    };
    return v;
}

/// Checks what a timed run of the student's code answered (its digest) for the input made from
/// (seed, nonce): the expected digest, and whether an answer matches it.
struct timing_verifier {
    std::function<std::string(const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce)>
        expected;
    std::function<bool(const std::string& expected, const std::string& got)> matches =
        [](const std::string& e, const std::string& g) { return e == g; };
};

/// One lab's verifiers, by probe check name.
struct lab_verifiers {
    std::map<std::string, probe_verifier> probes;   ///< for probe and race checks
    std::map<std::string, timing_verifier> timing;  ///< for the student's side of timing checks
};

/// Every lab's verifiers, by the lab's folder ("01-race-condition") and probe check name.
class lab_registry {
public:
    /// The verifiers of one lab, to add to.
    [[nodiscard]] lab_verifiers& lab(const std::string& folder) { return labs_[folder]; }
    [[nodiscard]] const probe_verifier* probe(const std::string& folder, const std::string& probe) const;
    [[nodiscard]] const timing_verifier* timing(const std::string& folder, const std::string& probe) const;
    /// Every lab's verifiers, by folder (the kit check holds each to a check of its rubric).
    [[nodiscard]] const std::map<std::string, lab_verifiers>& labs() const { return labs_; }

private:
    std::map<std::string, lab_verifiers> labs_;
};

/// Calls every lab folder's registration function; defined in the source CMake generates.
void register_all_labs(lab_registry& registry);

/// The registry of every lab, made once.
[[nodiscard]] const lab_registry& all_labs();

// Helpers for verifiers.

/// 1234567 as "1,234,567".
[[nodiscard]] std::string with_commas(std::uint64_t n);

/// Compares the raw image files a probe wrote (in the run folder) with the expected images; the
/// first mismatch decides, names the first wrong pixel and leaves a picture in the artifacts
/// folder: expected | got | where they differ (red). `blank_hint` is added when the output is
/// all zeros.
[[nodiscard]] probe_verdict compare_images(const std::vector<std::string>& files, const std::vector<image>& expected,
                                           const grading_context& context, const std::string& name,
                                           const std::string& blank_hint);

}  // namespace parlab::grader
