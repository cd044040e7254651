#include "model.hpp"

#include "io.hpp"
#include "student.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <numeric>
#include <stdexcept>

namespace parlab::grader {

const char* to_string(check_status status) noexcept {
    switch (status) {
        case check_status::passed: return "passed";
        case check_status::failed: return "failed";
        case check_status::timeout: return "timeout";
        case check_status::crashed: return "crashed";
        case check_status::error: return "error";
        case check_status::inconclusive: return "inconclusive";
        case check_status::skipped: return "skipped";
    }
    return "error";
}

std::optional<check_status> status_named(const std::string& name) {
    for (const check_status status : {check_status::passed, check_status::failed, check_status::timeout, check_status::crashed,
                                      check_status::error, check_status::inconclusive, check_status::skipped})
        if (name == to_string(status)) return status;
    return std::nullopt;
}

void apply_points(check_result& result, const check_spec& spec) {
    const bool excluded = result.status == check_status::skipped && spec.when_not_run == not_run_policy::exclude;
    result.max_score = excluded ? 0 : spec.points;
    result.score = result.max_score * result.fraction;
}

std::string lab_info::tag() const { return fmt::format("[lab{:02}]", number); }
std::string lab_info::target_prefix() const { return fmt::format("parlab_lab{:02}", number); }

double lab_result::score() const {
    return std::accumulate(checks.begin(), checks.end(), 0.0, [](double s, const check_result& c) { return s + c.score; });
}
double lab_result::max_score() const {
    return std::accumulate(checks.begin(), checks.end(), 0.0,
                           [](double s, const check_result& c) { return s + c.max_score; });
}
double grade_report::score() const {
    return std::accumulate(labs.begin(), labs.end(), 0.0, [](double s, const lab_result& l) { return s + l.score(); });
}
double grade_report::max_score() const {
    return std::accumulate(labs.begin(), labs.end(), 0.0, [](double s, const lab_result& l) { return s + l.max_score(); });
}
const lab_result* grade_report::lab(const std::string& folder) const {
    const auto found = std::find_if(labs.begin(), labs.end(), [&](const lab_result& l) { return l.lab.folder == folder; });
    return found != labs.end() ? &*found : nullptr;
}
bool grade_report::all_passed() const {
    return std::all_of(labs.begin(), labs.end(), [](const lab_result& l) {
        return std::all_of(l.checks.begin(), l.checks.end(), [](const check_result& c) {
            return c.status == check_status::passed || c.status == check_status::skipped;
        });
    });
}

namespace {

// A kit file's JSON (lab.json, a rubric); throws std::runtime_error naming the file.
nlohmann::json json_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(fmt::format("{} is not valid JSON: {}", path.string(), error.what()));
    }
}

}  // namespace

namespace {

// The kinds of rubric values: a verifier's params (param_type), and the objects and lists of
// the rubric's own keys.
enum class value_kind { integer, number, text, boolean, object, list, text_list };

value_kind kind_of(param_type type) {
    switch (type) {
        case param_type::integer: return value_kind::integer;
        case param_type::number: return value_kind::number;
        case param_type::text: return value_kind::text;
        case param_type::boolean: return value_kind::boolean;
    }
    return value_kind::text;
}

// One rubric key: its kind, and whether the entry must have it.
struct key_rule {
    std::string key;
    value_kind kind;
    bool required = false;
};

const char* kind_name(value_kind kind) {
    switch (kind) {
        case value_kind::integer: return "a whole number";
        case value_kind::number: return "a number";
        case value_kind::text: return "a string";
        case value_kind::boolean: return "true or false";
        case value_kind::object: return "an object";
        case value_kind::list: return "a list";
        case value_kind::text_list: return "a list of strings";
    }
    return "?";
}

bool has_kind(const nlohmann::json& value, value_kind kind) {
    switch (kind) {
        case value_kind::integer: return value.is_number_integer();
        case value_kind::number: return value.is_number();
        case value_kind::text: return value.is_string();
        case value_kind::boolean: return value.is_boolean();
        case value_kind::object: return value.is_object();
        case value_kind::list: return value.is_array();
        case value_kind::text_list:
            return value.is_array() && std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); });
    }
    return false;
}

