#include "io.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace parlab::grader {
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string text;
    char chunk[4096];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) text.append(chunk, static_cast<std::size_t>(in.gcount()));
    return text;
}

std::optional<nlohmann::json> read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    try {
        return std::make_optional(nlohmann::json::parse(in));  // explicit: nlohmann 3.10 finds the conversion ambiguous
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void write_file(const fs::path& path, const std::string& text) {
    const fs::path temporary = path.string() + fmt::format(".tmp-{}", ::getpid());
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    out << text;
    out.close();
    std::error_code error;
    if (!out) {
        fs::remove(temporary, error);
        throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
    fs::rename(temporary, path, error);
    if (error) {
        fs::remove(temporary, error);
        throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), error.message()));
    }
}

}  // namespace parlab::grader
