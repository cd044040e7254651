#include "batch.hpp"
#include "batch_internal.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>

#include "build.hpp"
#include "grade.hpp"
#include "machine_turn.hpp"
#include "marks.hpp"
#include "report.hpp"
#include "sandbox.hpp"
#include "submission.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}


// The batch keeps its seed in the reports folder, so a resumed batch grades with the same one.
unsigned long long batch_seed(const batch_options& options) {
    const fs::path state_file = options.reports / ".batch.json";
    unsigned long long seed = 0;
    if (options.seed) {
        seed = *options.seed;
    } else if (const auto state = read_json(state_file); state && state->contains("seed") && state->at("seed").is_number_unsigned()) {
        return state->at("seed").get<unsigned long long>();
    } else {
        seed = draw_seed();
    }
    write_file(state_file, nlohmann::json{{"seed", seed}}.dump(2) + "\n");
    return seed;
}

// The report of a submission that could not be graded, and its Markdown twin.
graded_submission not_graded(const std::string& name, unsigned long long seed, const std::string& why) {
    grade_report report;
    report.submission = name;
    report.seed = seed;
    report.error = why;
    return {report, fmt::format("# ParLab grade: not graded\n\nSubmission `{}`, seed `{}`: {}\n", name, seed, why)};
}

// Grades one submission in the build tree of `slot`: a batch keeps one tree per job and reuses
// it for every submission that job grades, so the kit's own files are compiled once per tree and
// each submission compiles only its own files. Its difference pictures go to a folder of its own.
graded_submission grade_submission(const batch_options& options, const fs::path& folder, unsigned long long seed,
                                   std::size_t slot) {
    const std::string name = folder.filename().string();
    try {
        grade_options grade_with;
        grade_with.root = options.root;
        grade_with.lab_source = submission_labs(folder);
        grade_with.overlay = true;
        grade_with.submission_label = name;
        grade_with.work = options.root / "build" / "grade" / fmt::format("batch-{}", slot);
        grade_with.artifacts = options.root / "build" / "grade" / submission_key(folder) / "artifacts";
        if (options.jobs > 1) grade_with.machine_lock = options.root / "build" / "grade" / "batch-turns";
        grade_with.lab_names = options.lab_names;
        grade_with.only_checks = options.only_checks;
        grade_with.seed = seed;
        grade_with.progress = false;
        grade_with.unsandboxed = options.unsandboxed;
        grade_with.lab_cache = options.reports / ".lab-cache";
        fs::create_directories(grade_with.work);
        const grade_report report = grade(grade_with);
        (void)kill_leftover_children();
        return {report, markdown_report(report)};
    } catch (const std::exception& error) {
        return not_graded(name, seed, error.what());
    }
}

}  // namespace

std::string progress_text(double elapsed_seconds, std::size_t graded, std::size_t left) {
    std::string text = clock_text(elapsed_seconds) + " elapsed";
    if (graded > 0) text += ", about " + clock_text(elapsed_seconds / static_cast<double>(graded) * static_cast<double>(left)) + " left";
    return text;
}

void write_submission_report(const batch_options& options, const std::string& name, const graded_submission& result) {
    write_file(options.reports / (name + ".json"), json_report(result.report).dump(2) + "\n");
    if (options.markdown) write_file(options.reports / (name + ".md"), result.markdown);
}

