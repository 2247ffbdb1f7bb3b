// Runs independent jobs of `nodex lint` (parsing pieces of input,
// normalising objects) on the CPUs this process may use: lint is a one-shot
// batch, and parsing YAML is most of its cost.
#ifndef NODEX_LINT_PARALLEL_H_
#define NODEX_LINT_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace nodex::lint {

// The CPUs sched_getaffinity allows, at least 1 and at most 8.
unsigned LintThreads();

// Calls job(i) for every i in [0, n), on up to LintThreads() threads
// including the caller's, and returns when all are done. Jobs run in no
// particular order and must not throw; when no thread can be started the
// caller runs them all.
void ParallelFor(size_t n, const std::function<void(size_t)>& job);

}  // namespace nodex::lint

#endif  // NODEX_LINT_PARALLEL_H_
