#pragma once
// Files as the grader reads and writes them: whole, and replaced atomically.

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace parlab::grader {

/// The bytes of `path`; empty when it cannot be read.
[[nodiscard]] std::string read_text(const std::filesystem::path& path);

/// The JSON document in `file`; empty when the file is missing or is not JSON.
[[nodiscard]] std::optional<nlohmann::json> read_json(const std::filesystem::path& file);

/// Writes `text` to `path` through a temporary file renamed over it, so that a reader sees the
/// old file or the new one, never half of one. Throws std::runtime_error naming the file when it
/// cannot.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace parlab::grader
