// You do not need to modify this file.
//
// ./parlab shmnames: what a name in /dev/shm does, shown on this machine (lab 07 README, "Going
// further: names"). The lab's processes share memory they mapped before fork(); two programs that
// were not forked from each other can only meet at a name. This program, step by step:
//   1. creates a named segment (shm_open, ftruncate, mmap), then closes the descriptor;
//   2. starts itself again with exec(), so that the new process shares nothing with this one but
//      the name, and that process finds the segment by name, reads it and answers in it;
//   3. unmaps it (munmap and close leave the name), opens it again, then removes the name
//      (shm_unlink) while still mapping it;
//   4. lets a creator be killed before it unlinks: the segment outlives it in /dev/shm until
//      someone removes the name;
//   5. posts a named semaphore (sem_open) from an exec'd process;
//   6. posts an unnamed semaphore (sem_init with pshared = 1): from a forked child when it lives
//      in shared memory, not when it lives in private memory, and from an exec'd process when it
//      lives in a named segment.
// Every claim it prints is checked first: a claim that does not hold ends it with exit code 1.
// Every name it makes starts with /PREFIX-PID- and is removed before it ends, on error too.
// It uses no student code.
//
//   parlab_lab07_shmnames [--prefix P]
//     --prefix P    names start with /P-PID- (default parlab-shmnames); letters, digits, - and _
// It runs itself (so can you) as:
//   parlab_lab07_shmnames --attach NAME            open NAME, print what it holds, answer in it
//   parlab_lab07_shmnames --create-and-die NAME    create NAME, write in it, then be killed
//   parlab_lab07_shmnames --post-named NAME        post the named semaphore NAME
//   parlab_lab07_shmnames --post-in-segment NAME   post the unnamed semaphore at the start of NAME

#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

constexpr std::size_t segment_bytes = 4096;
constexpr std::size_t answer_at = 2048;  // the exec'd process answers in the second half

[[noreturn]] void fail_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void claim(bool holds, const std::string& what) {
    if (!holds) throw std::runtime_error("the claim does not hold here: " + what);
}

// Removes a name (a segment's or a named semaphore's) when it goes out of scope, whatever ended
// the scope, unless it was removed already.
class name_guard {
public:
    enum class kind { segment, semaphore };
    name_guard(std::string name, kind k) : name_(std::move(name)), kind_(k) {}
    name_guard(const name_guard&) = delete;
    name_guard& operator=(const name_guard&) = delete;
    ~name_guard() {
        if (!removed_) (void)(kind_ == kind::segment ? ::shm_unlink(name_.c_str()) : ::sem_unlink(name_.c_str()));
    }
    /// Removes the name now. Throws std::system_error when it cannot.
    void remove() {
        const int rc = kind_ == kind::segment ? ::shm_unlink(name_.c_str()) : ::sem_unlink(name_.c_str());
        if (rc != 0) fail_errno("cannot unlink '" + name_ + "'");
        removed_ = true;
    }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

private:
    std::string name_;
    kind kind_;
    bool removed_ = false;
};

// A mapping, unmapped by the destructor (or by unmap()).
class mapping {
public:
    mapping(void* data, std::size_t bytes) : data_(data), bytes_(bytes) {}
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;
    ~mapping() { unmap(); }
    void unmap() noexcept {
        if (data_ != nullptr) ::munmap(data_, bytes_);
        data_ = nullptr;
    }
    [[nodiscard]] char* text() const noexcept { return static_cast<char*>(data_); }
    [[nodiscard]] void* data() const noexcept { return data_; }

private:
    void* data_;
    std::size_t bytes_;
};

// Maps the whole of an open segment, shared, then closes the descriptor: the mapping does not need
// it. Throws std::system_error.
mapping map_and_close(int fd, const std::string& name) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int saved = errno;
        ::close(fd);
        throw std::system_error(saved, std::generic_category(), "cannot stat '" + name + "'");
    }
    const auto bytes = static_cast<std::size_t>(info.st_size);
    void* data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const int saved = errno;
    ::close(fd);
    if (data == MAP_FAILED) throw std::system_error(saved, std::generic_category(), "cannot map '" + name + "'");
    return {data, bytes};
}

mapping create_segment(const std::string& name) {
    const int fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) fail_errno("cannot create shared memory '" + name + "'");
    if (::ftruncate(fd, segment_bytes) != 0) {
        const int saved = errno;
        ::close(fd);
        ::shm_unlink(name.c_str());
        throw std::system_error(saved, std::generic_category(), "cannot size '" + name + "'");
    }
    return map_and_close(fd, name);
}

