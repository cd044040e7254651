#include "sandbox.hpp"
#include "machine_turn.hpp"
#include "process_table.hpp"
#include "scratch_dir.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <optional>
#include <thread>
#include <fstream>

#include "parlab/testing.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;

namespace {
// A copy of the stand-in in the temporary folder, which the unprivileged user can run wherever
// the kit was cloned (a clone in a folder only its owner may enter, say).
// (Its name must not contain "misbehave-": the stand-in reads its behaviour from its name.)
struct stand_in_copy {
    fs::path path = fs::temp_directory_path() / ("parlab-stand-in-" + std::to_string(::getpid()));
    stand_in_copy() {
        fs::copy_file(PARLAB_MISBEHAVE, path, fs::copy_options::overwrite_existing);
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    }
    ~stand_in_copy() {
        std::error_code ignored;
        fs::remove(path, ignored);
    }
};

std::string runnable_stand_in() {
    static const stand_in_copy copy;
    return copy.path.string();
}

run_request misbehave(const std::string& what, std::vector<std::string> more = {}) {
    run_request request;
    request.argv = {runnable_stand_in(), what};
    request.argv.insert(request.argv.end(), more.begin(), more.end());
    request.env = clean_environment(fs::temp_directory_path());
    request.workdir = fs::temp_directory_path();
    request.timeout = std::chrono::seconds(2);
    return request;
}

// A user with no account and no process, for a run whose process limit must be exact: the
// sandbox lets a run's user have the processes it had at the start plus the run's own
// (RLIMIT_NPROC counts them all), and the suite's other tests run graded code as the usual
// unprivileged user meanwhile: each of theirs that ended during the run would free one more.
std::optional<uid_t> user_of_nothing() {
    for (uid_t uid = 64000; uid < 65000; ++uid) {
        if (::getpwuid(uid) != nullptr) continue;
        bool running = false;
        for (const auto& entry : fs::directory_iterator("/proc")) {
            struct stat info {};
            if (std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])) &&
                ::stat(entry.path().c_str(), &info) == 0 && info.st_uid == uid) {
                running = true;
                break;
            }
        }
        if (!running) return uid;
    }
    return std::nullopt;
}

// A run of the stand-in doing `what` that the sandbox stops as soon as it sees a deadlock, or
// at `limit`.
run_result run_stopping_deadlocks(const std::string& what, std::chrono::seconds limit) {
    auto request = misbehave(what);
    request.timeout = limit;
    request.stop_when_deadlocked = true;
    return run_sandboxed(request);
}
}  // namespace

TEST_CASE("a deadlock is stopped at the wall-clock limit", "[grader][sandbox]") {
    const auto result = run_sandboxed(misbehave("deadlock"));
    CHECK(result.timed_out);
    CHECK_FALSE(result.ok());
    CHECK(result.seconds < 4.0);
}

TEST_CASE("a hang says what its processes wait for in the kernel", "[grader][sandbox]") {
    const auto pipes = run_sandboxed(misbehave("pipe-deadlock"));
    CHECK(pipes.timed_out);
    CHECK_THAT(pipes.blocked, contains("1 process waiting for a child process to end (waitpid)"));
    CHECK_THAT(pipes.blocked, contains("1 process writing into a full pipe that nobody reads"));
    const auto semaphore = run_sandboxed(misbehave("semaphore-wait"));
    CHECK(semaphore.timed_out);
    CHECK(semaphore.blocked == "1 process waiting on a semaphore, mutex or condition variable (a futex)");
    CHECK(waiting_for("pipe_read") == "reading an empty pipe whose write end is still open somewhere");
    CHECK(waiting_for("futex_do_wait") == "waiting on a semaphore, mutex or condition variable (a futex)");
    CHECK(waiting_for("0").empty());  // running, or a channel the kernel hides
}

TEST_CASE("a deadlock between pipes and waitpid is stopped long before its limit", "[grader][sandbox]") {
    const auto stuck = run_stopping_deadlocks("pipe-deadlock", std::chrono::seconds(60));
    CHECK(stuck.timed_out);
    CHECK(stuck.deadlocked);
    CHECK(stuck.sat_blocked(60));
    CHECK(stuck.seconds < 30.0);  // about 4 s; the margin is for a loaded machine
    CHECK_THAT(stuck.blocked, contains("1 process writing into a full pipe that nobody reads"));
    // A futex wait may end by its own time limit, which /proc does not show: such a run gets its
    // whole limit.
    const auto waited = run_stopping_deadlocks("semaphore-wait", std::chrono::seconds(5));
    CHECK(waited.timed_out);
    CHECK_FALSE(waited.deadlocked);
    CHECK(waited.seconds >= 4.9);
}