// Reads a rubric object against its rules: every key known, of its type, the required ones there.
class entry_reader {
public:
    entry_reader(const nlohmann::json& entry, std::string where) : entry_(entry), where_(std::move(where)) {
        if (!entry_.is_object()) throw error("is not a JSON object");
    }
    [[nodiscard]] std::runtime_error error(const std::string& what) const { return std::runtime_error(where_ + ": " + what); }
    void allow(const std::vector<key_rule>& rules) {
        for (const auto& rule : rules) {
            const auto found = entry_.find(rule.key);
            if (found == entry_.end()) {
                if (rule.required) throw error(fmt::format("\"{}\" is missing", rule.key));
            } else if (!has_kind(*found, rule.kind)) {
                throw error(fmt::format("\"{}\" must be {}, not {}", rule.key, kind_name(rule.kind), found->dump()));
            }
            known_.push_back(rule.key);
        }
    }
    /// Throws for the first key no rule allowed, with `why` when there is a reason beyond a typo.
    void no_other_keys(const std::string& why = {}) const {
        for (const auto& item : entry_.items())
            if (std::find(known_.begin(), known_.end(), item.key()) == known_.end())
                throw error(fmt::format("unknown key \"{}\"{}", item.key(), why.empty() ? "" : " (" + why + ")"));
    }
    /// allow() for one key, then its value into `into` when the entry has it.
    template <class T>
    void take(const std::string& key, value_kind kind, T& into, bool required = false) {
        allow({{key, kind, required}});
        if (const auto found = entry_.find(key); found != entry_.end()) into = found->template get<T>();
    }
    template <class T>
    void take(const std::string& key, value_kind kind, std::optional<T>& into) {
        allow({{key, kind, false}});
        if (const auto found = entry_.find(key); found != entry_.end()) into = found->template get<T>();
    }
    [[nodiscard]] const nlohmann::json& json() const { return entry_; }

private:
    const nlohmann::json& entry_;
    std::string where_;
    std::vector<std::string> known_;
};

timing_side parse_side(const nlohmann::json& json, const std::string& where, const char* fallback_label) {
    entry_reader side(json, where);
    timing_side out;
    out.label = fallback_label;
    side.take("label", value_kind::text, out.label);
    side.take("probe", value_kind::text, out.probe, true);
    side.take("args", value_kind::text_list, out.args);
    std::string program = "student";
    side.take("program", value_kind::text, program);
    if (program != "student" && program != "reference")
        throw side.error(fmt::format("\"program\" is \"{}\"; it is student or reference", program));
    out.reference = program == "reference";
    side.no_other_keys();
    return out;
}

}  // namespace

namespace {

// The keys of a probe or race check: its probe and the keys the probe's verifier declares.
void parse_probe_run(entry_reader& c, const nlohmann::json& entry, const std::string& folder, probe_run& run, bool named) {
    c.take("probe", value_kind::text, run.probe, named);
    // The keys the probe's verifier takes: the rubric's value, or the declared default.
    if (const auto* params = declared_params(folder, run.probe)) {
        for (const auto& p : *params) {
            c.allow({{p.key, kind_of(p.type)}});
            run.params[p.key] = entry.contains(p.key) ? entry.at(p.key) : p.fallback;
        }
    }
}

timing_kind parse_timing(entry_reader& c, const nlohmann::json& entry, const std::string& where) {
    timing_kind timing;
    c.take("needs_cores", value_kind::integer, timing.needs_cores);
    c.take("min_speedup", value_kind::number, timing.min_speedup, true);
    c.take("pairs", value_kind::integer, timing.pairs);
    c.take("max_pairs", value_kind::integer, timing.max_pairs);
    c.take("min_pairs_to_fail", value_kind::integer, timing.min_pairs_to_fail);
    c.take("needs_passed", value_kind::text_list, timing.needs_passed);
    c.allow({{"a", value_kind::object, true}, {"b", value_kind::object, true}});
    timing.a = parse_side(entry.at("a"), where + ": \"a\"", "baseline");
    timing.b = parse_side(entry.at("b"), where + ": \"b\"", "yours");
    return timing;
}

}  // namespace

const char* type_name(const check_kind& kind) noexcept {
    static constexpr const char* names[] = {"probe", "race", "timing", "manual"};
    static_assert(std::size(names) == std::variant_size_v<check_kind>);
    return names[kind.index()];
}

