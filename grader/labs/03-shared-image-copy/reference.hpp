#pragma once
// The grader's serial reference for lab 03: each worker's rows, stated as plainly as possible. It is
// the grader's own and independent of solutions/, which are fast parallel model answers.

#include <algorithm>
#include <vector>

namespace parlab::grader::reference {

/// The rows worker `worker` of `workers` copies: a contiguous block (the first height % workers
/// blocks one row longer) or every workers-th row from `worker`.
[[nodiscard]] inline std::vector<int> rows_of_worker(int height, int workers, int worker, bool interleaved) {
    std::vector<int> rows;
    if (interleaved) {
        for (int y = worker; y < height; y += workers) rows.push_back(y);
        return rows;
    }
    const int base = height / workers, extra = height % workers;
    const int first = worker * base + std::min(worker, extra);
    for (int y = first; y < first + base + (worker < extra ? 1 : 0); ++y) rows.push_back(y);
    return rows;
}

}  // namespace parlab::grader::reference
