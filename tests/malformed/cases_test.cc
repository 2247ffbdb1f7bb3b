// Malformed kernel data, hand-written: a good baseline tree
// (tests/malformed/tree) and one mutation per case (a stored overlay under
// tests/malformed/cases/<case>/, or a generator below for what is big, binary
// or a symlink), run through every collector of the registry. kCases says,
// for each case, which collectors must report node_scrape_collector_success 0;
// every other collector must render exactly what it renders on the good tree.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_parser.h"
#include "harness.h"

namespace nodex::malformed {
namespace {

namespace fs = std::filesystem;
using collectors::testing::ReadTestdata;
using collectors::testing::ScratchTree;

constexpr char kTree[] = "tests/malformed/tree";
constexpr char kOverlays[] = "tests/malformed/cases";

// A fixture tree: the baseline copied into a scratch directory. Collectors
// read it through relative paths from inside it (Enter), as node_exporter's
// end-to-end test does, so that paths in labels (rapl's path, textfile's file)
// are the same in every copy.
class Tree {
 public:
  explicit Tree(std::string_view name)
      : scratch_(name),
        flags_(AllCollectorFlags({
            // Read the tree rather than the live kernel over rtnetlink.
            {"collector.arp.netlink", "false"},
            {"collector.netdev.netlink", "false"},
            // Optional parts that read more files.
            {"collector.cpu.info", "true"},
            {"collector.stat.softirq", "true"},
            {"collector.sysctl.include", "kernel.threads-max"},
            {"collector.sysctl.include", "fs.file-nr:current,free,max"},
            {"collector.textfile.directory", "textfile"},
        })) {
    CopyTree(kTree, scratch_.root());
  }

  const ScratchTree& scratch() const { return scratch_; }
  std::string Path(std::string_view rel) const { return scratch_.Path(rel); }

  // Changes into the tree until the Tree is destroyed.
  void Enter() { cwd_ = std::make_unique<collectors::testing::ScopedKitDir>(scratch_.root()); }

  std::unique_ptr<Harness> NewHarness() const {
    collectors::Context ctx;
    ctx.paths.procfs = "proc";
    ctx.paths.sysfs = "sys";
    ctx.paths.rootfs = ".";
    ctx.paths.udev_data = "udev/data";
    ctx.flags = &flags_;
    return Harness::Create(ctx);
  }

