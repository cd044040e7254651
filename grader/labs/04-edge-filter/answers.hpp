#pragma once
// Lab 04's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab04 {

/// filter-row, threads, processes: the seeded images (then the photo) filtered with the seeded
/// kernel, as raw files in the run folder.
struct filtered_answer {
    std::vector<std::string> files;
};
PARLAB_JSON_FIELDS(filtered_answer, files)

/// named: each reference filter's name and the raw file of a seeded image filtered with what
/// named_filter gave for it; "" (null in JSON) when named_filter knew no such filter.
struct named_answer {
    std::map<std::string, std::string> filters;
};
inline void to_json(nlohmann::json& json, const named_answer& answer) {
    json = {{"filters", nlohmann::json::object()}};
    for (const auto& [name, file] : answer.filters)
        json["filters"][name] = file.empty() ? nlohmann::json(nullptr) : nlohmann::json(file);
}
inline void from_json(const nlohmann::json& json, named_answer& answer) {
    answer.filters.clear();
    for (const auto& [name, file] : json.at("filters").items())
        answer.filters[name] = file.is_null() ? std::string() : file.get<std::string>();
}

/// lock: how the rows went when the caller's row function ran under run_rows_threads.
struct lock_answer {
    int rows = 0;          ///< of the image
    int under_lock = 0;    ///< rows computed while holding the output lock
    int missing = 0;       ///< rows never computed
    int repeated = 0;      ///< rows computed more than once
    int wrong_bytes = 0;   ///< output bytes that are not what the row function wrote
    std::uint64_t acquisitions = 0;
    int outside = 0;       ///< calls for a row outside the image (a second run with more workers than rows)
    int outside_row = 0;   ///< the first such row
    int small_rows = 0;    ///< the rows and workers of that second run
    int small_workers = 0;
};
PARLAB_JSON_FIELDS(lock_answer, rows, under_lock, missing, repeated, wrong_bytes, acquisitions, outside,
                                   outside_row, small_rows, small_workers)

}  // namespace parlab::grader::lab04
