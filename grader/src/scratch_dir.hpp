#pragma once
// Scratch folders: made by mkdtemp (a name nobody can guess or take first), removed with their
// content when they go. A grader killed outright (SIGKILL from a time limit, a batch ending its
// jobs) cannot remove its own: the name carries its process number, and the next scratch folder
// of the same kind removes those whose process is gone.

#include <filesystem>
#include <string>

namespace parlab::grader {

class scratch_dir {
public:
    /// A new folder <temporary folder>/<prefix>-<pid>-XXXXXX with `perms`; throws
    /// std::runtime_error when it cannot be made.
    explicit scratch_dir(const std::string& prefix, std::filesystem::perms perms = std::filesystem::perms::owner_all);
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir();
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace parlab::grader
