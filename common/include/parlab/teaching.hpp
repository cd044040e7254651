#pragma once
// Helpers shared by the teaching programs (the classroom demos and benchmarks in
// grader/labs/NN-name/programs/, run by ./parlab demo, ./parlab bench and ./parlab filter):
// running the student's code so that a hang, a crash or a missing task becomes one line of
// the demo's output, pictures side by side, and the command line and main() they all have.

#include <cstddef>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "parlab/image.hpp"
#include "parlab/process.hpp"
#include "parlab/timing.hpp"

namespace parlab::teaching {

/// What a guarded call of the student's code gives back: a value, or a line saying why not.
template <class T>
struct outcome {
    std::optional<T> value;
    std::string problem;  ///< empty when there is a value
};

/// The line a demo shows for a call that gave no value: "not done yet: <message>" for an
/// exception (the skeleton's functions throw until the task is done), "stopped: ..." for a
/// call still running when its time ran out, "crashed: <how>" otherwise.
[[nodiscard]] std::string problem_text(limited_end end, const std::string& message);

/// Runs body() in a child process under a time limit of `budget` seconds (see
/// call_with_time_limit); its result, trivially copyable, comes back to the caller.
template <class T, class Body>
[[nodiscard]] outcome<T> run_guarded(double budget, Body&& body) {
    limited_result<T> got = call_with_time_limit<T>(budget, std::forward<Body>(body));
    if (got.value) return {got.value, ""};
    return {std::nullopt, problem_text(got.end, got.message)};
}

/// The panels in a row, left to right, on a white background with a gap between them, as an
/// RGB image. A panel wider than `max_panel_width` is shrunk by a whole factor (each output
/// pixel the mean of a block) so that the picture fits a projector.
[[nodiscard]] image side_by_side(std::span<const const_image_view> panels, int max_panel_width);

/// Thrown by arguments::next() for --help or -h; run_program prints the usage then.
struct help_requested {};

/// A command line read one argument at a time:
///     for (parlab::teaching::arguments args(argc, argv); args.next();) {
///         if (args.is("--out")) o.out = args.value();
///         else if (args.positional()) o.image = args.current();
///         else args.unknown();
///     }
class arguments {
public:
    arguments(int argc, char** argv) : argc_(argc), argv_(argv) {}
    /// Moves to the next argument; false after the last. Throws help_requested on --help, -h.
    bool next();
    [[nodiscard]] std::string current() const { return argv_[index_]; }
    [[nodiscard]] bool is(std::string_view option) const { return current() == option; }
    /// True for an argument that is not an option (does not start with '-').
    [[nodiscard]] bool positional() const;
    /// The argument after the current option, which it consumes. Throws std::invalid_argument
    /// ("--out needs a value") when there is none.
    [[nodiscard]] std::string value();
    /// The value() as a positive number, at most `most` (see parse_positive).
    [[nodiscard]] std::size_t positive_value(std::size_t most = 4096);
    /// Throws std::invalid_argument: "unknown option '--x' (--help lists them)".
    [[noreturn]] void unknown() const;

private:
    int argc_;
    char** argv_;
    int index_ = 0;
};

/// The main() of a teaching program. parse(argc, argv) reads the command line into options:
/// on std::invalid_argument (or any std::exception) it prints "PROGRAM: message" to stderr and
/// returns 2; on help_requested it prints `usage` and returns 0. Then run(options) does the
/// work and returns the exit code; an exception from it is printed the same way, exit code 1.
template <class Parse, class Run>
int run_program(std::string_view program, std::string_view usage, int argc, char** argv, Parse parse, Run run) {
    using options_type = std::invoke_result_t<Parse, int, char**>;
    std::optional<options_type> options;
    try {
        options.emplace(parse(argc, argv));
    } catch (const help_requested&) {
        std::fwrite(usage.data(), 1, usage.size(), stdout);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(program.size()), program.data(), e.what());
        return 2;
    }
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(program.size()), program.data(), e.what());
        return 1;
    }
}

