#include "scratch_dir.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

// Removes the folders <prefix>-<pid>-XXXXXX in `parent` whose process has ended (graders that
// share a temporary folder share process numbers: one machine, one PID namespace).
void remove_orphans(const fs::path& parent, const std::string& prefix) {
    std::error_code error;
    for (fs::directory_iterator it(parent, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(prefix + "-", 0) != 0) continue;
        const std::string rest = name.substr(prefix.size() + 1);
        const auto dash = rest.find('-');
        if (dash == std::string::npos || dash == 0 || rest.find_first_not_of("0123456789") != dash) continue;
        const auto pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
        if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to tell
        std::error_code ignored;
        if (fs::is_directory(it->symlink_status())) fs::remove_all(it->path(), ignored);
    }
}

}  // namespace

scratch_dir::scratch_dir(const std::string& prefix, fs::perms perms) {
    remove_orphans(fs::temp_directory_path(), prefix);
    std::string pattern = (fs::temp_directory_path() / fmt::format("{}-{}-XXXXXX", prefix, ::getpid())).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot make a folder in " + fs::temp_directory_path().string() + " for " + prefix);
    path_ = pattern;
    fs::permissions(path_, perms);
}

scratch_dir::~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

}  // namespace parlab::grader
