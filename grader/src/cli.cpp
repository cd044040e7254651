#include "cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t page_width = 100;
constexpr std::size_t summary_column = 22;  ///< where a summary starts in ./parlab help

// `text` wrapped to the page: its first line continues a line already `start` characters long,
// the others start after `indent` spaces. A '\n' in `text` starts a new paragraph there.
std::string wrapped(const std::string& text, std::size_t start, std::size_t indent) {
    std::string out;
    std::size_t column = start;
    std::istringstream paragraphs(text);
    bool first_paragraph = true;
    for (std::string paragraph; std::getline(paragraphs, paragraph);) {
        if (!first_paragraph) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
        }
        first_paragraph = false;
        std::istringstream words(paragraph);
        bool first_word = true;
        for (std::string word; words >> word; first_word = false) {
            if (!first_word && column + 1 + word.size() > page_width) {
                out += "\n" + std::string(indent, ' ');
                column = indent;
            } else if (!first_word) {
                out += ' ';
                ++column;
            }
            out += word;
            column += word.size();
        }
    }
    return out;
}

// `left` followed by `text` from column `column` (on a line of its own when `left` is too long).
std::string two_columns(const std::string& left, const std::string& text, std::size_t column) {
    if (text.empty()) return left + "\n";
    const std::string gap = left.size() + 1 <= column ? std::string(column - left.size(), ' ')
                                                      : "\n" + std::string(column, ' ');
    return left + gap + wrapped(text, column, column) + "\n";
}

// CLI11's help, arranged for the kit: the usage line first, then the description, then the
// arguments and options, each with its description wrapped beside it and what it needs or
// excludes (as CLI11 knows it from ->needs and ->excludes).
class help_formatter : public CLI::Formatter {
public:
    help_formatter() { label("Positionals", "Arguments"); }

    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
        std::string help = make_usage(app, std::move(name)) + wrapped(app->get_description(), 0, 0) + "\n" +
                           make_positionals(app) + make_groups(app, mode);
        // one blank line between groups of options (CLI11 puts two)
        for (auto at = help.find("\n\n\n"); at != std::string::npos; at = help.find("\n\n\n", at)) help.erase(at, 1);
        return help;
    }

    // "Usage: ./parlab NAME ARGUMENTS --required-option VALUE [OPTIONS]"
    std::string make_usage(const CLI::App* app, std::string name) const override {
        std::string usage = "Usage: " + name;
        for (const CLI::Option* argument : app->get_options([](const CLI::Option* o) { return o->get_positional(); }))
            usage += " " + make_option_usage(argument);
        const auto visible = [](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); };
        for (const CLI::Option* option : app->get_options(visible))
            if (option->get_required()) usage += fmt::format(" {} {}", option->get_name(), option->get_type_name());
        return usage + " [OPTIONS]\n";
    }

    std::string make_option(const CLI::Option* option, bool is_positional) const override {
        std::string left = "  " + make_option_name(option, is_positional);
        if (!is_positional && option->get_type_size() != 0) left += " " + option->get_type_name();
        std::string text = option->get_description();
        for (const CLI::Option* other : option->get_needs()) text += fmt::format(" (with {})", other->get_name());
        for (const CLI::Option* other : option->get_excludes()) text += fmt::format(" (not with {})", other->get_name());
        return two_columns(left, text, get_column_width());
    }
};

// --root on `app`: the kit's folder (it holds grader/labs/), made canonical. Hidden from the help:
// the parlab script always gives it.
void add_root_option(CLI::App& app, fs::path& root) {
    const auto kit_folder = [](const std::string& text) {
        if (text.empty() || !fs::exists(fs::path(text) / "grader" / "labs"))
            throw CLI::ValidationError(fmt::format("expected the ParLab kit's folder, got '{}'", text));
        return fs::canonical(text).string();
    };
    app.add_option("--root", root, "the kit's folder")->group("")->required()->transform(kit_folder);
}

// CLI11 takes the arguments last first.
void parse(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
}

}  // namespace

struct command_line::command {
    CLI::App* app;
    std::function<int()> run;
};

