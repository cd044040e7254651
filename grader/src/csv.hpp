#pragma once
// The CSV files an instructor writes (a roster, hand marks) and the ones the grader writes (the
// gradebook, LMS imports): RFC 4180 quoting, one record a line.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace parlab::grader {

/// `text` as one CSV field: quoted when it holds a comma, a quote or a line break.
[[nodiscard]] std::string csv_field(const std::string& text);

/// `text` without the spaces and tabs at either end.
[[nodiscard]] std::string trimmed(const std::string& text);

/// One record of a CSV table read by read_csv_table: its line in the file and its fields by column.
struct csv_record {
    std::size_t line = 0;
    std::map<std::string, std::string> fields;
    [[nodiscard]] const std::string& operator[](const std::string& column) const { return fields.at(column); }
};

/// The records of CSV `text` read from `source` (a path, for messages): a header row naming every
/// column of `columns` (in any order, nothing else), then one record a line, each field trimmed.
/// Blank lines, a UTF-8 byte order mark and CRLF line ends are allowed. Throws
/// std::invalid_argument naming `source` and the line for a missing header, a missing or unknown
/// column, a wrong number of fields or an unclosed quote.
[[nodiscard]] std::vector<csv_record> read_csv_table(const std::string& text, const std::string& source,
                                                     const std::vector<std::string>& columns);

}  // namespace parlab::grader
