// You do not need to modify this file: the given parts of lab 08 (distributed.hpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "distributed.hpp"

namespace parlab::lab08 {
namespace fs = std::filesystem;

gaussian_kernel make_gaussian(double sigma) {
    if (!(sigma > 0 && sigma <= max_sigma))
        throw std::invalid_argument("sigma must be in (0, " + std::to_string(max_sigma) + "], got " + std::to_string(sigma));
    gaussian_kernel g;
    g.sigma = sigma;
    g.radius = static_cast<std::size_t>(4.0 * sigma + 0.5);
    const auto r = static_cast<std::ptrdiff_t>(g.radius);
    double total = 0;
    for (std::ptrdiff_t k = -r; k <= r; ++k) {
        const auto kd = static_cast<double>(k);
        g.weights.push_back(std::exp(((-0.5 * kd) * kd) / (sigma * sigma)));
        total += g.weights.back();
    }
    for (double& w : g.weights) w /= total;
    return g;
}

std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept {
    const auto period = static_cast<std::ptrdiff_t>(2 * n);
    std::ptrdiff_t m = i % period;
    if (m < 0) m += period;
    const auto mu = static_cast<std::size_t>(m);
    return mu < n ? mu : 2 * n - 1 - mu;
}

void smooth_row(const double* in, double* out, std::size_t n, const gaussian_kernel& g) {
    if (n == 0) return;
    // the row with its reflected borders, then the filter of a piece of a longer signal; the
    // room for it is kept from call to call (new memory would cost a page fault per 4 KiB)
    const auto r = static_cast<std::ptrdiff_t>(g.radius);
    thread_local std::vector<double> extended;
    extended.resize(n + 2 * g.radius);
    for (std::size_t j = 0; j < extended.size(); ++j) extended[j] = in[reflect_index(static_cast<std::ptrdiff_t>(j) - r, n)];
    smooth_extended(extended.data(), out, n, g);
}

void smooth_extended(const double* extended, double* out, std::size_t width, const gaussian_kernel& g) {
    const std::size_t taps = g.weights.size();
    for (std::size_t i = 0; i < width; ++i) {
        double sum = 0;
        for (std::size_t t = 0; t < taps; ++t) sum += g.weights[t] * extended[i + t];
        out[i] = sum;
    }
}

std::size_t halo_ranks(std::size_t n, std::size_t radius, std::size_t ranks) noexcept {
    const std::size_t widest = radius == 0 ? n : n / radius;  // blocks at least radius wide
    return std::max<std::size_t>(1, std::min(ranks, widest));
}

int rank_of(MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    return rank;
}

int size_of(MPI_Comm comm) {
    int size = 0;
    MPI_Comm_size(comm, &size);
    return size;
}

std::string rank_job::option(const std::string& key) const {
    for (const std::string& o : options)
        if (o.size() > key.size() && o.compare(0, key.size(), key) == 0 && o[key.size()] == '=')
            return o.substr(key.size() + 1);
    return {};
}

// ---- watching the ranks' MPI calls ------------------------------------------------------------
// Each rank keeps one line in a small shared file: its process id, how many watched calls it has
// finished, and the one it is in (or "running"). The program that started the ranks reads the
// lines while they run (a deadlock: every rank in a call, none finishing one) and when it stops
// them. The wrappers below stand in for MPI's functions of the same names in this program and
// pass every call on to MPI's own (the PMPI_ names every MPI library provides for such tools).
namespace {

constexpr const char* job_variable = "PARLAB_LAB08_JOB";
constexpr const char* watch_variable = "PARLAB_LAB08_WATCH";
constexpr std::size_t slot_bytes = 160;

struct rank_state {
    long pid = 0;
    unsigned long finished = 0;  // MPI calls returned so far: a rank that finishes none is not moving
    char call[slot_bytes - 2 * sizeof(long)] = {};
};

rank_state* watch_slot() {
    static rank_state* slot = [] () -> rank_state* {
        const char* dir = std::getenv(watch_variable);
        if (dir == nullptr) return nullptr;
        int rank = 0;
        PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
        const std::string path = std::string(dir) + "/rank-" + std::to_string(rank);
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || ::ftruncate(fd, sizeof(rank_state)) != 0) return nullptr;
        void* mapped = ::mmap(nullptr, sizeof(rank_state), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        if (mapped == MAP_FAILED) return nullptr;
        auto* state = static_cast<rank_state*>(mapped);
        state->pid = ::getpid();
        return state;
    }();
    return slot;
}

double mpi_seconds = 0;  // this process's time in the calls below

// Notes the call for its duration, and adds the duration to mpi_seconds.
class in_call {
public:
    template <class... Args>
    explicit in_call(const char* format, Args... args) : slot_(watch_slot()), start_(PMPI_Wtime()) {
        if (slot_ != nullptr) std::snprintf(slot_->call, sizeof slot_->call, format, args...);
    }
    in_call(const in_call&) = delete;
    in_call& operator=(const in_call&) = delete;
    ~in_call() {
        if (slot_ != nullptr) {
            std::snprintf(slot_->call, sizeof slot_->call, "running");
            ++slot_->finished;
        }
        mpi_seconds += PMPI_Wtime() - start_;
    }

private:
    rank_state* slot_;
    double start_;
};

int bytes_of(int count, MPI_Datatype type) {
    int size = 0;
    PMPI_Type_size(type, &size);
    return count * size;
}

}  // namespace

double seconds_in_mpi() noexcept { return mpi_seconds; }

namespace {
// A barrier that sleeps between looks. MPI_Barrier polls: the ranks that wait for the others
// (all but the first k, in for_each_rank_count) would each keep a core busy and slow the ranks at
// work, on a machine with fewer cores than ranks. Noted in the rank's line like an MPI call, so a
// deadlock among the working ranks is still seen as every rank waiting.
void wait_for_all(MPI_Comm comm) {
    const in_call note("waiting for the other ranks (between rank counts)");
    MPI_Request request = MPI_REQUEST_NULL;
    PMPI_Ibarrier(comm, &request);
    for (int done = 0; PMPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done == 0;)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
}
}  // namespace

}  // namespace parlab::lab08