/// The options of a demo that writes its files into a folder and times each figure:
/// [--out DIR] [--repetitions R].
struct timed_demo_options {
    std::filesystem::path out;    ///< the folder for the demo's files
    std::size_t repetitions = 0;  ///< timed runs per figure
    /// A command line of these options only, starting from the program's `defaults`; throws
    /// std::invalid_argument for anything else.
    [[nodiscard]] static timed_demo_options parse(int argc, char** argv, timed_demo_options defaults);
    /// The usage text with these values as the defaults; `files` says what the folder gets.
    [[nodiscard]] std::string usage(std::string_view program, std::string_view files) const;
};

/// The main() of a demo that takes only timed_demo_options: run_program with their parse and
/// usage, both from `defaults`.
template <class Run>
int run_timed_demo(std::string_view program, std::string_view files, const timed_demo_options& defaults, int argc,
                   char** argv, Run run) {
    const auto parse = [&](int count, char** values) { return timed_demo_options::parse(count, values, defaults); };
    return run_program(program, defaults.usage(program, files), argc, argv, parse, run);
}

/// The worker count of a program's --workers N option once the command line is read: `given`
/// when it was given (std::invalid_argument "--workers: at most 256" above 256), and
/// default_workers() when it was not (0).
[[nodiscard]] std::size_t workers_or_default(std::size_t given);

/// The options every lab's bench program takes (./parlab bench passes them on to each):
/// [--max-workers N] [--repetitions R]. 0 stands for the program's own default.
struct bench_options {
    std::size_t max_workers = 0;  ///< the largest worker count timed
    std::size_t repetitions = 0;  ///< timed runs per figure
    /// Reads the current argument if it is one of these options; false when it is not.
    bool read(arguments& args);
    /// A command line of these options only; throws std::invalid_argument for anything else.
    [[nodiscard]] static bench_options parse(int argc, char** argv);
};

/// What a bench program's usage text says about its options; the rest of the text is the same
/// for every bench program.
struct bench_usage {
    std::string_view max_workers;  ///< what --max-workers N does, and its default
    std::size_t repetitions = 0;   ///< the default of --repetitions R
};

/// The usage of an image benchmark: 16 workers at most, 9 repetitions.
inline constexpr bench_usage image_bench_usage{
    "the largest worker count; the counts double from 1 (default 16)", 9};

/// The usage text of a bench program that takes only bench_options.
[[nodiscard]] std::string bench_usage_text(std::string_view program, bench_usage usage);

/// The main() of a bench program that takes only bench_options: run_program with
/// bench_options::parse and the usage text of `usage`.
template <class Run>
int run_bench(std::string_view program, bench_usage usage, int argc, char** argv, Run run) {
    return run_program(program, bench_usage_text(program, usage), argc, argv, bench_options::parse, run);
}

/// A file a teaching program writes (a demo's CSV table, an SVG chart), made in its folder, which
/// is made when missing. Write to stream(), then close(), which throws std::runtime_error
/// "cannot write PATH" when the file could not be made or a write to it failed: a program never
/// names a file it did not write. Destroyed without close(), it closes the file and says nothing.
class output_file {
public:
    /// Throws std::filesystem::filesystem_error when the folder cannot be made.
    explicit output_file(std::filesystem::path path);
    [[nodiscard]] std::ostream& stream() noexcept { return stream_; }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    /// Writes out what is buffered and closes the file; throws as said above.
    void close();

private:
    std::filesystem::path path_;
    std::ofstream stream_;
};

/// 1, 2, 4, ... up to max_workers.
[[nodiscard]] std::vector<std::size_t> doubling_counts(std::size_t max_workers);

/// The median time of `repetitions` timed runs of body() after one warm-up, in milliseconds.
template <class Body>
[[nodiscard]] double median_ms(Body&& body, std::size_t repetitions) {
    return time_repeated(std::forward<Body>(body), repetitions).median * 1e3;
}

}  // namespace parlab::teaching