 private:
  ScratchTree scratch_;
  collectors::FlagValues flags_;
  std::unique_ptr<collectors::testing::ScopedKitDir> cwd_;  // Last: leaves before the tree goes.
};

// The good tree's outcome, computed once per test process.
const std::map<std::string, Outcome>& Baseline() {
  static const auto* baseline = [] {
    Tree tree("malformed_baseline");
    tree.Enter();
    auto harness = tree.NewHarness();
    auto* out = new std::map<std::string, Outcome>();
    if (harness) *out = harness->ScrapeAll("the good tree");
    return out;
  }();
  return *baseline;
}

// --- Generators for what is not stored: big, binary, or symlinks. ---

void WriteFile(const Tree& t, std::string_view rel, std::string_view content) { t.scratch().Write(rel, content); }

void DanglingLink(const Tree& t, std::string_view rel, std::string_view target) {
  fs::path link = t.Path(rel);
  fs::create_directories(link.parent_path());
  fs::create_symlink(std::string(target), link);
}

// Applies a dangling symlink, as a directory entry whose target vanished
// between the listing and the read looks.
std::function<void(const Tree&)> Dangling(std::string rel) {
  return [rel](const Tree& t) { DanglingLink(t, rel, "../../devices/vanished/" + rel.substr(rel.rfind('/') + 1)); };
}

// Several MiB on one line, made at run time rather than stored.
constexpr size_t kHugeLine = 6u << 20;

struct Case {
  std::string_view name;
  std::string_view what;
  // Collectors that read the broken file and must report success 0.
  std::set<std::string> fail;
  // Collectors that read it and, like node_exporter, accept it (skip the
  // line, take the text as it is): success must stay 1, the output may change.
  std::set<std::string> accept = {};
  // Applied after the stored overlay tests/malformed/cases/<name>/, if any.
  std::function<void(const Tree&)> generate = nullptr;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // Stored overlays: small hand-written files.
      {"loadavg_missing_columns", "/proc/loadavg with two of five fields", {"loadavg"}},
      {"loadavg_words", "/proc/loadavg with words for the averages", {"loadavg"}},
      {"meminfo_words", "/proc/meminfo: MemFree is a word", {"meminfo"}},
      {"meminfo_truncated", "/proc/meminfo cut after a key", {"meminfo"}},
      {"stat_negative", "/proc/stat: procs_running is negative", {"cpu", "stat"}},
      {"stat_2pow64", "/proc/stat: ctxt is 2^64", {"cpu", "stat"}},
      // procfs skips lines with too few fields.
      {"diskstats_missing_columns", "/proc/diskstats with five fields", {}, {"diskstats"}},
      {"diskstats_words", "/proc/diskstats: reads completed is a word", {"diskstats"}},
      {"netdev_words", "/proc/net/dev: eth0's bytes are a word", {"netdev"}},
      {"snmp_missing_columns", "/proc/net/snmp: fewer values than names", {"netstat"}},
      {"sockstat_words", "/proc/net/sockstat: inuse is a word", {"sockstat"}},
      {"softnet_not_hex", "/proc/net/softnet_stat with non-hex fields", {"softnet"}},
      {"entropy_words", "entropy_avail is a word", {"entropy"}},
      {"filefd_missing_columns", "/proc/sys/fs/file-nr with one field", {"filefd", "sysctl"}},
      {"pressure_words", "/proc/pressure/cpu: avg10 is a word", {"pressure"}},
      {"conntrack_negative", "nf_conntrack_count is negative", {"conntrack"}},
      // procfs matches cpu lines with a regular expression and skips the rest.
      {"schedstat_words", "/proc/schedstat: running time is a word", {}, {"schedstat"}},
      {"buddyinfo_words", "/proc/buddyinfo: a count is a word", {"buddyinfo"}},
      {"cgroups_missing_columns", "/proc/cgroups: a row with two fields", {"cgroups"}},
      {"interrupts_words", "/proc/interrupts: a count is a word", {"interrupts"}},
      {"softirqs_words", "/proc/softirqs: a count is a word", {"softirqs"}},
      {"slabinfo_words", "/proc/slabinfo: active_objs is a word", {"slabinfo"}},
      {"xfrm_words", "/proc/net/xfrm_stat: a value is a word", {"xfrm"}},
      {"udp_queues_words", "/proc/net/udp: tx_queue is not hex", {"udp_queues"}},
      {"arp_missing_columns", "/proc/net/arp: a row with two fields", {"arp"}},
      {"mdstat_truncated", "/proc/mdstat cut before the blocks line", {"mdadm"}},
      {"vmstat_words", "/proc/vmstat: pgfault is a word", {"vmstat"}},
      {"pid_stat_2pow64", "/proc/2/stat: utime is 2^64", {"processes"}},
      {"thermal_temp_words", "thermal_zone0/temp is a word", {"thermal_zone"}},
      {"rapl_negative", "intel-rapl:0/energy_uj is negative", {"rapl"}},
      {"cpufreq_words", "scaling_cur_freq is a word", {"cpufreq"}},
      {"edac_words", "mc0/ce_count is a word", {"edac"}},
      {"ksmd_words", "ksm/pages_shared is a word", {"ksmd"}},
      {"meminfo_numa_words", "node0/meminfo: MemFree is a word", {"meminfo_numa"}},
      {"kernel_hung_negative", "hung_task_detect_count is negative", {"kernel_hung"}},
      {"pid_max_words", "/proc/sys/kernel/pid_max is a word", {"processes"}},
      {"empty_loadavg", "/proc/loadavg is empty", {"loadavg"}},
      // procfs reads an empty /proc/stat or /proc/net/dev as all zeros / no devices.
      {"empty_stat", "/proc/stat is empty", {}, {"cpu", "stat"}},
      {"empty_net_dev", "/proc/net/dev is empty", {}, {"netdev"}},
      {"zoneinfo_words", "/proc/zoneinfo: nr_free_pages is a word", {"zoneinfo"}},
      // Generated: binary garbage.
      {"garbage_diskstats", "/proc/diskstats is 64 KiB of random bytes", {"diskstats"}, {},
       [](const Tree& t) { WriteFile(t, "proc/diskstats", Garbage(64 << 10, 1)); }},
      {"garbage_meminfo", "/proc/meminfo is 64 KiB of random bytes", {"meminfo"}, {},
       [](const Tree& t) { WriteFile(t, "proc/meminfo", Garbage(64 << 10, 2)); }},
      {"garbage_thermal_temp", "thermal_zone0/temp is random bytes", {"thermal_zone"}, {},
       [](const Tree& t) { WriteFile(t, "sys/class/thermal/thermal_zone0/temp", Garbage(64, 3)); }},
      // Generated: enormous lines.
      {"huge_meminfo_number", "/proc/meminfo: a 6 MiB number", {"meminfo"}, {},
       [](const Tree& t) { WriteFile(t, "proc/meminfo", "MemTotal: " + std::string(kHugeLine, '9') + " kB\n"); }},
      {"huge_snmp_header", "/proc/net/snmp: a 6 MiB line of names", {"netstat"}, {},
       [](const Tree& t) {
         std::string names = "Tcp:";
         while (names.size() < kHugeLine) names += " RetransSegs";
         WriteFile(t, "proc/net/snmp", names + "\nTcp: 1 2 3\n");
       }},
      // A long device name is still a valid line; it must only not hurt.
      {"huge_interrupts_line", "/proc/interrupts: a 6 MiB description", {}, {"interrupts"},
       [](const Tree& t) {
         WriteFile(t, "proc/interrupts",
                   "           CPU0\n  0:         36   IO-APIC   2-edge      " + std::string(kHugeLine, 't') + "\n");
       }},
      // Generated: entries that vanish between the listing and the read. Like
      // node_exporter, some collectors skip such an entry and some fail the
      // scrape (success 0) until it is gone from the listing too.
      {"dangling_thermal_zone", "sys/class/thermal/thermal_zone1 dangles", {}, {}, Dangling("sys/class/thermal/thermal_zone1")},
      {"dangling_hwmon", "sys/class/hwmon/hwmon1 dangles", {}, {}, Dangling("sys/class/hwmon/hwmon1")},
      {"dangling_net", "sys/class/net/eth1 dangles", {}, {}, Dangling("sys/class/net/eth1")},
      {"dangling_power_supply", "sys/class/power_supply/AC dangles", {"powersupplyclass"}, {}, Dangling("sys/class/power_supply/AC")},
      // Its attributes are all optional: listed with empty info, as procfs does.
      {"dangling_watchdog", "sys/class/watchdog/watchdog1 dangles", {}, {"watchdog"}, Dangling("sys/class/watchdog/watchdog1")},
      {"dangling_powercap", "sys/class/powercap/intel-rapl:1 dangles", {}, {}, Dangling("sys/class/powercap/intel-rapl:1")},
      {"dangling_vulnerability", "cpu/vulnerabilities/mds dangles", {"cpu_vulnerabilities"}, {}, Dangling("sys/devices/system/cpu/vulnerabilities/mds")},
      {"dangling_edac_mc", "edac/mc/mc1 dangles", {"edac"}, {}, Dangling("sys/devices/system/edac/mc/mc1")},
      {"dangling_numa_node", "system/node/node1 dangles", {"meminfo_numa"}, {}, Dangling("sys/devices/system/node/node1")},
      {"dangling_cpu", "system/cpu/cpu1 dangles", {}, {}, Dangling("sys/devices/system/cpu/cpu1")},
      {"dangling_pid", "/proc/4242 dangles", {}, {}, Dangling("proc/4242")},
      {"dangling_lnstat", "/proc/net/stat/rt_cache dangles", {"lnstat"}, {}, Dangling("proc/net/stat/rt_cache")},
      // Reported as node_textfile_scrape_error 1, as node_exporter does.
      {"dangling_textfile", "textfile/gone.prom dangles", {}, {"textfile"}, Dangling("textfile/gone.prom")},
      {"vanished_pid", "/proc/77 without its stat file", {}, {},
       [](const Tree& t) { t.scratch().MakeDir("proc/77/task"); }},
  };
  return cases;
}

// gtest prints parameters in test listings; a name reads better than bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MalformedCase : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedCase, OnlyTheCollectorsReadingItFail) {
  const Case& c = GetParam();
  const auto& baseline = Baseline();
  ASSERT_FALSE(baseline.empty());
  std::set<std::string> reads = c.fail;
  reads.insert(c.accept.begin(), c.accept.end());
  for (const std::string& name : reads) {
    // A row naming a collector that is not (or no longer) in the registry is
    // a stale table.
    ASSERT_TRUE(baseline.count(name)) << "kCases names " << name << ", which is not in the registry";
    ASSERT_TRUE(baseline.at(name).success) << name << " must succeed on the good tree for this case to mean anything";
  }
  Tree tree(std::string("malformed_") + std::string(c.name));
  const fs::path overlay = fs::path(kOverlays) / std::string(c.name);
  if (fs::exists(overlay)) CopyTree(overlay.string(), tree.scratch().root());
  if (c.generate) c.generate(tree);
  ASSERT_TRUE(fs::exists(overlay) || c.generate) << "case " << c.name << " changes nothing";
  tree.Enter();

