#pragma once
// Scratch folders: made by mkdtemp (a name nobody can guess or take first), removed with their
// content when they go.

#include <filesystem>
#include <string>

namespace parlab::grader {

class scratch_dir {
public:
    /// A new folder <temporary folder>/<prefix>-XXXXXX with `perms`; throws std::runtime_error
    /// when it cannot be made.
    explicit scratch_dir(const std::string& prefix, std::filesystem::perms perms = std::filesystem::perms::owner_all);
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir();
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace parlab::grader
