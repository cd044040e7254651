#include "cli.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace parlab::grader {

bool arguments::flag(const std::string& name) const {
    return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::string arguments::value(const std::string& name, const std::string& fallback) const {
    const auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
}

arguments parse_arguments(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                          const std::vector<std::string>& without_value, unknown_options unknown) {
    const auto known = [](const std::vector<std::string>& list, const std::string& a) {
        return std::find(list.begin(), list.end(), a) != list.end();
    };
    arguments parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a.rfind("--", 0) != 0) {
            parsed.positional.push_back(a);
            continue;
        }
        std::string inline_value;
        bool has_inline = false;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            inline_value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_inline = true;
        }
        if (known(with_value, a)) {
            if (!has_inline && i + 1 >= args.size()) throw usage_error(fmt::format("{} needs a value", a));
            parsed.values[a] = has_inline ? inline_value : args[++i];
        } else if (known(without_value, a) && !has_inline) {
            parsed.flags.push_back(a);
        } else if (unknown == unknown_options::pass_on) {
            parsed.positional.push_back(args[i]);
        } else {
            throw usage_error(fmt::format("unknown option '{}'", args[i]));
        }
    }
    return parsed;
}

}  // namespace parlab::grader
