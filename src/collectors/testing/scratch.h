// Test support for hand-written fixture trees: a temporary directory that is
// removed again, Contexts pointing at such trees, checked-in test files, and
// collector construction that fails the test on error.
#ifndef NODEX_COLLECTORS_TESTING_SCRATCH_H_
#define NODEX_COLLECTORS_TESTING_SCRATCH_H_

#include <memory>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors::testing {

// A fresh directory under the test temp dir, unique per process and name,
// deleted (with everything in it) on destruction.
class ScratchTree {
 public:
  explicit ScratchTree(std::string_view name);
  ~ScratchTree();
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  const std::string& root() const { return root_; }
  // root()/rel.
  std::string Path(std::string_view rel) const;
  // Writes `content` to root()/rel, creating parent directories.
  void Write(std::string_view rel, std::string_view content) const;
  // Creates root()/rel as a directory.
  void MakeDir(std::string_view rel) const;

 private:
  std::string root_;
};

// A Context reading procfs (SysContext: sysfs) from `dir`; the other paths
// keep their defaults.
Context ProcContext(std::string_view dir, const FlagValues* flags = nullptr, Logger* log = nullptr);
Context SysContext(std::string_view dir, const FlagValues* flags = nullptr, Logger* log = nullptr);

// The content of a checked-in test file; `path` is relative to the repository
// root, where the tests run. Records a test failure and returns "" when the
// file cannot be read.
std::string ReadTestdata(std::string_view path);

// Calls `factory`; on failure records a test failure with the message and
// returns nullptr.
std::unique_ptr<Collector> MustCreate(CollectorFactory factory, const Context& ctx);

}  // namespace nodex::collectors::testing

#endif  // NODEX_COLLECTORS_TESTING_SCRATCH_H_