extern "C" {
using parlab::lab08::bytes_of;
using parlab::lab08::in_call;

int MPI_Send(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
    const in_call note("MPI_Send to rank %d (%d bytes)", dest, bytes_of(count, type));
    return PMPI_Send(buf, count, type, dest, tag, comm);
}
int MPI_Ssend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
    const in_call note("MPI_Ssend to rank %d (%d bytes)", dest, bytes_of(count, type));
    return PMPI_Ssend(buf, count, type, dest, tag, comm);
}
int MPI_Recv(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm comm, MPI_Status* status) {
    const in_call note("MPI_Recv from rank %d", source);
    return PMPI_Recv(buf, count, type, source, tag, comm, status);
}
int MPI_Sendrecv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag, void* recvbuf,
                 int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm, MPI_Status* status) {
    const in_call note("MPI_Sendrecv to rank %d, from rank %d", dest, source);
    return PMPI_Sendrecv(sendbuf, sendcount, sendtype, dest, sendtag, recvbuf, recvcount, recvtype, source, recvtag,
                         comm, status);
}
int MPI_Wait(MPI_Request* request, MPI_Status* status) {
    const in_call note("MPI_Wait");
    return PMPI_Wait(request, status);
}
int MPI_Waitall(int count, MPI_Request requests[], MPI_Status statuses[]) {
    const in_call note("MPI_Waitall (%d requests)", count);
    return PMPI_Waitall(count, requests, statuses);
}
int MPI_Barrier(MPI_Comm comm) {
    const in_call note("MPI_Barrier");
    return PMPI_Barrier(comm);
}
int MPI_Bcast(void* buf, int count, MPI_Datatype type, int root, MPI_Comm comm) {
    const in_call note("MPI_Bcast from rank %d", root);
    return PMPI_Bcast(buf, count, type, root, comm);
}
int MPI_Scatterv(const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype, void* recvbuf,
                 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm) {
    const in_call note("MPI_Scatterv from rank %d", root);
    return PMPI_Scatterv(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root, comm);
}
int MPI_Gatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm) {
    const in_call note("MPI_Gatherv to rank %d", root);
    return PMPI_Gatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm);
}
int MPI_Reduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, int root, MPI_Comm comm) {
    const in_call note("MPI_Reduce to rank %d", root);
    return PMPI_Reduce(sendbuf, recvbuf, count, type, op, root, comm);
}
int MPI_Allreduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    const in_call note("MPI_Allreduce");
    return PMPI_Allreduce(sendbuf, recvbuf, count, type, op, comm);
}
}  // extern "C"