TEST_CASE("a crash is reported with the signal", "[grader][sandbox]") {
    const auto result = run_sandboxed(misbehave("crash"));
    CHECK(result.status.signaled);
    CHECK(result.status.signal == SIGSEGV);
    CHECK_THAT(result.status.describe(), contains("SIGSEGV"));
}

TEST_CASE("an output flood is cut off and stopped", "[grader][sandbox]") {
    auto request = misbehave("flood");
    request.output_kill = 4 * 1024 * 1024;
    request.timeout = std::chrono::seconds(20);
    const auto result = run_sandboxed(request);
    CHECK(result.output_flooded);
    CHECK(result.output.size() <= request.output_cap);
    CHECK(result.seconds < 10.0);
}

TEST_CASE("a process that escapes with setsid() does not outlive the run", "[grader][sandbox]") {
    become_subreaper();
    const fs::path pid_file = fs::temp_directory_path() / ("parlab-escape-" + std::to_string(::getpid()));
    const auto result = run_sandboxed(misbehave("escape", {pid_file.string()}));
    REQUIRE(fs::exists(pid_file));
    std::ifstream in(pid_file);
    pid_t escaped = 0;
    in >> escaped;
    fs::remove(pid_file);
    REQUIRE(escaped > 0);
    CHECK(result.leftovers_killed >= 1);
    CHECK(::kill(escaped, 0) == -1);
}

