#pragma once
// The kit's tuned edge filter: the same bytes as lab 04's definition (filter.hpp), as fast as
// one core allows. It is the instructor's, like the rest of solutions/: `./parlab bench` times it
// against cv::filter2D and against the model answer, to show how far the lab's filter can go.
// The student edition has no copy, and its bench leaves these rows out.

#include <cstdint>
#include <span>

#include "filter.hpp"

namespace parlab::lab04::tuned {

/// Computes row y of the filtered image into `out` (source.row_bytes() bytes), byte for byte
/// what lab04::filter_row defines. 0 <= y < source.height; f must pass check_filter.
void filter_row(const_image_view source, const filter_spec& f, int y, std::span<std::uint8_t> out);

}  // namespace parlab::lab04::tuned
