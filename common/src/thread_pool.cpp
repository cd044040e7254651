#include "parlab/thread_pool.hpp"

#include "parlab/workers.hpp"

namespace parlab {

thread_pool::thread_pool(std::size_t threads) {
    if (threads == 0) threads = default_workers();
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run_worker(); });
}

thread_pool::~thread_pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
}

void thread_pool::enqueue(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void thread_pool::run_worker() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and nothing left to do
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();  // a packaged_task: exceptions go to its future
    }
}

}  // namespace parlab