  auto harness = tree.NewHarness();
  ASSERT_NE(harness, nullptr);
  const std::string what = std::string(c.name) + " (" + std::string(c.what) + ")";
  auto got = harness->ScrapeAll(what);
  for (const std::string& name : c.fail) {
    EXPECT_FALSE(got.at(name).success) << name << " reported success on " << what;
  }
  for (const std::string& name : c.accept) {
    EXPECT_TRUE(got.at(name).success) << name << " failed on " << what << ": " << got.at(name).log;
  }
  CheckUnaffected(baseline, got, reads, what);
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedCase, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MalformedBaseline, GoodTreeIsStable) {
  // Two scrapes of the good tree agree, or no comparison below means anything.
  const auto& baseline = Baseline();
  Tree tree("malformed_stable");
  tree.Enter();
  auto harness = tree.NewHarness();
  ASSERT_NE(harness, nullptr);
  CheckUnaffected(baseline, harness->ScrapeAll("the good tree, again"), {}, "a second scrape of the good tree");
  // Informational: collectors whose files the tree does not have fail here and
  // are then only checked for sanity and for staying the same.
  for (const auto& [name, out] : baseline) {
    if (!out.success) std::printf("not covered by the good tree: %s: %s", name.c_str(), out.log.c_str());
  }
}