check_spec parse_check(const nlohmann::json& entry, const std::string& folder, const std::string& where) {
    const std::string name = entry.is_object() && entry.contains("name") && entry.at("name").is_string()
                                 ? entry.at("name").get<std::string>()
                                 : std::string("?");
    const std::string check_where = fmt::format("{}: check \"{}\"", where, name);
    entry_reader c(entry, check_where);
    check_spec spec;
    std::string type;
    c.take("name", value_kind::text, spec.name, true);
    c.take("task", value_kind::integer, spec.task);
    c.take("points", value_kind::number, spec.points, true);
    c.take("type", value_kind::text, type, true);
    if (!(spec.points >= 0)) throw c.error(fmt::format("\"points\" is {}; a check's points are 0 or more", spec.points));
    c.take("description", value_kind::text, spec.description);
    c.take("timeout", value_kind::integer, spec.timeout);
    c.take("memory_gib", value_kind::number, spec.memory_gib);
    std::string policy = "defer";
    c.take("when_not_run", value_kind::text, policy);
    if (policy == "award") spec.when_not_run = not_run_policy::award;
    else if (policy == "exclude") spec.when_not_run = not_run_policy::exclude;
    else if (policy != "defer") throw c.error(fmt::format("\"when_not_run\" is \"{}\"; it is defer, award or exclude", policy));

    if (type == "probe") {
        probe_kind probe;
        probe.probe = spec.name;
        parse_probe_run(c, entry, folder, probe, false);
        spec.kind = std::move(probe);
    } else if (type == "race") {
        race_kind race;
        parse_probe_run(c, entry, folder, race, true);
        spec.kind = std::move(race);
    } else if (type == "timing") {
        spec.kind = parse_timing(c, entry, check_where);
    } else if (type == "manual") {
        // marked by the instructor (batch --marks): nothing runs, so nothing is "not run here"
        if (entry.contains("when_not_run") || entry.contains("timeout") || entry.contains("memory_gib"))
            throw c.error("a manual check is marked by hand: it takes no when_not_run, timeout or memory_gib");
        spec.kind = manual_kind{};
    } else {
        throw c.error(fmt::format("type \"{}\"; the types are probe, race, timing and manual", type));
    }
    // A probe no verifier declares keys for has no keys of its own: most likely the check (or its
    // "probe") was renamed on one side only.
    const probe_run* run = spec.run();
    const bool unverified = run != nullptr && declared_params(folder, run->probe) == nullptr;
    c.no_other_keys(unverified ? fmt::format("no verifier is named \"{}\" in grader/labs/{}/verify.cpp", run->probe, folder)
                               : std::string());
    spec.settings = entry;
    spec.settings.erase("points");
    return spec;
}