command_line::command_line(std::string about, std::string footer)
    : app_(std::make_unique<CLI::App>("", "parlab")), about_(std::move(about)), footer_(std::move(footer)) {
    // Set before the commands are added, which take these from it: no --help of its own (help is
    // a command), exactly one command, our help layout, and the last of a repeated option counts.
    app_->set_help_flag();
    app_->require_subcommand(1);
    app_->formatter(std::make_shared<help_formatter>());
    app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

command_line::~command_line() = default;

CLI::App& command_line::add_app(command_text text, fs::path& root, std::function<int()> run) {
    CLI::App* app = app_->add_subcommand(text.name, text.description);
    app->set_help_flag("-h,--help", "print this help and exit");
    add_root_option(*app, root);
    for (auto& line : text.lines) lines_.push_back({text.name, std::move(line)});
    commands_.push_back({app, std::move(run)});
    return *app;
}

void command_line::otherwise(std::vector<help_line> lines, passthrough run) {
    for (auto& line : lines) lines_.push_back({"", std::move(line)});
    otherwise_ = std::move(run);
}

int command_line::run(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("the grader needs a command; ./parlab help lists them");
    std::vector<std::string> words = args;
    if (words.front() == "-h" || words.front() == "--help") words.front() = "help";
    const auto found = std::find_if(commands_.begin(), commands_.end(),
                                    [&](const command& c) { return c.app->get_name() == words.front(); });
    if (found == commands_.end()) return run_otherwise(words);
    try {
        parse(*app_, words);
    } catch (const CLI::CallForHelp&) {
        fmt::print("{}", *help(words.front()));
        return 0;
    } catch (const CLI::ParseError& error) {
        throw usage_error(describe(error, *found->app, words));
    }
    return found->run();
}

int command_line::run_otherwise(const std::vector<std::string>& args) const {
    if (!otherwise_) throw usage_error(fmt::format("unknown command '{}' (./parlab help lists them)", args.front()));
    // The program's arguments are its own, --help included: no help flag, and whatever is not
    // --root is kept as it was written.
    CLI::App program;
    program.set_help_flag();
    program.allow_extras();
    fs::path root;
    add_root_option(program, root);
    try {
        parse(program, args);
    } catch (const CLI::ParseError& error) {
        throw usage_error(fmt::format("{}: {}", args.front(), error.what()));
    }
    const auto rest = program.remaining();
    if (rest.empty()) throw usage_error("the grader needs a command; ./parlab help lists them");
    return otherwise_(root, rest);
}

// One line on a mistake in a command line, in the kit's words where CLI11's would say less.
std::string command_line::describe(const std::exception& error, const CLI::App& app, const std::vector<std::string>& args) const {
    const std::string name = app.get_name();
    std::string usage = help_formatter().make_usage(&app, "./parlab " + name);
    usage = usage.substr(usage.find(' ') + 1);  // without "Usage: "
    usage.erase(usage.find_last_not_of('\n') + 1);
    if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
        const auto extras = app_->remaining(true);
        const std::string first = extras.empty() ? std::string() : extras.front();
        if (first.rfind('-', 0) == 0)
            return fmt::format("{}: unknown option '{}' (./parlab {} --help lists them)", name, first, name);
        return fmt::format("{}: unexpected argument '{}' (usage: {})", name, first, usage);
    }
    if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
        const auto missing = app.get_options([](const CLI::Option* o) { return o->get_required() && o->count() == 0; });
        if (!missing.empty()) {
            // CLI11 names a hidden option (--root) "": its long name then
            const CLI::Option& option = *missing.front();
            const bool argument = option.get_positional() || option.get_lnames().empty();
            return fmt::format("{} needs {} (usage: {})", name,
                               argument ? option.get_name(true) : "--" + option.get_lnames().front(), usage);
        }
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
        const CLI::Option* last = app.get_option_no_throw(args.back());
        if (last != nullptr && last->get_type_size() != 0) return fmt::format("{}: {} needs a value", name, args.back());
    }
    return fmt::format("{}: {}", name, error.what());
}

std::string command_line::overview() const {
    static constexpr std::pair<audience, const char*> sections[] = {
        {audience::students, "For students"},
        {audience::instructors, "For instructors"},
        {audience::teaching, "For teaching"},
        {audience::contributors, "For contributors"},
    };
    std::string out =
        about_ + "\n\nUsage: ./parlab COMMAND [OPTIONS]   (./parlab COMMAND --help: its arguments and options)\n";
    for (const auto& [reader, title] : sections) {
        out += fmt::format("\n{}\n", title);
        for (const auto& listed : lines_)
            if (listed.line.reader == reader)
                out += two_columns("  " + wrapped(listed.line.synopsis, 2, 8), listed.line.summary, summary_column);
    }
    return out + "\n" + wrapped(footer_, 0, 0) + "\n";
}

std::optional<std::string> command_line::help(const std::string& name) const {
    const CLI::App* app = find(name);
    if (app == nullptr) return std::nullopt;
    return app->help("./parlab");
}

const CLI::App* command_line::find(const std::string& name) const {
    for (const auto& c : commands_)
        if (c.app->get_name() == name) return c.app;
    return nullptr;
}

std::vector<std::string> command_line::names() const {
    std::vector<std::string> names;
    for (const auto& c : commands_) names.push_back(c.app->get_name());
    return names;
}

std::function<std::string(const std::string&)> whole_number(unsigned long long least, unsigned long long most) {
    return [least, most](const std::string& text) -> std::string {
        unsigned long long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size() && value >= least && value <= most) return {};
        if (most == std::numeric_limits<unsigned long long>::max())
            return fmt::format("expected a whole number, {} or more, got '{}'", least, text);
        return fmt::format("expected a whole number from {} to {}, got '{}'", least, most, text);
    };
}

std::function<std::string(const std::string&)> one_of(std::vector<std::string> words) {
    return [words = std::move(words)](const std::string& text) -> std::string {
        if (std::find(words.begin(), words.end(), text) != words.end()) return {};
        std::string expected;
        for (std::size_t i = 0; i < words.size(); ++i)
            expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
        return fmt::format("expected {}, got '{}'", expected, text);
    };
}

}  // namespace parlab::grader
