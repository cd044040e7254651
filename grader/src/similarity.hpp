#pragma once
// The class's similarity check: every pair of submissions compared lab by lab with sim_c++ (the
// similarity-tester package of Debian and Ubuntu, which compares token runs, so renamed
// variables and moved comments do not hide a copy), with the lines the skeleton gives left out,
// and the pairs above a threshold listed on an HTML page with their matching runs side by side.

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

namespace parlab::grader {

struct similarity_options {
    std::filesystem::path root;         ///< the kit (its labs/ holds the skeletons)
    std::filesystem::path submissions;  ///< one folder per student, as for batch
    std::filesystem::path out;          ///< the HTML page
    std::vector<std::string> lab_names; ///< empty: every lab a submission has
    int threshold = 50;                 ///< a pair is listed when either holds this share (%) of the other
    std::string tool = "sim_c++";
};

/// Two students' files of one lab, with the share of each that the other's holds.
struct similar_pair {
    std::string lab, first, second;
    int first_share = 0;   ///< % of the first's code found in the second's
    int second_share = 0;  ///< % of the second's code found in the first's
    std::string runs;      ///< sim's matching runs, side by side
};

/// `code` without the lines the skeleton gives: a line goes when, spaces trimmed, it is a
/// non-empty line of `skeleton`.
[[nodiscard]] std::string without_given_lines(const std::string& code, const std::string& skeleton);

/// sim's percentage lines ("A consists for 72 % of B material") as (A, B, 72).
[[nodiscard]] std::vector<std::tuple<std::string, std::string, int>> parse_sim_shares(const std::string& output);

/// Compares the class; the pairs at or above the threshold, highest share first. Throws
/// std::runtime_error when sim_c++ cannot be run.
[[nodiscard]] std::vector<similar_pair> find_similar(const similarity_options& options);

/// The page: the pairs (none: says so), each with its runs.
[[nodiscard]] std::string similarity_html(const std::vector<similar_pair>& pairs, const similarity_options& options,
                                          std::size_t students);

}  // namespace parlab::grader