std::optional<grade_report> stored_report(const batch_options& options, const std::string& name, const std::vector<lab_info>& labs) {
    const fs::path file = options.reports / (name + ".json");
    if (!fs::exists(file)) return std::nullopt;
    try {
        return load_report(file, labs);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

namespace {

// The stored report of `name` with the checks just graded again put in. A grade that could not
// run them (its report says why) leaves the stored results as they were, with the reason noted.
graded_submission with_fresh_checks(const batch_options& options, const std::string& name, const graded_submission& fresh) {
    const std::vector<lab_info> labs = kit_labs(options.root);
    std::optional<grade_report> stored = stored_report(options, name, labs);
    if (!stored) return fresh;  // nothing to put them into: the fresh report is all there is
    if (fresh.report.error.empty()) replace_checks(*stored, fresh.report);
    else stored->notes.push_back("the deferred checks could not be graded again: " + fresh.report.error);
    return {*stored, markdown_report(*stored)};
}

// Grades `folder` in a child process on build tree `slot`; the child writes the report and ends.
pid_t start_job(const batch_options& options, const fs::path& folder, const std::string& hash, unsigned long long seed,
                std::size_t slot) {
    std::fflush(nullptr);
    const pid_t batch = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "batch: cannot start a grading job");
    if (pid > 0) {
        ::setpgid(pid, pid);  // both sides set it, so that it holds whichever runs first
        return pid;
    }
    // A job leads a process group of its own (a Ctrl-C on the terminal reaches the batch alone,
    // which ends the jobs) and dies with the batch.
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != batch) ::_exit(1);
    int code = 0;
    try {
        graded_submission result = grade_submission(options, folder, seed, slot);
        if (!options.only_checks.empty()) result = with_fresh_checks(options, folder.filename().string(), result);
        result.report.submission_hash = hash;
        write_submission_report(options, folder.filename().string(), result);
    } catch (...) {
        code = 1;
    }
    std::fflush(nullptr);
    ::_exit(code);
}

// What ended a grading job that left no report behind.
std::string job_end(int status) {
    if (WIFSIGNALED(status))
        return fmt::format("the grading job was killed by signal {}; the next run grades it again", WTERMSIG(status));
    return fmt::format("the grading job ended with exit code {} and no report; the next run grades it again", WEXITSTATUS(status));
}

// The signal (SIGINT, SIGTERM) that asked the running batch to stop; 0 while none has.
volatile std::sig_atomic_t stop_requested = 0;

extern "C" void note_stop_request(int signal) { stop_requested = signal; }

// While it lives, SIGINT and SIGTERM ask the batch to stop (stop_requested) instead of ending
// the process, so that it can end its jobs first; then the previous handlers come back.
class stop_requests {
public:
    stop_requests() {
        stop_requested = 0;
        struct sigaction noted {};
        noted.sa_handler = note_stop_request;
        sigemptyset(&noted.sa_mask);
        ::sigaction(SIGINT, &noted, &previous_int_);
        ::sigaction(SIGTERM, &noted, &previous_term_);
    }
    stop_requests(const stop_requests&) = delete;
    stop_requests& operator=(const stop_requests&) = delete;
    ~stop_requests() {
        ::sigaction(SIGINT, &previous_int_, nullptr);
        ::sigaction(SIGTERM, &previous_term_, nullptr);
    }

private:
    struct sigaction previous_int_ {};
    struct sigaction previous_term_ {};
};

// Holds every build tree the batch's jobs use (build/grade/batch-N.lock), so that no other batch
// on the same kit grades in them at the same time; it refuses rather than waits.
std::vector<std::unique_ptr<file_lock>> lock_job_trees(const fs::path& root, std::size_t jobs) {
    std::vector<std::unique_ptr<file_lock>> locks;
    const fs::path trees = root / "build" / "grade";
    fs::create_directories(trees);
    for (std::size_t slot = 0; slot < jobs; ++slot) {
        const fs::path lock_file = trees / fmt::format("batch-{}.lock", slot);
        locks.push_back(std::make_unique<file_lock>(lock_file, [&] {
            throw batch_busy(fmt::format("batch: another batch is running on this kit (it holds {}); wait for it to end "
                                         "or stop it, then run this one again",
                                         lock_file.string()));
        }));
    }
    return locks;
}

// Ends the jobs still running and every run they started: SIGKILL to each job's process group,
// then, as the batch is their subreaper, the runs the jobs leave behind. Returns how many jobs.
std::size_t end_jobs(const std::vector<pid_t>& jobs) {
    for (const pid_t job : jobs) ::kill(-job, SIGKILL);
    for (const pid_t job : jobs) {
        int ignored = 0;
        while (::waitpid(job, &ignored, 0) < 0 && errno == EINTR) {
        }
    }
    (void)kill_leftover_children();
    return jobs.size();
}

}  // namespace


