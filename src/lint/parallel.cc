#include "lint/parallel.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace nodex::lint {

unsigned LintThreads() {
  constexpr unsigned kMaxThreads = 8;
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  return std::min(cpus, kMaxThreads);
}

void ParallelFor(size_t n, const std::function<void(size_t)>& job) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) job(i);
  };
  const size_t threads = std::min<size_t>(LintThreads(), n);
  std::vector<std::thread> pool;
  try {
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {
    // No more threads: the ones running and this one share the work.
  }
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace nodex::lint