namespace parlab::lab08 {
namespace {

// The lines of the ranks that have one (a rank makes it at its first watched call): rank -> state.
std::map<int, rank_state> read_states(const fs::path& dir, int ranks) {
    std::map<int, rank_state> states;
    for (int rank = 0; rank < ranks; ++rank) {
        std::ifstream in(dir / ("rank-" + std::to_string(rank)), std::ios::binary);
        rank_state s;
        if (!in || !in.read(reinterpret_cast<char*>(&s), sizeof s)) continue;
        s.call[sizeof s.call - 1] = '\0';
        states[rank] = s;
    }
    return states;
}

// The blocking sends' destinations: rank -> destination, from "MPI_Send to rank D (...)".
std::map<int, int> blocked_sends(const std::map<int, rank_state>& states) {
    std::map<int, int> sends;
    for (const auto& [rank, s] : states) {
        int dest = -1;
        if (std::sscanf(s.call, "MPI_Send to rank %d", &dest) == 1 || std::sscanf(s.call, "MPI_Ssend to rank %d", &dest) == 1)
            sends[rank] = dest;
    }
    return sends;
}

std::string describe_stuck(const std::map<int, rank_state>& states) {
    if (states.empty()) return "no rank had made a watched MPI call yet (still starting, or stuck before its first one)";
    std::string story;
    const std::map<int, int> sends = blocked_sends(states);
    for (const auto& [rank, dest] : sends) {
        const auto other = sends.find(dest);
        if (dest > rank && other != sends.end() && other->second == rank) {
            story = "rank " + std::to_string(rank) + " and rank " + std::to_string(dest) +
                    " both waiting in MPI_Send: both sent first, and a message this large is not buffered, so each "
                    "send waits for a receive the other never reaches; use MPI_Sendrecv or non-blocking sends. ";
            break;
        }
    }
    story += "Where each rank was:";
    for (const auto& [rank, s] : states) story += " rank " + std::to_string(rank) + " in " + s.call + ";";
    story.pop_back();
    return story;
}

// Watches the ranks' lines for a deadlock: every rank inside an MPI call and none finishing one.
class deadlock_watch {
public:
    deadlock_watch(fs::path dir, int ranks) : dir_(std::move(dir)), ranks_(ranks) {}
    // Whether the ranks have sat still, all inside MPI, for `still_seconds` (looked at every 100 ms).
    bool stuck(double still_seconds) {
        const auto now = std::chrono::steady_clock::now();
        if (now - looked_ < std::chrono::milliseconds(100)) return false;
        looked_ = now;
        const std::map<int, rank_state> states = read_states(dir_, ranks_);
        unsigned long finished = 0;
        bool all_waiting = static_cast<int>(states.size()) == ranks_;
        for (const auto& [rank, s] : states) {
            finished += s.finished;
            all_waiting = all_waiting && std::strcmp(s.call, "running") != 0 && s.call[0] != '\0';
        }
        if (!all_waiting || finished != finished_) {
            finished_ = finished;
            still_since_ = now;
            return false;
        }
        return now - still_since_ >= std::chrono::duration<double>(still_seconds);
    }

private:
    fs::path dir_;
    int ranks_;
    unsigned long finished_ = 0;
    std::chrono::steady_clock::time_point looked_{}, still_since_ = std::chrono::steady_clock::now();
};

std::string tail_of(const fs::path& file, std::size_t bytes) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    return all.size() > bytes ? "..." + all.substr(all.size() - bytes) : all;
}

// What the ranks need in their environment: Open MPI on one machine, through shared memory, with
// nothing it would look for outside a sandbox (other machines, the processor layout in /sys),
// allowed as root, oversubscribed without complaint, and every message above 256 bytes sent only
// once its receive is posted.
void set_rank_environment(const rank_job& job, const fs::path& watch) {
    const std::array<std::pair<const char*, const char*>, 14> settings{{
        {"OMPI_MCA_pml", "ob1"},
        {"OMPI_MCA_btl", "self,vader"},
        {"OMPI_MCA_btl_vader_eager_limit", "256"},
        {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"},
        {"OMPI_MCA_plm", "isolated"},
        {"OMPI_MCA_rmaps_base_oversubscribe", "1"},
        {"OMPI_MCA_hwloc_base_binding_policy", "none"},
        {"OMPI_MCA_mpi_yield_when_idle", "1"},
        {"OMPI_MCA_orte_tmpdir_base", "/tmp"},
        {"OMPI_ALLOW_RUN_AS_ROOT", "1"},
        {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
        {"HWLOC_COMPONENTS", "-linux"},
        {"OMPI_MCA_orte_base_help_aggregate", "0"},
        {"OMPI_MCA_shmem_mmap_enable_nfs_warning", "0"},
    }};
    for (const auto& [key, value] : settings) ::setenv(key, value, 1);
    if (job.for_timing) {
        ::unsetenv("OMPI_MCA_btl_vader_eager_limit");
        ::setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824", 1);
    }
    // Open MPI's own allocations live as long as the process: not leaks of the lab's code
    const char* asan = std::getenv("ASAN_OPTIONS");
    ::setenv("ASAN_OPTIONS", (std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0").c_str(), 1);
    std::string encoded = job.name;
    for (const std::string& o : job.options) encoded += "\n" + o;
    ::setenv(job_variable, encoded.c_str(), 1);
    ::setenv(watch_variable, watch.c_str(), 1);
}

void stop_ranks(pid_t mpirun, const fs::path& watch, int ranks) {
    for (const auto& [rank, s] : read_states(watch, ranks))
        if (s.pid > 0) ::kill(static_cast<pid_t>(s.pid), SIGKILL);
    ::kill(-mpirun, SIGKILL);
}

}  // namespace

ranks_outcome run_ranks(int ranks, const rank_job& job, double seconds) {
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (error) throw std::runtime_error("cannot find this program's own file: " + error.message());
    char pattern[] = "/tmp/parlab-ranks-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    const fs::path watch = pattern;
    const fs::path log = watch / "output";
    const std::string count = std::to_string(ranks);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (child == 0) {
        ::setpgid(0, 0);
        set_rank_environment(job, watch);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        const char* mpirun = ::access("/usr/bin/mpirun", X_OK) == 0 ? "/usr/bin/mpirun" : "mpirun";
        ::execlp(mpirun, "mpirun", "--oversubscribe", "-n", count.c_str(), self.c_str(), static_cast<char*>(nullptr));
        std::fprintf(stderr, "cannot start mpirun: %s (is openmpi-bin installed?)\n", std::strerror(errno));
        ::_exit(127);
    }
    ranks_outcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    deadlock_watch still(watch, ranks);
    int status = 0;
    while (::waitpid(child, &status, WNOHANG) == 0) {
        const bool deadlocked = still.stuck(3);
        if (deadlocked || std::chrono::steady_clock::now() >= deadline) {
            outcome.timed_out = true;
            outcome.deadlocked = deadlocked;
            outcome.stuck = (deadlocked ? "Every rank sat inside an MPI call, none of them finishing one, for 3 s: a "
                                          "deadlock. "
                                        : "") +
                            describe_stuck(read_states(watch, ranks));
            stop_ranks(child, watch, ranks);
            ::waitpid(child, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    outcome.ok = !outcome.timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    outcome.output = tail_of(log, 4000);
    for (int rank = 0; rank < ranks && outcome.failure.empty(); ++rank)
        outcome.failure = tail_of(watch / ("failure-" + std::to_string(rank)), 1000);
    std::ifstream(watch / "rank-count") >> outcome.rank_count;
    fs::remove_all(watch, error);
    return outcome;
}

void for_each_rank_count(MPI_Comm comm, const std::function<void(MPI_Comm sub, int ranks)>& body) {
    const int rank = rank_of(comm), size = size_of(comm);
    const char* watch = std::getenv(watch_variable);
    for (int k = 1; k <= size; ++k) {
        if (rank == 0 && watch != nullptr) std::ofstream(fs::path(watch) / "rank-count") << k;
        MPI_Comm sub = MPI_COMM_NULL;
        MPI_Comm_split(comm, rank < k ? 0 : MPI_UNDEFINED, rank, &sub);
        if (sub != MPI_COMM_NULL) {
            body(sub, k);
            MPI_Comm_free(&sub);
        }
        wait_for_all(comm);
    }
}

void serve_as_rank(rank_body body) {
    const char* encoded = std::getenv(job_variable);
    if (encoded == nullptr) return;
    rank_job job;
    std::stringstream lines(encoded);
    std::getline(lines, job.name);
    for (std::string line; std::getline(lines, line);) job.options.push_back(line);
    MPI_Init(nullptr, nullptr);
    try {
        body(job, MPI_COMM_WORLD);
    } catch (const std::exception& e) {
        const std::string failure = "rank " + std::to_string(rank_of(MPI_COMM_WORLD)) + ": " + e.what();
        std::fprintf(stderr, "%s\n", failure.c_str());
        if (const char* watch = std::getenv(watch_variable))
            std::ofstream(fs::path(watch) / ("failure-" + std::to_string(rank_of(MPI_COMM_WORLD)))) << failure;
        MPI_Abort(MPI_COMM_WORLD, 1);  // ends every rank
    }
    MPI_Finalize();
    std::fflush(nullptr);
    std::_Exit(0);
}

}  // namespace parlab::lab08
