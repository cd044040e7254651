// Lab 04's part of the grader's reference program (grader/shared/reference_probe.cpp): the
// serial reference filter the student's one-worker filter is timed against.

#include "inputs.hpp"
#include "probe.hpp"
#include "reference.hpp"

namespace parlab::grader {

void add_baselines_04_edge_filter(parlab::probe::probe_table& table) {
    // The serial reference filter (sobel-x) on the timing image.
    table.timed["edge-filter/filter"] = [](const parlab::probe::arguments& args) -> parlab::probe::timed_body {
        const auto seed = args.number("seed");
        return [seed](std::uint64_t nonce) {
            const parlab::image picture = timing_image(seed, nonce);
            const parlab::image out = reference::apply_filter(picture.view(), reference::named_filters().at("sobel-x"));
            return digest_bytes(out.bytes());
        };
    };
}

}  // namespace parlab::grader
