// Test support: run a collector against node_exporter's conformance fixtures
// (../shared/conformance, outside the repository) and compare its rendered
// output with node_exporter's expected output, family by family.
#ifndef NODEX_COLLECTORS_TESTING_KIT_H_
#define NODEX_COLLECTORS_TESTING_KIT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"
#include "expo/metric_set.h"

namespace nodex::collectors::testing {

// The kit's data directory (holding e2e-output.txt and collector/fixtures)
// as an absolute path: $NODEX_CONFORMANCE_KIT/node_exporter (ctest sets it to
// the working copy with symlinks restored), else ../shared next to the
// checkout if its symlinks are intact; nullopt otherwise.
std::optional<std::string> KitDir();

// Changes into the kit directory for its lifetime. node_exporter's end-to-end
// test runs there with relative --path.* values, and some of them end up in
// label values (e.g. rapl's path label), so collectors under test must see
// the same relative paths.
class ScopedKitDir {
 public:
  explicit ScopedKitDir(const std::string& kit_dir);
  ~ScopedKitDir();
  ScopedKitDir(const ScopedKitDir&) = delete;
  ScopedKitDir& operator=(const ScopedKitDir&) = delete;

 private:
  std::string previous_;
};

// A Context with the kit's relative fixture paths (use inside ScopedKitDir).
Context KitContext(const FlagValues* flags, Logger* log);

// The TYPE and sample lines of e2e-output.txt for the families `names` (HELP
// lines are ignored, as the conformance runner does), in file order.
std::vector<std::string> ExpectedLines(const std::string& kit_dir, const std::vector<std::string>& names);

// The same lines from nodex's own rendering of `set`.
std::vector<std::string> RenderedLines(const expo::MetricSet& set, const std::vector<std::string>& names);

}  // namespace nodex::collectors::testing

// Skips the current test, with the reason, when the kit is not on this machine.
#define NODEX_REQUIRE_KIT(dir_var)                                                                 \
  auto dir_var##_opt = ::nodex::collectors::testing::KitDir();                                    \
  if (!dir_var##_opt) GTEST_SKIP() << "node_exporter conformance kit not available: run under "   \
                                      "ctest, or set NODEX_CONFORMANCE_KIT to a copy made by "      \
                                      "scripts/prepare-conformance-kit";                            \
  const std::string dir_var = *dir_var##_opt

#endif  // NODEX_COLLECTORS_TESTING_KIT_H_
