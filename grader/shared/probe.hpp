#pragma once
// The probe side of the grader's protocol. A probe is a program of the grader's, linked to the
// student's lab library and run in the sandbox:
//     probe check NAME --seed=N [--canary] [--key=value...]
//         says "ready" on fd 3 as soon as main() starts, runs NAME once and answers one JSON
//         line on fd 3; with --canary (ThreadSanitizer builds) it then races on purpose in code
//         of its own, so the grader can tell a silent ThreadSanitizer from one that was silenced
//     probe time NAME --seed=N [--key=value...]
//         says "ready", sets up and says "prepared", then for each "go NONCE" line on fd 4 runs
//         NAME once on input made from the nonce and answers "ok DIGEST" (or "error ...")
// The grader times "go" to answer from its own side and checks every answer (and every digest)
// against its own reference; the probe never knows the expected result. Nothing a probe says is
// trusted without that check: the student's code runs in the same process and can write on
// fd 3 too.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

namespace parlab::probe {

struct arguments {
    std::string mode;  ///< check | time
    std::string name;
    std::map<std::string, std::string> options;
    bool canary = false;
    [[nodiscard]] std::string get(const std::string& key, const std::string& fallback = "") const {
        const auto it = options.find(key);
        return it == options.end() ? fallback : it->second;
    }
    [[nodiscard]] unsigned long long number(const std::string& key, unsigned long long fallback = 0) const {
        const auto it = options.find(key);
        return it == options.end() ? fallback : std::stoull(it->second);
    }
};

inline arguments parse(int argc, char** argv) {
    arguments args;
    if (argc > 1) args.mode = argv[1];
    if (argc > 2) args.name = argv[2];
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--canary") args.canary = true;
        const auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) args.options[a.substr(2, eq - 2)] = a.substr(eq + 1);
    }
    return args;
}

/// Writes one answer line on the control channel.
inline void answer(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(3, text.data() + done, text.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

/// Waits for the next "go NONCE" on fd 4 and returns the nonce; false when the grader closed the
/// channel or sent something else.
inline bool wait_for_go(std::uint64_t& nonce) {
    std::string line;
    char c = 0;
    while (::read(4, &c, 1) == 1) {
        if (c != '\n') {
            line += c;
            continue;
        }
        if (line.rfind("go ", 0) != 0) return false;
        try {
            nonce = std::stoull(line.substr(3));
        } catch (const std::exception&) {
            return false;
        }
        return true;
    }
    return false;
}

/// Runs `call` (the student's code) and returns the what() of the exception it let out, or
/// nothing when it returned; the probe then answers how the call ended instead of dying with it.
template <class Call>
[[nodiscard]] std::optional<std::string> exception_from(Call&& call) {
    try {
        std::forward<Call>(call)();
    } catch (const std::exception& error) {
        return error.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
    return std::nullopt;
}

/// A deliberate data race between two threads of the probe's own. Under ThreadSanitizer it must
/// be reported every time; the grader looks for this function's name in the report.
[[gnu::noinline]] inline void parlab_probe_canary_race() {
    static volatile long canary = 0;  // unsynchronised on purpose
    std::thread first([] {
        for (int i = 0; i < 100; ++i) canary = canary + 1;
    });
    std::thread second([] {
        for (int i = 0; i < 100; ++i) canary = canary + 1;
    });
    first.join();
    second.join();
}

/// A timed body: runs the work once on input made from the nonce and returns a digest of the
/// result, which the grader checks before the time counts.
using timed_body = std::function<std::string(std::uint64_t nonce)>;

/// What a probe provides: checks answer JSON, timed bodies are set up once and run per "go".
struct probe_table {
    std::map<std::string, std::function<nlohmann::json(const arguments&)>> checks;
    std::map<std::string, std::function<timed_body(const arguments&)>> timed;
};

/// Runs the probe: returns the process's exit code. An exception from the student's code is an
/// answer {"error": ...} (check) or "error ..." (time).
inline int run(int argc, char** argv, const probe_table& table) {
    answer("ready");  // main() was reached: the lab's globals did not hang
    const arguments args = parse(argc, argv);
    try {
        if (args.mode == "check") {
            const auto it = table.checks.find(args.name);
            if (it == table.checks.end()) {
                answer(nlohmann::json{{"error", "the probe has no check '" + args.name + "'"}}.dump());
                return 2;
            }
            answer(it->second(args).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            if (args.canary) parlab_probe_canary_race();
            return 0;
        }
        if (args.mode == "time") {
            const auto it = table.timed.find(args.name);
            if (it == table.timed.end()) {
                // the grader reads this line: from its own program, the check is not run (checks.cpp)
                answer("error the probe has no timed run '" + args.name + "'");
                return 2;
            }
            const timed_body body = it->second(args);
            answer("prepared");  // set-up done: the grader starts timing from here
            for (std::uint64_t nonce = 0; wait_for_go(nonce);) answer("ok " + body(nonce));
            return 0;
        }
    } catch (const std::exception& error) {
        const std::string message = std::string("your code threw an exception: ") + error.what();
        if (args.mode == "check") answer(nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        else answer("error " + message);
        return 1;
    }
    std::fprintf(stderr, "usage: probe check|time NAME --seed=N\n");
    return 2;
}

}  // namespace parlab::probe
