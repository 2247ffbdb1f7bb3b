// Malformed kernel data, generic: a fixed-seed sample of the regular files of
// node_exporter's conformance kit (proc/ and sys/), each broken one way in a
// scratch copy of the kit, run through every collector of the registry.
// Nothing may crash, hang or throw, and collectors that do not read the
// broken file must render what they render on the unbroken copy. Skipped,
// with the reason, when the kit is not on this machine.
//
// NODEX_MALFORMED_SAMPLE=<n> or =all changes the sample size (default
// kDefaultSample) and NODEX_MALFORMED_SEED the seed, to reproduce or widen a
// run by hand.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "harness.h"

namespace nodex::malformed {
namespace {

namespace fs = std::filesystem;

constexpr size_t kDefaultSample = 240;
constexpr uint32_t kDefaultSeed = 20240501;
constexpr int kShards = 4;

// The option flags of the kit's e2e-flags.txt (collector switches and
// --path.* are left out: every collector runs, on the copy's paths).
std::vector<std::pair<std::string, std::string>> KitOptionFlags(const std::string& kit_dir) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(kit_dir + "/e2e-flags.txt");
  std::string line;
  while (std::getline(in, line)) {
    bool negated = line.rfind("--no-", 0) == 0;
    std::string flag = line.substr(negated ? 5 : 2);
    size_t eq = flag.find('=');
    std::string name = flag.substr(0, eq);
    if (name.rfind("collector.", 0) != 0) continue;
    if (name.find('.', 10) == std::string::npos) continue;  // A collector switch.
    out.emplace_back(name, eq != std::string::npos ? flag.substr(eq + 1) : (negated ? "false" : "true"));
  }
  // The live kernel's interfaces would change between scrapes.
  out.emplace_back("collector.netdev.netlink", "false");
  return out;
}

size_t SampleSize() {
  const char* v = std::getenv("NODEX_MALFORMED_SAMPLE");
  if (v == nullptr || *v == '\0') return kDefaultSample;
  if (std::string_view(v) == "all") return SIZE_MAX;
  return std::strtoull(v, nullptr, 10);
}

uint32_t Seed() {
  const char* v = std::getenv("NODEX_MALFORMED_SEED");
  return v != nullptr && *v != '\0' ? static_cast<uint32_t>(std::strtoul(v, nullptr, 10)) : kDefaultSeed;
}

class MalformedKitSweep : public ::testing::TestWithParam<int> {};

TEST_P(MalformedKitSweep, SampledFilesBroken) {
  NODEX_REQUIRE_KIT(kit_dir);
  collectors::testing::ScratchTree scratch("malformed_kit_" + std::to_string(GetParam()));
  CopyTree(kit_dir + "/collector/fixtures", scratch.Path("collector/fixtures"));
  collectors::testing::ScopedKitDir cwd(scratch.root());
  const collectors::FlagValues flags = AllCollectorFlags(KitOptionFlags(kit_dir));
  auto harness = Harness::Create(collectors::testing::KitContext(&flags, nullptr));
  ASSERT_NE(harness, nullptr);
  const auto baseline = harness->ScrapeAll("the unbroken kit");
  // Two scrapes of the unbroken copy must agree, or the comparison means nothing.
  CheckUnaffected(baseline, harness->ScrapeAll("the unbroken kit, again"), {}, "a second scrape of the unbroken kit");

  std::vector<std::string> files =
      RegularFiles(".", {"collector/fixtures/proc", "collector/fixtures/sys"});
  // Fisher-Yates on mt19937's raw output, which the standard fixes, so a seed
  // picks the same sample everywhere.
  std::mt19937 gen(Seed());
  for (size_t i = files.size(); i > 1; --i) std::swap(files[i - 1], files[gen() % i]);
  files.resize(std::min(files.size(), SampleSize()));
  std::vector<SweepRun> all = RotatingRuns(files, Seed());
  std::vector<SweepRun> runs;
  for (size_t i = GetParam(); i < all.size(); i += kShards) runs.push_back(all[i]);
  std::printf("kit sweep shard %d: %zu of %zu sampled files (seed %u)\n", GetParam(), runs.size(), files.size(),
              Seed());
  Sweep(*harness, ".", runs, baseline);
}

INSTANTIATE_TEST_SUITE_P(Shards, MalformedKitSweep, ::testing::Range(0, kShards));

}  // namespace
}  // namespace nodex::malformed
