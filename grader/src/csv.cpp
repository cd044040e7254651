#include "csv.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace parlab::grader {
namespace {

constexpr const char* byte_order_mark = "\xEF\xBB\xBF";

// The fields of one CSV line (quotes as RFC 4180 has them, without line breaks inside a field).
std::vector<std::string> split_fields(const std::string& line, const std::string& where) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"' && (quoted || fields.back().empty())) {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    if (quoted) throw std::invalid_argument(where + ": a quoted field is not closed (a line break inside quotes is not allowed)");
    return fields;
}

}  // namespace

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    return first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<csv_record> read_csv_table(const std::string& text, const std::string& source,
                                       const std::vector<std::string>& columns) {
    const std::string expected = fmt::format("{}", fmt::join(columns, ","));
    std::istringstream in(text.rfind(byte_order_mark, 0) == 0 ? text.substr(3) : text);
    std::vector<std::string> header;  // the columns in the file's order
    std::vector<csv_record> records;
    std::size_t number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trimmed(line).empty()) continue;
        const std::string where = fmt::format("{} line {}", source, number);
        std::vector<std::string> fields = split_fields(line, where);
        for (auto& field : fields) field = trimmed(field);
        if (header.empty()) {
            for (const auto& column : columns)
                if (std::find(fields.begin(), fields.end(), column) == fields.end())
                    throw std::invalid_argument(
                        fmt::format("{}: the header has no column '{}' (expected {})", where, column, expected));
            if (fields.size() != columns.size())
                throw std::invalid_argument(
                    fmt::format("{}: the header has {} columns, expected {}", where, fields.size(), expected));
            header = std::move(fields);
            continue;
        }
        if (fields.size() != header.size())
            throw std::invalid_argument(fmt::format("{}: {} fields, expected {} ({}; quote a field that holds a comma)",
                                                    where, fields.size(), header.size(), expected));
        csv_record record{number, {}};
        for (std::size_t c = 0; c < header.size(); ++c) record.fields[header[c]] = std::move(fields[c]);
        records.push_back(std::move(record));
    }
    if (header.empty()) throw std::invalid_argument(fmt::format("{}: no header row ({})", source, expected));
    return records;
}

}  // namespace parlab::grader
