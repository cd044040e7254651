#include "scratch_dir.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

namespace parlab::grader {
namespace fs = std::filesystem;

scratch_dir::scratch_dir(const std::string& prefix, fs::perms perms) {
    std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
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
