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

/// What parse_arguments does with an option in neither list.
enum class unknown_options {
    refuse,   ///< a usage_error
    pass_on,  ///< kept as it was written, among the positional arguments, for a program the command runs
};

/// Splits `args` into options and positional arguments.
[[nodiscard]] arguments parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                                        const std::vector<std::string>& without_value,
                                        unknown_options unknown = unknown_options::refuse);

}  // namespace parlab::grader