// Binary garbage in a sysfs string attribute (watchdog0/identity here; the
// sweeps also hit cpufreq's scaling_available_governors) must not reach a
// label value: bytes that are not UTF-8 would make the whole exposition
// invalid and Prometheus would reject the entire scrape. The writer drops such
// a series, as client_golang drops the metric in node_exporter.
TEST(MalformedNonUtf8, LabelValueDropsOnlyThatSeries) {
  Tree tree("malformed_non_utf8");
  tree.scratch().Write("sys/class/watchdog/watchdog0/identity", "iTCO\xc9\xcf\x38\x04\n");
  tree.Enter();
  auto harness = tree.NewHarness();
  ASSERT_NE(harness, nullptr);
  Outcome out = harness->ScrapeOne("watchdog", "non-UTF-8 watchdog identity");
  expo::ParsedText parsed;
  Status st = expo::ParseText(out.text, &parsed);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(out.text.find("\xc9"), std::string::npos);
  EXPECT_EQ(out.text.find("node_watchdog_info{"), std::string::npos) << out.text;
  // The watchdog's numeric attributes are still there.
  EXPECT_NE(out.text.find("node_watchdog_"), std::string::npos) << out.text;
}

// Directory entries that come and go while scrapes run: a process, a thermal
// zone, a hwmon chip and a textfile are created and removed again in a loop,
// as the kernel does on process exit and hotplug. Every scrape must return and
// be sane; collectors that do not list those directories keep their output.
TEST(MalformedVanishing, EntriesRemovedWhileScraping) {
  const auto& baseline = Baseline();
  Tree tree("malformed_vanishing");
  tree.Enter();
  auto harness = tree.NewHarness();
  ASSERT_NE(harness, nullptr);
  const std::set<std::string> listers = {"hwmon", "processes", "textfile", "thermal_zone"};
  const std::string pid_stat = ReadTestdata("proc/2/stat");  // Inside the tree now.
  std::atomic<bool> stop{false};
  std::atomic<int> flips{0};
  std::thread churn([&] {
    // Bounded by count as well as by `stop`.
    for (int i = 0; i < 200000 && !stop.load(); ++i) {
      tree.scratch().Write("proc/4243/stat", pid_stat);
      tree.scratch().Write("proc/4243/task/4243/stat", pid_stat);
      tree.scratch().Write("sys/class/thermal/thermal_zone7/type", "acpitz\n");
      tree.scratch().Write("sys/class/thermal/thermal_zone7/temp", "27800\n");
      tree.scratch().Write("sys/class/hwmon/hwmon7/name", "acpitz\n");
      tree.scratch().Write("sys/class/hwmon/hwmon7/temp1_input", "27800\n");
      tree.scratch().Write("textfile/flap.prom", "flap 1\n");
      std::error_code ec;
      for (const char* rel : {"proc/4243", "sys/class/thermal/thermal_zone7", "sys/class/hwmon/hwmon7",
                              "textfile/flap.prom"}) {
        fs::remove_all(tree.Path(rel), ec);
      }
      flips.fetch_add(1);
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int rounds = 0;
  for (; rounds < 15 && std::chrono::steady_clock::now() < deadline; ++rounds) {
    const std::string what = "entries removed while scraping (round " + std::to_string(rounds) + ")";
    CheckUnaffected(baseline, harness->ScrapeAll(what), listers, what);
  }
  stop.store(true);
  churn.join();
  EXPECT_GT(rounds, 0);
  EXPECT_GT(flips.load(), 0) << "the entries never flipped: the test tested nothing";
}

// Every file of the good tree, broken one way each (rotating through the
// mutations; a shard per ctest process to use both cores): nothing crashes,
// hangs or throws, and collectors that do not read the file are unaffected.
class MalformedTreeSweep : public ::testing::TestWithParam<int> {};
constexpr int kTreeShards = 4;

TEST_P(MalformedTreeSweep, EveryFileBroken) {
  const auto& baseline = Baseline();
  Tree tree("malformed_sweep");
  tree.Enter();
  auto harness = tree.NewHarness();
  ASSERT_NE(harness, nullptr);
  std::vector<std::string> files = RegularFiles(".", {"proc", "sys", "textfile", "etc"});
  std::vector<SweepRun> all = RotatingRuns(files, 0);
  std::vector<SweepRun> runs;
  for (size_t i = GetParam(); i < all.size(); i += kTreeShards) runs.push_back(all[i]);
  ASSERT_FALSE(runs.empty());
  Sweep(*harness, ".", runs, baseline);
}

INSTANTIATE_TEST_SUITE_P(Shards, MalformedTreeSweep, ::testing::Range(0, kTreeShards));

}  // namespace
}  // namespace nodex::malformed
