// Lab 04's part of the grader's reference program (grader/shared/reference_probe.cpp): the
// serial reference filter the student's one-worker filter is timed against.

#include <memory>
#include <utility>

#include "inputs.hpp"
#include "probe.hpp"
#include "reference.hpp"

namespace parlab::grader {

void add_baselines_04_edge_filter(parlab::probe::probe_table& table) {
    // The serial reference filter (sobel-x) on the timing image. Like the probe's "threads" run
    // it is timed against, it makes its two images once and then pays only for new input, the
    // filter and the digest: the given filter_row, which clamps every access too, measures
    // about 1.0x against it, so a speedup is the student's own.
    table.timed["edge-filter/filter"] = [](const parlab::probe::arguments& args) -> parlab::probe::timed_body {
        const auto seed = args.number("seed");
        auto picture = std::make_shared<parlab::image>(timing_image(seed, 0));
        auto out = std::make_shared<parlab::image>(picture->width(), picture->height(), picture->channels());
        return [seed, picture, out](std::uint64_t nonce) {
            fill_timing_image(*picture, seed, nonce);
            reference::apply_filter(std::as_const(*picture).view(), reference::named_filters().at("sobel-x"), out->view());
            return digest_bytes(out->bytes());
        };
    };
}

}  // namespace parlab::grader