mapping open_segment(const std::string& name) {
    const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
    if (fd < 0) fail_errno("cannot open shared memory '" + name + "'");
    return map_and_close(fd, name);
}

// Where glibc keeps a segment or a named semaphore: a file in the tmpfs at /dev/shm.
std::string file_of(const std::string& name, name_guard::kind k) {
    return (k == name_guard::kind::segment ? "/dev/shm" : "/dev/shm/sem.") + name.substr(k == name_guard::kind::segment ? 0 : 1);
}

// Whether /dev/shm is a tmpfs: files kept in memory only, gone at the next boot.
bool shm_is_tmpfs() {
    constexpr long tmpfs_magic = 0x01021994;  // TMPFS_MAGIC of <linux/magic.h>
    struct statfs info {};
    return ::statfs("/dev/shm", &info) == 0 && static_cast<long>(info.f_type) == tmpfs_magic;
}

// The size of the file behind a name, or -1 when there is none.
long long file_size(const std::string& name, name_guard::kind k) {
    struct stat info {};
    return ::stat(file_of(name, k).c_str(), &info) == 0 ? static_cast<long long>(info.st_size) : -1;
}

std::string self_path() {
    std::vector<char> path(4096);
    const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
    if (n <= 0) fail_errno("cannot read /proc/self/exe");
    return {path.data(), static_cast<std::size_t>(n)};
}

struct child_end {
    pid_t pid = 0;
    int status = 0;
};

