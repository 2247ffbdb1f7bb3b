// Test support for the malformed-kernel-data suite: runs every collector of
// the registry, one at a time and each under a watchdog, against a fixture
// tree, and checks what a broken /proc or /sys file may and may not do to a
// scrape: it may fail the collectors that read it (success 0), it may not
// crash, hang, throw, emit text that is not valid exposition, or change the
// output of any collector that does not read it.
//
// Collectors come from the registry (AllCollectors()), never from a list here,
// so collectors added to registry.cc are covered without touching this suite.
#ifndef NODEX_TESTS_MALFORMED_HARNESS_H_
#define NODEX_TESTS_MALFORMED_HARNESS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.h"
#include "collectors/collector.h"
#include "collectors/scraper.h"
#include "expo/metric_set.h"

namespace nodex::malformed {

// Collectors whose output comes from the running kernel or the clock rather
// than from the fixture tree, so two scrapes of the same tree may differ.
// Their success is still checked; their output is not compared.
bool ReadsLiveSystem(std::string_view collector);

// Every collector flag of the registry at its default, every collector of the
// registry switched on ("collector.<name>" = true, as main.cc records it), then
// `overrides` (name without "--" -> value; list flags take one value each time
// they are named).
collectors::FlagValues AllCollectorFlags(const std::vector<std::pair<std::string, std::string>>& overrides);

// One collector's part of one scrape.
struct Outcome {
  bool success = false;
  // The rendered exposition text without node_scrape_collector_duration_seconds
  // (the only line that legitimately differs between identical scrapes).
  std::string text;
  // What the scraper logged during this scrape (its failure message, if new).
  std::string log;
};

// Every collector of the registry, created once against `ctx` (whose flags
// and paths must outlive the harness), scraped one at a time.
class Harness {
 public:
  // Fails the current test (and returns nullptr) if the scraper cannot be
  // created. `ctx.log` is replaced by the harness's own capturing logger.
  static std::unique_ptr<Harness> Create(collectors::Context ctx);
  ~Harness();

  const std::vector<std::string>& names() const { return names_; }

  // Scrapes one collector. If it does not return within the watchdog's bound
  // (generous: 60 s), prints which collector hung on what and exits the
  // process with a failure, since a hung collector cannot be cancelled.
  Outcome ScrapeOne(const std::string& name, std::string_view what);

  // Scrapes every collector, one at a time, and checks each outcome with
  // CheckSane.
  std::map<std::string, Outcome> ScrapeAll(std::string_view what);

 private:
  Harness() = default;
  std::string DrainLog();

  collectors::Context ctx_;
  std::unique_ptr<Logger> log_;
  int log_fd_ = -1;
  off_t log_read_ = 0;
  std::unique_ptr<collectors::Scraper> scraper_;
  std::vector<std::string> names_;
  expo::MetricSet set_;
};

// Records a test failure (naming `what`) unless the outcome is sane: no
// exception was caught by the scraper, and the text parses as exposition
// format.
void CheckSane(const std::string& name, const Outcome& outcome, std::string_view what);

// Records a test failure for every collector outside `allowed_to_differ` (and
// not ReadsLiveSystem) whose outcome differs from `baseline`.
void CheckUnaffected(const std::map<std::string, Outcome>& baseline, const std::map<std::string, Outcome>& got,
                     const std::set<std::string>& allowed_to_differ, std::string_view what);

// Copies the directory tree `from` into `to` (created if needed; existing
// files are overwritten), keeping symlinks as symlinks, and gives every copy
// the same fixed mtime.
void CopyTree(const std::string& from, const std::string& to);

// Regular files under `root` (relative paths, sorted), not following symlinks.
std::vector<std::string> RegularFiles(const std::string& root, const std::vector<std::string>& subdirs);

// The mutations the sweeps apply to one file's content.
enum class Mutation { kTruncateHalf, kGarbage, kDigitsToLetters, kEmpty };
inline constexpr Mutation kAllMutations[] = {Mutation::kTruncateHalf, Mutation::kGarbage, Mutation::kDigitsToLetters,
                                             Mutation::kEmpty};
std::string_view MutationName(Mutation m);
// `content` mutated; kGarbage draws its bytes from `seed` (same seed, same bytes).
std::string Mutate(std::string_view content, Mutation m, uint32_t seed);

// Bytes from a fixed-seed generator: binary garbage including NULs, newlines
// and bytes above 0x7f.
std::string Garbage(size_t size, uint32_t seed);

// One file of a tree and what to do to it.
struct SweepRun {
  std::string file;  // Relative to the tree's root.
  Mutation mutation;
};

// Each file of `files` with one mutation, rotating through kAllMutations from
// `first` so that a sample of files still sees every kind.
std::vector<SweepRun> RotatingRuns(const std::vector<std::string>& files, size_t first);

// For each run: mutates the file in place, scrapes every collector, restores
// the file. Each scrape must return and be sane (CheckSane); a collector that
// did not open or read the mutated file (watched with inotify) must render
// its baseline output. `harness` must read the tree at `root`.
void Sweep(Harness& harness, const std::string& root, const std::vector<SweepRun>& runs,
           const std::map<std::string, Outcome>& baseline);

}  // namespace nodex::malformed

#endif  // NODEX_TESTS_MALFORMED_HARNESS_H_
