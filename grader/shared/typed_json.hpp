#pragma once
// The kit's one way to give a struct a JSON form: PARLAB_JSON_FIELDS(type, field...) defines
// to_json and from_json for it, so the probe that writes an answer and the verifier that reads it
// agree on every field by construction.
//
// Why not nlohmann's own NLOHMANN_DEFINE_TYPE_* macros: the kit promises nlohmann-json 3.10.5
// (Ubuntu 22.04, Gradescope's default image), and the variants that take a default for a missing
// field arrived only in 3.11. This macro behaves the same on every 3.x from 3.10.5 on, and the
// kit's test `grader.toolchain-floor` refuses any other use of those macros in the tree.
//
// Reading: every field named must be present (a missing one throws nlohmann::json::out_of_range
// naming it), except the fields of PARLAB_JSON_OPTIONAL, which keep the value the struct gives
// them when the JSON has no such key.

#include <nlohmann/json.hpp>

namespace parlab::json_detail {

template <class T>
void read_required(const nlohmann::json& json, const char* key, T& field) {
    json.at(key).get_to(field);
}

template <class T>
void read_optional(const nlohmann::json& json, const char* key, T& field) {
    if (const auto found = json.find(key); found != json.end()) found->get_to(field);
}

}  // namespace parlab::json_detail

// The field list goes through NLOHMANN_JSON_PASTE, which applies a macro to each argument (up to
// 63 of them); it has been part of nlohmann-json since 3.9.
#define PARLAB_JSON_DETAIL_WRITE(field) json_out[#field] = value.field;
#define PARLAB_JSON_DETAIL_READ(field) ::parlab::json_detail::read_required(json_in, #field, value.field);
#define PARLAB_JSON_DETAIL_READ_OPTIONAL(field) ::parlab::json_detail::read_optional(json_in, #field, value.field);

#define PARLAB_JSON_DETAIL_DEFINE(type, read, ...)                                                   \
    [[maybe_unused]] inline void to_json(nlohmann::json& json_out, const type& value) {              \
        NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(PARLAB_JSON_DETAIL_WRITE, __VA_ARGS__))             \
    }                                                                                                \
    [[maybe_unused]] inline void from_json(const nlohmann::json& json_in, type& value) {             \
        NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(read, __VA_ARGS__))                                 \
    }

/// Defines to_json and from_json for `type` (call it in the type's namespace) over the fields
/// named; each must be in the JSON when it is read.
#define PARLAB_JSON_FIELDS(type, ...) PARLAB_JSON_DETAIL_DEFINE(type, PARLAB_JSON_DETAIL_READ, __VA_ARGS__)

/// Like PARLAB_JSON_FIELDS, but a field missing from the JSON keeps the struct's own default.
#define PARLAB_JSON_OPTIONAL(type, ...) PARLAB_JSON_DETAIL_DEFINE(type, PARLAB_JSON_DETAIL_READ_OPTIONAL, __VA_ARGS__)
