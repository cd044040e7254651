#pragma once
// Command-line parsing shared by parlab_grader's commands.

#include <stdexcept>
#include <string>
#include <vector>
#include <map>

namespace parlab::grader {

/// A mistake in how a command was called: the grader prints it on one line and exits with 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct arguments {
    std::map<std::string, std::string> values;  ///< --name value (or --name=value)
    std::vector<std::string> flags;             ///< --name
    std::vector<std::string> positional;
    [[nodiscard]] bool flag(const std::string& name) const;
    [[nodiscard]] std::string value(const std::string& name, const std::string& fallback = "") const;
};

/// Splits `args` into options and positional arguments; an option not in either list is a
/// usage_error.
[[nodiscard]] arguments parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                                        const std::vector<std::string>& without_value);

}  // namespace parlab::grader