namespace {

// One submission folder of the batch, and what this run does with it.
struct batch_item {
    fs::path folder;
    std::string name;
    std::string hash;  ///< its content_hash; cleared when there is nothing to grade
    std::map<std::string, std::vector<std::string>> deferred;  ///< --deferred: lab folder -> timing checks
};

// The folders' items: a submission graded before with the same files and seed needs nothing but
// arithmetic when the rubric's points changed (done here); one that is new, changed, or graded
// under other checks is graded; with --deferred, only the timing checks that wait are.
std::vector<batch_item> plan_batch(const batch_options& options, const std::vector<fs::path>& folders,
                                   const std::vector<lab_info>& labs, unsigned long long seed) {
    std::vector<batch_item> items;
    for (std::size_t i = 0; i < folders.size(); ++i) {
        batch_item& item = items.emplace_back(batch_item{folders[i], folders[i].filename().string(), content_hash(folders[i]), {}});
        const std::string where = fmt::format("[{}/{}] {}", i + 1, folders.size(), item.name);
        const auto stored = options.force ? std::nullopt : stored_report(options, item.name, labs);
        if (options.deferred) {
            // only the timing checks of a graded submission that wait for a quiet machine
            const bool current = stored && graded_from(*stored, item.hash, seed) && rescored(*stored, labs);
            item.deferred = current ? waiting_timing_checks(*stored) : std::map<std::string, std::vector<std::string>>{};
            if (!current) fmt::print(stderr, "{}: not graded as it is now; grade it first (without --deferred)\n", where);
            else if (item.deferred.empty()) fmt::print(stderr, "{}: no deferred timing check\n", where);
            if (item.deferred.empty()) item.hash.clear();
            continue;
        }
        if (!stored || !graded_from(*stored, item.hash, seed)) continue;
        // The same files and seed: what a rubric change of points alone asks is arithmetic on the
        // stored results; anything else the rubric changed is graded again.
        const std::optional<grade_report> current = rescored(*stored, labs);
        if (!current) {
            fmt::print(stderr, "{}: graded again: its report has other labs or checks than the rubric now, or no results "
                               "to rescore\n", where);
            continue;
        }
        if (json_report(*current) == json_report(*stored)) {
            fmt::print(stderr, "{}: unchanged since graded, skipped (--force grades again)\n", where);
        } else {
            write_submission_report(options, item.name, {*current, markdown_report(*current)});
            fmt::print(stderr, "{}: the rubric's points changed, rescored from the stored results without running "
                               "anything: {}/{}\n", where, format_points(current->score()), format_points(current->max_score()));
        }
        item.hash.clear();  // nothing to grade
    }
    return items;
}

// After job `pid` of `item` ended with `status`: a report stamped with the submission's hash, or,
// when the job died before writing one, a report that says so (without the hash, so that the next
// run grades it again). Prints the points.
void job_finished(const batch_options& options, const std::vector<lab_info>& labs, const batch_item& item,
                  unsigned long long seed, int status) {
    std::optional<grade_report> report = stored_report(options, item.name, labs);
    if (!report || !graded_from(*report, item.hash, seed)) {
        const graded_submission lost = not_graded(item.name, seed, job_end(status));
        write_submission_report(options, item.name, lost);
        report = lost.report;
    }
    const std::string errors = grading_errors(*report);
    fmt::print(stderr, "        {}: {}/{}{}\n", item.name, format_points(report->score()), format_points(report->max_score()),
               errors.empty() ? "" : "  not graded: " + errors);
}

// Grades every item that has a hash, up to `jobs` at once, each in a child process with a build
// tree of its own (its slot); a timing check waits until it has the machine alone
// (machine_turn.hpp). A stop request ends every job and throws batch_interrupted.
void grade_items(const batch_options& grading, const std::vector<lab_info>& labs, const std::vector<batch_item>& items,
                 unsigned long long seed, std::size_t jobs) {
    struct running {
        std::size_t index;
        std::size_t slot;
    };
    std::map<pid_t, running> active;
    const auto job_ids = [&active] {
        std::vector<pid_t> ids;
        for (const auto& entry : active) ids.push_back(entry.first);
        return ids;
    };
    std::vector<bool> slot_busy(jobs, false);
    const auto start = std::chrono::steady_clock::now();
    const auto to_grade = static_cast<std::size_t>(
        std::count_if(items.begin(), items.end(), [](const batch_item& item) { return !item.hash.empty(); }));
    std::size_t graded = 0, next = 0;
    while (next < items.size() || !active.empty()) {
        if (stop_requested != 0) {
            const std::size_t stopped = end_jobs(job_ids());
            throw batch_interrupted(
                fmt::format("batch: stopped by signal {} with {} of {} submissions graded in this run; {} jobs and their "
                            "runs were ended and no gradebook was written. The same command again resumes: what is "
                            "graded is kept, the rest is graded.",
                            static_cast<int>(stop_requested), graded, to_grade, stopped),
                static_cast<int>(stop_requested));
        }
        while (active.size() < jobs && next < items.size()) {
            const std::size_t i = next++;
            if (items[i].hash.empty()) continue;
            const auto slot = static_cast<std::size_t>(std::find(slot_busy.begin(), slot_busy.end(), false) - slot_busy.begin());
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            fmt::print(stderr, "[{}/{}] {} ... {}\n", i + 1, items.size(), items[i].name,
                       progress_text(elapsed.count(), graded, to_grade - graded));
            batch_options job = grading;
            if (!items[i].deferred.empty()) job.lab_names.clear();
            for (const auto& [folder, checks] : items[i].deferred) {
                job.lab_names.push_back(folder);
                job.only_checks.insert(job.only_checks.end(), checks.begin(), checks.end());
            }
            active[start_job(job, items[i].folder, items[i].hash, seed, slot)] = {i, slot};
            slot_busy[slot] = true;
        }
        if (active.empty()) continue;
        // Polled, so that a stop request is seen within a moment whichever thread took the signal.
        int status = 0;
        const pid_t done = ::waitpid(-1, &status, WNOHANG);
        if (done < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "batch: waiting for a grading job");
        if (done <= 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        const auto job = active.find(done);
        if (job == active.end()) continue;  // not one of ours
        const running finished = job->second;
        active.erase(job);
        slot_busy[finished.slot] = false;
        // A job that died leaves its runs to the batch (their subreaper): end them.
        (void)kill_leftover_children(job_ids());
        ++graded;
        job_finished(grading, labs, items[finished.index], seed, status);
    }
}

// Every folder's report as stored (one that cannot be read, as a report whose error says why),
// for the gradebook.
std::vector<grade_report> stored_reports(const batch_options& options, const std::vector<lab_info>& labs,
                                         const std::vector<fs::path>& folders, unsigned long long seed) {
    std::vector<grade_report> reports;
    for (const auto& folder : folders) {
        const fs::path report_file = options.reports / (folder.filename().string() + ".json");
        if (!fs::exists(report_file)) continue;
        try {
            reports.push_back(load_report(report_file, labs));
        } catch (const std::invalid_argument& error) {
            reports.push_back(not_graded(folder.filename().string(), seed, error.what()).report);
        }
    }
    return reports;
}

// The LMS import files, one row per roster student; says which folders and students do not match.
void write_lms_files(const batch_options& options, const std::vector<lab_info>& labs, const std::vector<fs::path>& folders,
                     const std::vector<roster_student>& roster, const std::vector<grade_report>& reports) {
    std::map<std::string, grade_report> by_folder;
    for (const auto& report : reports) by_folder[report.submission] = report;
    std::set<std::string> listed;
    for (const auto& student : roster) listed.insert(student.folder);
    for (const auto& folder : folders)
        if (listed.count(folder.filename().string()) == 0)
            fmt::print(stderr, "batch: warning: submission folder '{}' is not in the roster {}: it is in {} but not in "
                               "the LMS files\n", folder.filename().string(), options.roster.string(), options.csv.string());
    for (const auto& student : roster)
        if (by_folder.count(student.folder) == 0)
            fmt::print(stderr, "batch: warning: no submission folder '{}' for {} ({}): the LMS files give 0 and "
                               "\"no submission\"\n", student.folder, student.name, student.id);
    const std::string bom = options.bom ? utf8_bom : "";
    for (const auto& [kind, file] : options.lms_exports) {
        write_file(file, bom + lms_csv(kind, labs, roster, by_folder));
        fmt::print(stderr, "batch: wrote {} for {} ({} students of the roster)\n", file.string(),
                   kind == lms_kind::canvas ? "Canvas" : "Moodle", roster.size());
    }
}

}  // namespace

std::size_t run_batch(const batch_options& options) {
    if (!options.roster.empty() && !fs::is_regular_file(options.roster))
        throw std::invalid_argument(fmt::format("batch: no roster file '{}'", options.roster.string()));
    const std::vector<roster_student> roster =
        options.roster.empty() ? std::vector<roster_student>{} : parse_roster(read_text(options.roster), options.roster.string());
    const std::vector<fs::path> folders = submission_folders(options.submissions);
    const std::vector<lab_info> labs =
        batch_labs(kit_labs(options.root), options.lab_names, folders);
    // Every submission is graded on the same labs: one without a lab's files gets 0 for it.
    batch_options grading = options;
    grading.lab_names.clear();
    for (const auto& lab : labs) grading.lab_names.push_back(lab.folder);
    fs::create_directories(options.reports);
    const hand_marks marks = read_marks(options, labs, folders);
    const unsigned long long seed = batch_seed(options);
    const std::size_t jobs = std::max<std::size_t>(1, options.jobs);
    const auto tree_locks = lock_job_trees(options.root, jobs);
    // --force runs everyone's code again: no lab takes a result stored by an earlier run
    if (options.force) fs::remove_all(options.reports / ".lab-cache");
    const stop_requests stop_on_signal;
    become_subreaper();  // what a job's runs leave behind when the job dies comes to the batch
    fmt::print(stderr, "batch: {} submissions in {}, seed {} (kept for this batch; --seed N changes it), {} at a time\n",
               folders.size(), options.submissions.string(), seed, jobs);
    fmt::print(stderr, "batch: labs {} ({}; a submission without one gets 0 for it)\n", fmt::join(grading.lab_names, ", "),
               options.lab_names.empty() ? "every lab a submission has" : "as named");
    grade_items(grading, labs, plan_batch(options, folders, labs, seed), seed, jobs);

    if (!options.marks.empty()) mark_reports(options, labs, folders, marks);
    // The gradebook is rebuilt from every report, so a resumed batch still lists everyone.
    const std::vector<grade_report> reports = stored_reports(options, labs, folders, seed);
    write_file(options.csv, (options.bom ? utf8_bom : "") + gradebook_csv(labs, reports));
    fmt::print(stderr, "batch: wrote {} ({} submissions) and one report each in {}\n", options.csv.string(), reports.size(),
               options.reports.string());
    if (!options.feedback.empty()) write_feedback(options, reports, roster);
    if (!options.roster.empty()) write_lms_files(options, labs, folders, roster, reports);
    return reports.size();
}

}  // namespace parlab::grader
