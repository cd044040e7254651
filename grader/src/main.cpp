// parlab_grader: everything behind `./parlab` but installing packages and building this program.
//   parlab_grader COMMAND --root KIT [ARGUMENTS...]
// The commands, their options and their help are defined in commands/*.cpp (./parlab help lists
// them). Exit codes: 0 every check passed, 1 some did not, 2 usage or set-up error.

#include <fmt/format.h>

#include <csignal>
#include <exception>
#include <string>
#include <vector>

#include "commands/commands.hpp"

using namespace parlab::grader;

int main(int argc, char** argv) {
    // A run that ends while the grader writes to it must not take the grader with it.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const char* const bold = commands::colour_on_stdout() ? "\033[1m" : "";
        const char* const reset = commands::colour_on_stdout() ? "\033[0m" : "";
        command_line cli(fmt::format("{}ParLab{}: labs and an autograder for shared-memory parallel programming in C++.",
                                     bold, reset),
                         "Environment: PARLAB_WORKERS (default worker count), PARLAB_NO_INSTALL=1 (print the package "
                         "install command instead of running it), NO_COLOR (no colour).");
        commands::define_all(cli);
        return cli.run({argv + 1, argv + argc});
    } catch (const std::exception& error) {
        // usage_error, std::invalid_argument and the rest: one line, and exit 2
        fmt::print(stderr, "parlab: {}\n", error.what());
        return 2;
    }
}
