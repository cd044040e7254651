// parlab_grader: everything behind `./parlab` but installing packages and building this program.
//   parlab_grader grade --root KIT [--solutions | --submission DIR] [--seed N] [--json F]
//                       [--junit F] [--gradescope F] [--markdown F] [--check NAME,...] [--verbose] [LAB...]
//   parlab_grader batch --root KIT DIR --csv FILE [--reports DIR] [--force] [--markdown] [--seed N]
//                       [--roster F [--canvas F] [--moodle F]] [--bom] [--marks F] [--feedback DIR] [LAB...]
//   parlab_grader report REPORTS_DIR OUT.html
//   parlab_grader list | hint | sources | watch | release | package --root KIT ... (see ./parlab help)
// Exit codes: 0 every check passed, 1 some did not, 2 usage or set-up error.

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "commands/commands.hpp"

using namespace parlab::grader;

namespace {

// What `./parlab COMMAND --help` prints (grade's is the parlab script's own).
const std::map<std::string, std::string>& command_usage() {
    static const std::map<std::string, std::string> usage{
        {"batch", commands::batch_usage},
        {"similarity", "Usage: ./parlab similarity DIR --out FILE.html [--threshold PERCENT] [LAB...]\n"
                       "Compares every pair of submission folders in DIR lab by lab with sim_c++ (the similarity-tester\n"
                       "package), leaving out the lines the skeleton gives, and writes FILE.html: the pairs where either\n"
                       "holds at least PERCENT (50) of the other's code, with the matching code side by side.\n"},
        {"report", "Usage: ./parlab report REPORTS_DIR OUT.html\n"
                   "Writes one self-contained HTML page on a class from the JSON reports of ./parlab batch.\n"},
        {"list", "Usage: ./parlab list\nEvery lab with its tasks and, after a grade run, which tasks pass.\n"},
        {"check-kit", "Usage: parlab_grader check-kit --root KIT\n"
                      "Checks that each fact about a lab is found where it is used: lab.json and the rubric load,\n"
                      "every check has its verifier and every verifier a check, every known-bad patch applies.\n"
                      "The build runs it (target parlab_kit_checked); exit 1 with one line per problem.\n"},
        {"hint", "Usage: ./parlab hint LAB [TASK [NUMBER]] [--all] [--reset]\n"
                 "The next hint for a task of a lab, one at a time (--all: every hint of the task; --reset: start over).\n"
                 "With a NUMBER, that hint alone (a grade that hung names the hint on hangs this way).\n"},
        {"sources", "Usage: ./parlab sources [LAB...]\nThe files you edit, one per line (every lab's, or the labs named).\n"},
        {"watch", "Usage: ./parlab watch LAB [TASK] [--all]\n"
                  "Rebuilds and reruns a lab's tests whenever you save a file: the first failing task's first\n"
                  "failures and one line for each other task (--all: every failure).\n"},
        {"release", "Usage: ./parlab release DIR\n"
                    "Writes the student edition (everything but solutions/, plus the CI workflow) into DIR, which\n"
                    "must not exist or be empty.\n"},
        {"package", "Usage: ./parlab package gradescope [LAB...] [OUT.zip] [--when-not-run award|exclude]\n"
                    "Writes a Gradescope autograder for an assignment of these labs (all when none is named;\n"
                    "default OUT.zip: parlab-gradescope.zip). A check the container cannot run (a timing check\n"
                    "under less than the whole cores it needs) is left out of the maximum, or given its points\n"
                    "with --when-not-run award.\n"},
        {"test", "Usage: ./parlab test\n"
                 "Builds the kit's trees and runs their tests (in the kit's own repository the dev tree, with the\n"
                 "grader's end-to-end tests and the known-bad self-check, then the tsan tree; in a student edition\n"
                 "the dev tree). Exit 0 when every test passed.\n"},
        {"bench", "Usage: ./parlab bench [--only LAB] [--mine] [--max-workers N] [--repetitions R]\n"
                  "Timing tables on this machine, from every lab's bench program: of the model solutions, or of\n"
                  "your own code with --mine (a student edition, which has no solutions, always times yours).\n"},
    };
    return usage;
}

using command_function = int (*)(const commands::command_arguments&);

// Every command by its name; any other name is a lab's program (commands::program).
const std::map<std::string, command_function>& command_table() {
    static const std::map<std::string, command_function> table{
        {"grade", commands::grade},     {"batch", commands::batch},     {"report", commands::report},
        {"similarity", commands::similarity}, {"list", commands::list}, {"hint", commands::hint},
        {"sources", commands::sources}, {"watch", commands::watch},     {"release", commands::release},
        {"package", commands::package}, {"bench", commands::bench},     {"check-kit", commands::check_kit},
        {"test", commands::test},
    };
    return table;
}

bool asks_for_help(const std::vector<std::string>& args) {
    return std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end();
}

}  // namespace

int main(int argc, char** argv) {
    // A run that ends while the grader writes to it must not take the grader with it.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        fmt::print(stderr, "parlab: the grader needs a command: grade, batch or report\n");
        return 2;
    }
    const std::string command = args.front();
    args.erase(args.begin());
    if (const auto usage = command_usage().find(command); usage != command_usage().end() && asks_for_help(args)) {
        fmt::print("{}", usage->second);
        return 0;
    }
    try {
        const auto found = command_table().find(command);
        return found != command_table().end() ? found->second(args) : commands::program(command, args);
    } catch (const std::exception& error) {
        // usage_error, std::invalid_argument and the rest: one line, and exit 2
        fmt::print(stderr, "parlab: {}\n", error.what());
        return 2;
    }
}