TEST_CASE("a run's processes include one that left its group with setsid(), and its processor time",
          "[grader][sandbox]") {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t root = ::fork();
    REQUIRE(root >= 0);
    if (root == 0) {
        ::setpgid(0, 0);
        if (::fork() == 0) {
            ::setsid();
            (void)!::write(ready[1], "x", 1);
            for (volatile unsigned long spin = 0;;) spin = spin + 1;
        }
        for (;;) ::pause();
    }
    ::setpgid(root, root);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    const auto found = run_processes(root, std::nullopt);
    REQUIRE(found.size() == 2);
    const pid_t escaped = found[0] == root ? found[1] : found[0];
    CHECK(::getpgid(escaped) != root);
    // It keeps a processor busy: the run's time has it, the group's has not. How soon it has used
    // 0.2 s depends on what else the machine runs (the kit's tests load both processors), so the
    // test waits for that, up to a minute, rather than a fixed moment.
    double run_seconds = 0;
    for (int tries = 0; tries < 600 && run_seconds < 0.2; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        run_seconds = run_cpu_seconds(root, std::nullopt);
    }
    REQUIRE(run_seconds >= 0.2);
    CHECK(group_cpu_seconds(root) < run_seconds - 0.1);
    // stopped with the run, it takes nothing more
    for (const pid_t pid : found) ::kill(pid, SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double stopped = run_cpu_seconds(root, std::nullopt);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(run_cpu_seconds(root, std::nullopt) - stopped < 0.05);
    for (const pid_t pid : found) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(root, &status, 0);
    ::waitpid(escaped, &status, 0);  // ours when an earlier test made this process a subreaper
}

TEST_CASE("a control channel carries the answer", "[grader][sandbox]") {
    auto request = misbehave("answer", {R"({"value": 42})"});
    request.control_channel = true;
    const auto result = run_sandboxed(request);
    CHECK(result.ok());
    CHECK(result.control == "{\"value\": 42}\n");
}

TEST_CASE("the environment is clean", "[grader][sandbox]") {
    const auto env = clean_environment("/tmp/x", {"EXTRA=1"});
    CHECK(std::find(env.begin(), env.end(), "HOME=/tmp/x") != env.end());
    CHECK(std::find(env.begin(), env.end(), "EXTRA=1") != env.end());
    for (const auto& e : env) CHECK(e.rfind("PARLAB_", 0) != 0);
}

TEST_CASE("the process limit stops a fork bomb, and nothing it made survives", "[grader][sandbox]") {
    become_subreaper();
    auto request = misbehave("forkbomb");
    request.extra_processes = 50;
    if (const auto user = unprivileged_user()) {  // root is exempt from the process limit
        request.run_as_uid = user_of_nothing().value_or(user->first);
        request.run_as_gid = user->second;
    }
    request.timeout = std::chrono::seconds(20);
    const auto result = run_sandboxed(request);
    REQUIRE(result.ok());
    const auto at = result.output.find("forked ");
    REQUIRE(at != std::string::npos);
    const int made = std::stoi(result.output.substr(at + 7));
    CHECK(made <= 50);
    CHECK(kill_leftover_children() == 0);  // the run's process group was killed with it
}

TEST_CASE("as root, student code runs as an unprivileged user", "[grader][sandbox]") {
    const auto user = unprivileged_user();
    if (::geteuid() != 0) {
        CHECK_FALSE(user);
        return;
    }
    REQUIRE(user);
    // A folder only root may write, like the grader's own files.
    const fs::path dir = fs::temp_directory_path() / ("parlab-root-only-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                             fs::perms::others_exec);
    auto request = misbehave("write", {(dir / "planted").string()});
    request.run_as_uid = user->first;
    request.run_as_gid = user->second;
    const auto denied = run_sandboxed(request);
    CHECK(denied.status.code == 3);
    CHECK_FALSE(fs::exists(dir / "planted"));
    request.run_as_uid.reset();
    request.run_as_gid.reset();
    const auto allowed = run_sandboxed(request);  // the same program as root can: the test can fail
    CHECK(allowed.status.code == 0);
    CHECK(fs::exists(dir / "planted"));
    fs::remove_all(dir);
}

namespace {

// Whether this process could take `file`'s flock in mode `how` right now (it lets go at once).
bool could_lock(const fs::path& file, int how) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const bool got = ::flock(fd, how | LOCK_NB) == 0;
    ::close(fd);
    return got;
}

// Runs `hold` (which takes a turn) in a child that keeps it until told to end; `look` runs in
// the parent meanwhile.
template <class Hold, class Look>
void while_held(Hold hold, Look look) {
    int ready[2], done[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(done) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        {
            const auto turn = hold();
            char c = 1;
            (void)!::write(ready[1], &c, 1);
            (void)!::read(done[0], &c, 1);
        }
        ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    look();
    REQUIRE(::write(done[1], &c, 1) == 1);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    for (const int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

}  // namespace

TEST_CASE("machine_turn: steps share the machine, a timing check has it alone", "[grader][batch]") {
    const fs::path dir = fs::temp_directory_path() / ("parlab-turn-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    SECTION("a shared turn lets other steps in and keeps one that wants the machine alone out") {
        while_held([&] { return machine_turn(dir, false); }, [&] {
            CHECK(could_lock(dir / "room.lock", LOCK_SH));
            CHECK_FALSE(could_lock(dir / "room.lock", LOCK_EX));
            CHECK(could_lock(dir / "gate.lock", LOCK_EX));  // the gate is open again
        });
    }
    SECTION("a turn alone keeps every other step out, and the gate shut for those that come after") {
        while_held([&] { return machine_turn(dir, true); }, [&] {
            CHECK_FALSE(could_lock(dir / "room.lock", LOCK_SH));
            CHECK_FALSE(could_lock(dir / "gate.lock", LOCK_EX));
        });
    }
    SECTION("a turn ends with its scope") {
        { const machine_turn alone(dir, true); }
        CHECK(could_lock(dir / "room.lock", LOCK_EX));
        CHECK(could_lock(dir / "gate.lock", LOCK_EX));
    }
    fs::remove_all(dir);
}

TEST_CASE("a ThreadSanitizer run gets a fixed address-space layout, other runs keep randomisation", "[grader][sandbox]") {
    // /proc/self/personality is the run's personality in hex; ADDR_NO_RANDOMIZE is 0x0040000.
    run_request request;
    request.argv = {"/bin/cat", "/proc/self/personality"};
    request.env = clean_environment(fs::temp_directory_path());
    request.workdir = fs::temp_directory_path();
    const auto randomised = run_sandboxed(request);
    REQUIRE(randomised.ok());
    CHECK((std::stoul(randomised.output, nullptr, 16) & 0x0040000) == 0);
    request.fixed_layout = true;
    const auto fixed = run_sandboxed(request);
    REQUIRE(fixed.ok());
    CHECK((std::stoul(fixed.output, nullptr, 16) & 0x0040000) != 0);
}

namespace {

// A loopback TCP listener on a free port, for the isolation test: accepts without blocking.
struct loopback_listener {
    int fd = -1;
    int port = 0;
    loopback_listener() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd, 4) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw std::runtime_error("cannot listen on loopback");
        port = ntohs(address.sin_port);
    }
    ~loopback_listener() { ::close(fd); }
    [[nodiscard]] bool reached() const {
        const int peer = ::accept(fd, nullptr, nullptr);
        if (peer >= 0) ::close(peer);
        return peer >= 0;
    }
};

// A folder anyone may write, outside any run folder.
struct open_folder {
    fs::path path;
    explicit open_folder(const std::string& name)
        : path(fs::temp_directory_path() / ("parlab-" + name + "-" + std::to_string(::getpid()))) {
        fs::create_directories(path);
        fs::permissions(path, fs::perms::all);
    }
    ~open_folder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

}  // namespace

TEST_CASE("an isolated run writes only its run folder, reaches no listener, and sees no process outside",
          "[grader][sandbox][isolation]") {
    const auto run_as = unprivileged_user();
    const isolation_support& support = isolation_for(run_as);
    if (!support.available) {
        WARN("runs cannot be isolated here: " << support.missing);
        return;
    }
    const open_folder run_folder("run"), elsewhere("elsewhere");
    const loopback_listener listener;
    // What hostile code tries: a file outside its folder, in /tmp and in the grader's own
    // temporary folder; a connection to the machine's loopback; a signal to the grader.
    const std::string attempts = fmt::format(
        "echo x > {out}/marker; echo x > /tmp/parlab-escape-{pid}; echo x > {run}/inside;"
        " (echo hello > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo connected;"
        " kill -0 {pid} 2>/dev/null && echo signalled; ls {home} >/dev/null 2>&1 && echo home; echo done",
        fmt::arg("out", elsewhere.path.string()), fmt::arg("pid", ::getpid()), fmt::arg("run", run_folder.path.string()),
        fmt::arg("port", listener.port), fmt::arg("home", fs::path(PARLAB_KIT_ROOT).string()));
    run_request request;
    request.argv = {"/bin/bash", "-c", attempts};
    request.env = clean_environment(run_folder.path);
    request.workdir = run_folder.path;
    request.isolate = isolation{{run_folder.path}, {}};
    if (run_as) {
        request.run_as_uid = run_as->first;
        request.run_as_gid = run_as->second;
    }
    const auto result = run_sandboxed(request);
    INFO(support.how << "; the run said: " << result.output);
    REQUIRE(result.ok());
    CHECK_THAT(result.output, contains("done"));
    CHECK(fs::exists(run_folder.path / "inside"));
    CHECK_FALSE(fs::exists(elsewhere.path / "marker"));
    CHECK_FALSE(fs::exists(fs::path("/tmp") / ("parlab-escape-" + std::to_string(::getpid()))));
    CHECK_FALSE(listener.reached());
    CHECK_THAT(result.output, !contains("connected"));
    CHECK_THAT(result.output, !contains("signalled"));
    CHECK_THAT(result.output, !contains("home"));
}

TEST_CASE("an isolated run that a signal kills is reported as killed by it", "[grader][sandbox][isolation]") {
    const auto run_as = unprivileged_user();
    if (!isolation_for(run_as).available) return;
    auto request = misbehave("crash");
    request.isolate = isolation{{fs::temp_directory_path()}, {}};
    const auto result = run_sandboxed(request);
    CHECK(result.status.signaled);
    CHECK(result.status.signal == SIGSEGV);
}

TEST_CASE("a run over its memory limit is stopped and says so, by a cgroup where one can be made", "[grader][sandbox]") {
    auto request = misbehave("fill", {"512"});
    request.memory_limit = std::size_t{128} << 20;
    request.timeout = std::chrono::seconds(20);
    const auto result = run_sandboxed(request);
    INFO(memory_groups().missing << "; the run said: " << result.output);
    CHECK_FALSE(result.ok());
    CHECK_THAT(result.output, !contains("filled"));
    if (memory_groups().available) {
        CHECK(result.memory_exceeded);
        // the same limit holds a program whose address space cannot be limited
        request.huge_address_space = true;
        CHECK(run_sandboxed(request).memory_exceeded);
        // and a run within it is left alone
        request.argv.back() = "32";
        const auto within = run_sandboxed(request);
        CHECK(within.ok());
        CHECK_FALSE(within.memory_exceeded);
    }
}

TEST_CASE("a scratch folder goes with its owner, and one a killed grader left behind goes with the next", "[grader][scratch]") {
    const fs::path tmp = fs::temp_directory_path();
    const pid_t gone = ::fork();
    if (gone == 0) ::_exit(0);
    int status = 0;
    REQUIRE(::waitpid(gone, &status, 0) == gone);
    const fs::path orphan = tmp / fmt::format("parlab-scratch-test-{}-AbC123", gone);
    const fs::path alive = tmp / fmt::format("parlab-scratch-test-{}-XyZ789", ::getppid());
    const fs::path other = tmp / "parlab-scratch-test-notapid-AbC123";
    for (const auto& dir : {orphan, alive, other}) fs::create_directories(dir / "inside");
    fs::path made;
    {
        const scratch_dir scratch("parlab-scratch-test");
        made = scratch.path();
        CHECK(fs::is_directory(made));
        CHECK(made.filename().string().rfind(fmt::format("parlab-scratch-test-{}-", ::getpid()), 0) == 0);
        CHECK_FALSE(fs::exists(orphan));
        CHECK(fs::exists(alive));
        CHECK(fs::exists(other));
    }
    CHECK_FALSE(fs::exists(made));
    fs::remove_all(alive);
    fs::remove_all(other);
}