// Starts this program again with exec() (a new program image: nothing of this process's memory
// goes with it) as `self MODE NAME`, and waits for it.
child_end run_self(const std::string& mode, const std::string& name) {
    const std::string self = self_path();
    std::fflush(stdout);  // nothing buffered here may be printed twice
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("cannot fork");
    if (pid == 0) {
        ::execl(self.c_str(), self.c_str(), mode.c_str(), name.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    child_end end{pid, 0};
    while (::waitpid(pid, &end.status, 0) < 0)
        if (errno != EINTR) fail_errno("cannot wait for pid " + std::to_string(pid));
    return end;
}

bool exited_ok(const child_end& end) { return WIFEXITED(end.status) && WEXITSTATUS(end.status) == 0; }

// sem_timedwait for at most `seconds`: true when a unit was taken.
bool wait_at_most(sem_t* semaphore, double seconds) {
    timespec until{};
    ::clock_gettime(CLOCK_REALTIME, &until);
    const auto whole = static_cast<time_t>(seconds);
    until.tv_sec += whole;
    until.tv_nsec += static_cast<long>((seconds - static_cast<double>(whole)) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec += 1;
        until.tv_nsec -= 1000000000L;
    }
    for (;;) {
        if (::sem_timedwait(semaphore, &until) == 0) return true;
        if (errno == ETIMEDOUT) return false;
        if (errno != EINTR) fail_errno("sem_timedwait failed");
    }
}

// ---- the modes the program runs itself in -----------------------------------------------------

int attach(const std::string& name) {
    const mapping m = open_segment(name);
    const std::string found(m.text());
    std::printf("   pid %d, started with exec() (it shares nothing with its parent but the name),\n"
                "   opened '%s' by name and read: \"%s\"\n",
                ::getpid(), name.c_str(), found.c_str());
    std::snprintf(m.text() + answer_at, segment_bytes - answer_at, "pid %d read \"%s\"", ::getpid(), found.c_str());
    return 0;
}

int create_and_die(const std::string& name) {
    const mapping m = create_segment(name);
    std::snprintf(m.text(), segment_bytes, "left by pid %d, killed before it unlinked", ::getpid());
    std::fflush(stdout);
    ::kill(::getpid(), SIGKILL);  // no destructor, no atexit handler, no unlink runs after this
    return 3;
}

int post_named(const std::string& name) {
    sem_t* semaphore = ::sem_open(name.c_str(), 0);
    if (semaphore == SEM_FAILED) fail_errno("cannot open semaphore '" + name + "'");
    const int rc = ::sem_post(semaphore);
    ::sem_close(semaphore);
    return rc == 0 ? 0 : 1;
}

int post_in_segment(const std::string& name) {
    const mapping m = open_segment(name);
    return ::sem_post(static_cast<sem_t*>(m.data())) == 0 ? 0 : 1;
}

// ---- the steps ---------------------------------------------------------------------------------

void named_segment(const std::string& base) {
    const std::string name = base + "-segment";
    name_guard guard(name, name_guard::kind::segment);
    mapping mine = create_segment(name);
    std::snprintf(mine.text(), answer_at, "written by pid %d", ::getpid());
    const long long size = file_size(name, name_guard::kind::segment);
    claim(size == static_cast<long long>(segment_bytes), file_of(name, name_guard::kind::segment) + " exists");
    std::printf("1. shm_open(\"%s\", O_CREAT | O_EXCL | O_RDWR),\n"
                "   ftruncate to %zu bytes, mmap, close: %s is there (%lld bytes),\n"
                "   and the mapping works without the descriptor.\n",
                name.c_str(), segment_bytes, file_of(name, name_guard::kind::segment).c_str(), size);

    std::printf("2. This program started again with exec() and the name as its argument:\n");
    const child_end other = run_self("--attach", name);
    claim(exited_ok(other), "the exec'd process opened the segment");
    const std::string expected = "pid " + std::to_string(other.pid) + " read \"written by pid " + std::to_string(::getpid()) + "\"";
    const std::string answer(mine.text() + answer_at);
    claim(answer == expected, "the answer is in the creator's mapping");
    std::printf("   back in pid %d, the same page now also holds its answer: \"%s\"\n", ::getpid(), answer.c_str());

    mine.unmap();
    claim(file_size(name, name_guard::kind::segment) >= 0, "the name outlives munmap");
    const mapping again = open_segment(name);
    std::printf("3. munmap and close only let go of this process's view: the name is still there, and opening\n"
                "   it again finds \"%s\".\n",
                again.text());
    guard.remove();
    const bool file_gone = file_size(name, name_guard::kind::segment) < 0;
    const bool open_fails = ::shm_open(name.c_str(), O_RDWR, 0) < 0 && errno == ENOENT;
    claim(file_gone && open_fails, "shm_unlink removes the name");
    std::snprintf(again.text(), answer_at, "still usable after shm_unlink");
    claim(std::string(again.text()) == "still usable after shm_unlink", "a mapping outlives the name");
    std::printf("   shm_unlink removed the name: the file is gone and shm_open(O_RDWR) fails with ENOENT, yet the\n"
                "   mapping this process still holds reads and writes as before (\"%s\").\n"
                "   (POSIX: the memory itself is freed once no process maps it.)\n",
                again.text());
}

void killed_creator(const std::string& base) {
    const std::string name = base + "-orphan";
    name_guard guard(name, name_guard::kind::segment);  // the creator will not remove it: we will
    const child_end creator = run_self("--create-and-die", name);
    claim(WIFSIGNALED(creator.status) && WTERMSIG(creator.status) == SIGKILL, "the creator was killed");
    const long long size = file_size(name, name_guard::kind::segment);
    claim(size == static_cast<long long>(segment_bytes), "the killed creator's segment is still in /dev/shm");
    const mapping left = open_segment(name);
    std::printf("4. pid %d created '%s' and was killed (SIGKILL) before it could unlink it.\n"
                "   %s is still there (%lld bytes) and holds\n"
                "   \"%s\".\n"
                "   Nothing removes a name but shm_unlink (or rm)%s.\n",
                creator.pid, name.c_str(), file_of(name, name_guard::kind::segment).c_str(), size, left.text(),
                shm_is_tmpfs() ? ", or a reboot: /dev/shm is a tmpfs, kept in memory only" : "");
    guard.remove();
    claim(file_size(name, name_guard::kind::segment) < 0, "the leftover is removed");
    std::printf("   Removed now with shm_unlink: %s is gone.\n", file_of(name, name_guard::kind::segment).c_str());
}

void named_semaphore(const std::string& base) {
    const std::string name = base + "-semaphore";
    sem_t* semaphore = ::sem_open(name.c_str(), O_CREAT | O_EXCL, 0600, 0);
    if (semaphore == SEM_FAILED) fail_errno("cannot create semaphore '" + name + "'");
    name_guard guard(name, name_guard::kind::semaphore);
    struct closer {
        sem_t* s;
        ~closer() { ::sem_close(s); }
    } close_it{semaphore};
    const long long size = file_size(name, name_guard::kind::semaphore);
    claim(size >= 0, "a named semaphore is a file in /dev/shm");
    const child_end poster = run_self("--post-named", name);
    claim(exited_ok(poster), "the exec'd process posted the named semaphore");
    claim(wait_at_most(semaphore, 5.0), "the post reached the creator");
    std::printf("5. sem_open(\"%s\", O_CREAT | O_EXCL, 0600, 0)\n"
                "   made %s (%lld bytes); pid %d, started with exec(),\n"
                "   opened it by name and posted it, and this process's wait returned.\n",
                name.c_str(), file_of(name, name_guard::kind::semaphore).c_str(), size, poster.pid);
    guard.remove();
    claim(file_size(name, name_guard::kind::semaphore) < 0, "sem_unlink removes the name");
    std::printf("   sem_close let go of it here, sem_unlink removed the name.\n");
}

// Forks a child that posts `semaphore` once (its own view of it) and says whether this process's
// wait saw the post within `seconds`.
bool fork_posts(sem_t* semaphore, double seconds) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("cannot fork");
    if (pid == 0) ::_exit(::sem_post(semaphore) == 0 ? 0 : 1);
    const bool seen = wait_at_most(semaphore, seconds);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    claim(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the forked child posted");
    return seen;
}

void unnamed_semaphores(const std::string& base) {
    std::printf("6. Unnamed semaphores, sem_init(s, 1, 0) (pshared = 1, as parlab::process_semaphore):\n");
    {
        void* memory = ::mmap(nullptr, sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) fail_errno("cannot map anonymous shared memory");
        const mapping shared(memory, sizeof(sem_t));
        auto* semaphore = static_cast<sem_t*>(shared.data());
        if (::sem_init(semaphore, 1, 0) != 0) fail_errno("sem_init failed");
        const bool seen = fork_posts(semaphore, 5.0);
        ::sem_destroy(semaphore);
        claim(seen, "a post in an anonymous shared mapping reaches the parent");
        std::printf("   in an anonymous shared mapping (mmap MAP_SHARED | MAP_ANONYMOUS): a forked child's post\n"
                    "   reached the parent. No name: only processes forked after the mmap can reach it.\n");
    }
    {
        sem_t in_private{};
        if (::sem_init(&in_private, 1, 0) != 0) fail_errno("sem_init failed");
        const bool seen = fork_posts(&in_private, 0.5);
        ::sem_destroy(&in_private);
        claim(!seen, "a post in private memory does not reach the parent");
        std::printf("   in private memory, with pshared = 1 all the same: fork() copied it, the child posted its\n"
                    "   copy, and the parent's wait timed out after 0.5 s.\n");
    }
    {
        const std::string name = base + "-holds-a-semaphore";
        name_guard guard(name, name_guard::kind::segment);
        const mapping segment = create_segment(name);
        auto* semaphore = static_cast<sem_t*>(segment.data());
        if (::sem_init(semaphore, 1, 0) != 0) fail_errno("sem_init failed");
        const child_end poster = run_self("--post-in-segment", name);
        const bool seen = exited_ok(poster) && wait_at_most(semaphore, 5.0);
        ::sem_destroy(semaphore);
        claim(seen, "a post through a named segment reaches its creator");
        guard.remove();
        std::printf("   at the start of the named segment '%s':\n"
                    "   pid %d, started with exec(), mapped it by name and posted the semaphore there, and\n"
                    "   this process's wait returned.\n",
                    name.c_str(), poster.pid);
    }
}

bool valid_prefix(const std::string& prefix) {
    if (prefix.empty() || prefix.size() > 100) return false;
    for (const char c : prefix)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    return true;
}

constexpr const char* usage =
    "usage: parlab_lab07_shmnames [--prefix P]\n"
    "  --prefix P    names start with /P-PID- (default parlab-shmnames); letters, digits, - and _\n"
    "It runs itself as: --attach NAME, --create-and-die NAME, --post-named NAME, --post-in-segment NAME\n";

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.size() == 2 && args[0] == "--attach") return attach(args[1]);
        if (args.size() == 2 && args[0] == "--create-and-die") return create_and_die(args[1]);
        if (args.size() == 2 && args[0] == "--post-named") return post_named(args[1]);
        if (args.size() == 2 && args[0] == "--post-in-segment") return post_in_segment(args[1]);
        std::string prefix = "parlab-shmnames";
        if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
            std::fputs(usage, stdout);
            return 0;
        }
        if (args.size() == 2 && args[0] == "--prefix") prefix = args[1];
        else if (!args.empty()) {
            std::fprintf(stderr, "parlab_lab07_shmnames: unexpected arguments (--help lists them)\n");
            return 2;
        }
        if (!valid_prefix(prefix)) {
            std::fprintf(stderr, "parlab_lab07_shmnames: --prefix takes letters, digits, - and _, got '%s'\n", prefix.c_str());
            return 2;
        }
        const std::string base = "/" + prefix + "-" + std::to_string(::getpid());
        named_segment(base);
        killed_creator(base);
        named_semaphore(base);
        unnamed_semaphores(base);
        std::printf("Every name this run made (%s-*) is removed.\n", base.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parlab_lab07_shmnames: %s\n", e.what());
        return 1;
    }
}
