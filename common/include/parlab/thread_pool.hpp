#pragma once
// A small pool of threads: submit tasks, map over items (in input order or in completion
// order) and run a parallel for loop over blocks.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <span>
#include <thread>
#include <type_traits>
#include <vector>

#include "parlab/split.hpp"

namespace parlab {

/// A fixed set of worker threads taking tasks from one queue. The destructor finishes the
/// queued tasks, then joins the threads.
class thread_pool {
public:
    /// Starts `threads` workers (default_workers() when 0).
    explicit thread_pool(std::size_t threads = 0);
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;
    ~thread_pool();

    [[nodiscard]] std::size_t size() const noexcept { return threads_.size(); }

    /// Queues `task`; the future yields its result or rethrows its exception.
    template <class Task>
    [[nodiscard]] auto submit(Task task) -> std::future<std::invoke_result_t<Task&>> {
        using result = std::invoke_result_t<Task&>;
        auto packaged = std::make_shared<std::packaged_task<result()>>(std::move(task));
        std::future<result> future = packaged->get_future();
        enqueue([packaged] { (*packaged)(); });
        return future;
    }

    /// fn(item) for every item, run on the pool; results in input order. It replaces
    ///     for (auto& item : items) results.push_back(fn(item));
    /// The first exception thrown by fn is rethrown after all calls finish.
    template <class T, class Fn>
    [[nodiscard]] auto map(std::span<T> items, Fn fn) -> std::vector<std::invoke_result_t<Fn&, T&>> {
        using result = std::invoke_result_t<Fn&, T&>;
        std::vector<std::future<result>> futures;
        futures.reserve(items.size());
        for (T& item : items) futures.push_back(submit([&fn, &item] { return fn(item); }));
        return collect(futures);
    }

    /// Like map, but results come in the order the calls finished (like Pool.imap_unordered).
    template <class T, class Fn>
    [[nodiscard]] auto map_unordered(std::span<T> items, Fn fn)
        -> std::vector<std::invoke_result_t<Fn&, T&>> {
        using result = std::invoke_result_t<Fn&, T&>;
        std::mutex done_mutex;
        std::vector<result> done;
        done.reserve(items.size());
        std::vector<std::future<void>> futures;
        futures.reserve(items.size());
        for (T& item : items)
            futures.push_back(submit([&fn, &item, &done_mutex, &done] {
                result value = fn(item);
                std::lock_guard lock(done_mutex);
                done.push_back(std::move(value));
            }));
        collect(futures);
        return done;
    }

    /// Splits [first, last) into `blocks` contiguous blocks (even_split; default: one per
    /// thread) and calls body(i) for each index, one block per task. It replaces
    ///     for (std::size_t i = first; i < last; ++i) body(i);
    /// The first exception thrown by body is rethrown after all blocks finish.
    template <class Body>
    void parallel_for(std::size_t first, std::size_t last, Body body, std::size_t blocks = 0) {
        if (last <= first) return;
        if (blocks == 0) blocks = size();
        std::vector<std::future<void>> futures;
        for (const block& b : even_split(last - first, blocks)) {
            if (b.empty()) continue;
            futures.push_back(submit([&body, lo = first + b.first, hi = first + b.last] {
                for (std::size_t i = lo; i < hi; ++i) body(i);
            }));
        }
        collect(futures);
    }

private:
    void enqueue(std::function<void()> task);
    void run_worker();

    // Waits for every future, then rethrows the first exception; returns the values in order.
    template <class R>
    static auto collect(std::vector<std::future<R>>& futures) {
        std::exception_ptr first_error;
        if constexpr (std::is_void_v<R>) {
            for (auto& f : futures) {
                try { f.get(); } catch (...) { if (!first_error) first_error = std::current_exception(); }
            }
            if (first_error) std::rethrow_exception(first_error);
        } else {
            std::vector<R> values;
            values.reserve(futures.size());
            for (auto& f : futures) {
                try {
                    values.push_back(f.get());
                } catch (...) {
                    if (!first_error) first_error = std::current_exception();
                }
            }
            if (first_error) std::rethrow_exception(first_error);
            return values;
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace parlab