std::vector<lab_info> load_labs(const std::filesystem::path& labs_dir, const std::filesystem::path& grading_dir) {
    std::vector<lab_info> labs;
    if (!std::filesystem::is_directory(labs_dir)) throw std::runtime_error(fmt::format("no lab folder {}", labs_dir.string()));
    for (const auto& entry : std::filesystem::directory_iterator(labs_dir)) {
        const auto meta = entry.path() / "lab.json";
        if (!entry.is_directory() || !std::filesystem::exists(meta)) continue;
        const auto json = json_file(meta);
        lab_info lab;
        try {
            lab.folder = entry.path().filename().string();
            lab.number = json.at("number").get<int>();
            lab.name = json.at("name").get<std::string>();
            lab.title = json.value("title", lab.name);
            lab.sources = json.at("sources").get<std::vector<std::string>>();
            for (const auto& t : json.at("tasks")) {
                // Written once: a task is worth what its checks in the rubric add up to.
                if (t.contains("points"))
                    throw std::runtime_error(fmt::format(
                        "{}: task {}: \"points\" is the rubric's to give (a task is worth what its checks in "
                        "grader/labs/{}/rubric.json add up to): remove it",
                        meta.lexically_relative(labs_dir.parent_path()).string(), t.value("id", 0), lab.folder));
                lab.tasks.push_back({t.at("id").get<int>(), t.value("title", "")});
            }
            lab.given_checks = json.value("given_checks", std::vector<std::string>{});
            lab.threads = json.value("threads", true);
        } catch (const nlohmann::json::exception& error) {
            throw std::runtime_error(fmt::format("{}: {}", meta.string(), error.what()));
        }
        // Every check of a lab is in its rubric: the grader gives points only for what it verifies
        // itself (a probe against its reference), never for the lab's own tests passing.
        const auto rubric_path = grading_dir / lab.folder / "rubric.json";
        if (!std::filesystem::exists(rubric_path))
            throw std::runtime_error(fmt::format("lab {} has no rubric: add {}", lab.folder, rubric_path.string()));
        // Errors name the rubric as the kit's contributors know it: grader/labs/NN-name/rubric.json.
        const std::string where = rubric_path.lexically_relative(grading_dir.parent_path().parent_path()).string();
        const auto rubric = json_file(rubric_path);
        entry_reader top(rubric, where);
        top.allow({{"about", value_kind::text}, {"checks", value_kind::list, true}});
        for (const auto& c : rubric.at("checks")) lab.checks.push_back(parse_check(c, lab.folder, where));
        top.no_other_keys();
        // A timing check waits for probe checks that run before it: they are its rubric's earlier entries.
        for (auto spec = lab.checks.begin(); spec != lab.checks.end(); ++spec)
            if (const auto* timing = spec->as<timing_kind>())
                for (const auto& needed : timing->needs_passed)
                    if (std::none_of(lab.checks.begin(), spec,
                                     [&](const check_spec& c) { return c.name == needed && c.as<probe_kind>() != nullptr; }))
                        throw std::runtime_error(fmt::format("{}: check \"{}\": \"needs_passed\" names \"{}\", which is "
                                                             "not a probe check listed before it",
                                                             where, spec->name, needed));
        // A check counts in one of the lab's tasks, as lab.json lists them.
        for (const auto& spec : lab.checks)
            if (std::none_of(lab.tasks.begin(), lab.tasks.end(), [&](const auto& t) { return t.id == spec.task; })) {
                std::string ids;
                for (const auto& t : lab.tasks) ids += (ids.empty() ? "" : ", ") + std::to_string(t.id);
                throw std::runtime_error(fmt::format("{}: check \"{}\": task {}; {} has tasks {}", where, spec.name, spec.task,
                                                     meta.lexically_relative(labs_dir.parent_path()).string(), ids));
            }
        for (const auto& given : lab.given_checks)
            if (std::none_of(lab.checks.begin(), lab.checks.end(), [&](const auto& c) { return c.name == given; }))
                throw std::runtime_error(fmt::format("{}: given_checks names \"{}\", which {} has no check of",
                                                     meta.lexically_relative(labs_dir.parent_path()).string(), given, where));
        if (!lab.threads)
            for (const auto& spec : lab.checks)
                if (spec.as<race_kind>() != nullptr)
                    throw std::runtime_error(fmt::format(
                        "{}: check \"{}\" is a race check, but {} says \"threads\": false (ThreadSanitizer follows "
                        "the threads of one process, so it has nothing to check in a lab of processes alone)",
                        where, spec.name, meta.lexically_relative(labs_dir.parent_path()).string()));
        if (const auto hints = entry.path() / "hints.md"; std::filesystem::is_regular_file(hints))
            lab.hang_hints = hang_hints(parse_hints(read_text(hints)));
        labs.push_back(std::move(lab));
    }
    std::sort(labs.begin(), labs.end(), [](const lab_info& a, const lab_info& b) { return a.number < b.number; });
    return labs;
}

check_result start_result(const lab_info& lab, const check_spec& spec) {
    check_result r;
    r.name = spec.name;
    r.task = spec.task;
    r.type = spec.type();
    r.max_score = spec.points;
    r.rubric = spec.settings;
    r.hint = spec.task > 0 ? fmt::format("./parlab hint {} {}", lab.name, spec.task) : "";
    return r;
}

std::vector<lab_info> kit_labs(const std::filesystem::path& root) { return load_labs(root / "labs", root / "grader" / "labs"); }

const lab_info* find_lab(const std::vector<lab_info>& labs, const std::string& name) {
    for (const auto& lab : labs) {
        if (lab.folder == name || lab.name == name || std::to_string(lab.number) == name ||
            fmt::format("{:02}", lab.number) == name || "lab" + fmt::format("{:02}", lab.number) == name)
            return &lab;
    }
    return nullptr;
}

}  // namespace parlab::grader
