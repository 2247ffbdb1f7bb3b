#include "collectors/ethtool.h"

#include <gtest/gtest.h>
#include <linux/ethtool.h>
#include <re2/re2.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

// --- Building kernel-shaped answers by hand. ---

template <typename T>
void Put(std::string* buf, size_t offset, T v) {
  if (buf->size() < offset + sizeof(T)) buf->resize(offset + sizeof(T));
  std::memcpy(buf->data() + offset, &v, sizeof(T));
}

std::string Slot(std::string_view name) {
  std::string slot(name.substr(0, ETH_GSTRING_LEN));
  slot.resize(ETH_GSTRING_LEN, '\0');
  return slot;
}

// struct ethtool_gstrings with `count` in its header and one slot per name.
std::string GStrings(const std::vector<std::string>& names, int64_t count = -1) {
  std::string buf(sizeof(ethtool_gstrings), '\0');
  Put<uint32_t>(&buf, 0, ETHTOOL_GSTRINGS);
  Put<uint32_t>(&buf, 4, ETH_SS_STATS);
  Put<uint32_t>(&buf, 8, count < 0 ? names.size() : static_cast<uint32_t>(count));
  for (const std::string& n : names) buf += Slot(n);
  return buf;
}

std::string GStats(const std::vector<uint64_t>& values, int64_t count = -1) {
  std::string buf(sizeof(ethtool_stats), '\0');
  Put<uint32_t>(&buf, 0, ETHTOOL_GSTATS);
  Put<uint32_t>(&buf, 4, count < 0 ? values.size() : static_cast<uint32_t>(count));
  for (uint64_t v : values) Put<uint64_t>(&buf, buf.size(), v);
  return buf;
}

std::string DrvInfo(std::string_view driver, std::string_view version, std::string_view fw, std::string_view bus,
                    std::string_view erom, uint32_t n_stats) {
  std::string buf(sizeof(ethtool_drvinfo), '\0');
  Put<uint32_t>(&buf, 0, ETHTOOL_GDRVINFO);
  auto put_str = [&](size_t off, std::string_view s) {
    std::memcpy(buf.data() + off, s.data(), std::min<size_t>(s.size(), 32));
  };
  put_str(offsetof(ethtool_drvinfo, driver), driver);
  put_str(offsetof(ethtool_drvinfo, version), version);
  put_str(offsetof(ethtool_drvinfo, fw_version), fw);
  put_str(offsetof(ethtool_drvinfo, bus_info), bus);
  put_str(offsetof(ethtool_drvinfo, erom_version), erom);
  Put<uint32_t>(&buf, offsetof(ethtool_drvinfo, n_stats), n_stats);
  return buf;
}

std::string Cmd(uint32_t supported, uint32_t advertising, uint8_t autoneg) {
  std::string buf(sizeof(ethtool_cmd), '\0');
  Put<uint32_t>(&buf, 0, ETHTOOL_GSET);
  Put<uint32_t>(&buf, offsetof(ethtool_cmd, supported), supported);
  Put<uint32_t>(&buf, offsetof(ethtool_cmd, advertising), advertising);
  Put<uint8_t>(&buf, offsetof(ethtool_cmd, autoneg), autoneg);
  return buf;
}

constexpr uint32_t B(int bit) { return 1u << bit; }

// Answers SIOCETHTOOL from canned buffers keyed by device and cmd, or with an
// errno. Unknown requests get EOPNOTSUPP, like a driver without the op.
class FakeIoctl : public EthtoolIoctl {
 public:
  struct Answer {
    int err = 0;
    std::string data;
  };
  std::map<std::pair<std::string, uint32_t>, Answer> answers;
  std::vector<std::pair<std::string, uint32_t>> requests;

  void Set(const std::string& dev, uint32_t cmd, std::string data) { answers[{dev, cmd}] = {0, std::move(data)}; }
  void Fail(const std::string& dev, uint32_t cmd, int err) { answers[{dev, cmd}] = {err, {}}; }

  int Request(std::string_view device, std::span<char> buf) override {
    uint32_t cmd;
    EXPECT_GE(buf.size(), sizeof(cmd));
    std::memcpy(&cmd, buf.data(), sizeof(cmd));
    requests.emplace_back(std::string(device), cmd);
    auto it = answers.find({std::string(device), cmd});
    if (it == answers.end()) return EOPNOTSUPP;
    if (it->second.err != 0) return it->second.err;
    // The real kernel would overrun the buffer; the fake refuses instead.
    if (it->second.data.size() > buf.size()) return EFAULT;
    std::memcpy(buf.data(), it->second.data.data(), it->second.data.size());
    return 0;
  }
};

// A sysfs tree with class/net/<dev> symlinks (as on a real system) plus a
// regular bonding_masters file that must not be taken for a device.
void MakeNetClass(const testing::ScratchTree& tree, const std::vector<std::string>& devices) {
  tree.MakeDir("devices/virtual/net");
  tree.MakeDir("class/net");
  for (const std::string& d : devices) {
    tree.MakeDir("devices/virtual/net/" + d);
    std::filesystem::create_directory_symlink("../../devices/virtual/net/" + d, tree.Path("class/net/" + d));
  }
  tree.Write("class/net/bonding_masters", "bond0\n");
}

std::unique_ptr<Collector> MakeCollector(const Context& ctx, std::unique_ptr<EthtoolIoctl> ioctl) {
  auto c = NewEthtoolCollectorWithIoctl(ctx, std::move(ioctl));
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c.value()) : nullptr;
}

const std::vector<std::string> kAllFamilies = {
    "node_ethtool_info",
    "node_network_advertised_speed_bytes",
    "node_network_asymmetricpause_advertised",
    "node_network_asymmetricpause_supported",
    "node_network_autonegotiate",
    "node_network_autonegotiate_advertised",
    "node_network_autonegotiate_supported",
    "node_network_pause_advertised",
    "node_network_pause_supported",
    "node_network_supported_port_info",
    "node_network_supported_speed_bytes",
};

// --- Naming. ---

TEST(EthtoolNamingTest, MatchesNodeExporterExamples) {
  // The cases of node_exporter's TestBuildEthtoolFQName.
  EXPECT_EQ(EthtoolMetricName("port.rx_errors"), "node_ethtool_port_received_errors");
  EXPECT_EQ(EthtoolMetricName("rx_errors"), "node_ethtool_received_errors");
  EXPECT_EQ(EthtoolMetricName("Queue[0] AllocFails"), "node_ethtool_queue_0_allocfails");
  EXPECT_EQ(EthtoolMetricName("Tx LPI entry count"), "node_ethtool_transmitted_lpi_entry_count");
  EXPECT_EQ(EthtoolMetricName("port.VF_admin_queue_requests"), "node_ethtool_port_vf_admin_queue_requests");
  EXPECT_EQ(EthtoolMetricName("[3]: tx_bytes"), "node_ethtool_3_transmitted_bytes");
  EXPECT_EQ(EthtoolMetricName("     err"), "node_ethtool_err");
}

TEST(EthtoolNamingTest, RxTxWordsMatchLeftToRightWithoutOverlap) {
  EXPECT_EQ(EthtoolMetricName("tx_tx_timeouts"), "node_ethtool_transmitted_tx_timeouts");
  EXPECT_EQ(EthtoolMetricName("rx_rx"), "node_ethtool_received_rx");
  EXPECT_EQ(EthtoolMetricName("rx"), "node_ethtool_received");
  EXPECT_EQ(EthtoolMetricName("a_rx_b_tx"), "node_ethtool_a_received_b_transmitted");
  EXPECT_EQ(EthtoolMetricName("a_rx_rx_b"), "node_ethtool_a_received_rx_b");
  EXPECT_EQ(EthtoolMetricName("rx_tx"), "node_ethtool_received_transmitted");
  EXPECT_EQ(EthtoolMetricName("rx0_drops"), "node_ethtool_rx0_drops");
  EXPECT_EQ(EthtoolMetricName("xrx_txy"), "node_ethtool_xrx_txy");
  EXPECT_EQ(EthtoolMetricName("RX__TX"), "node_ethtool_received__transmitted");
}

TEST(EthtoolNamingTest, SanitiseCollapsesInvalidRunsWithTheirUnderscores) {
  EXPECT_EQ(SanitizeEthtoolStatName("port.rx_dropped"), "port_rx_dropped");
  EXPECT_EQ(SanitizeEthtoolStatName("a_._b"), "a_b");
  EXPECT_EQ(SanitizeEthtoolStatName("a__b"), "a__b");
  EXPECT_EQ(SanitizeEthtoolStatName("._."), "__");
  EXPECT_EQ(SanitizeEthtoolStatName("a__"), "a__");
  EXPECT_EQ(SanitizeEthtoolStatName("Queue[0] AllocFails"), "Queue_0_AllocFails");
  EXPECT_EQ(SanitizeEthtoolStatName("caf\xc3\xa9-x"), "caf_x");
  EXPECT_EQ(SanitizeEthtoolStatName(""), "");
  EXPECT_EQ(EthtoolMetricName("!!!"), "node_ethtool");
}

TEST(EthtoolNamingTest, PredefinedNames) {
  EXPECT_EQ(EthtoolPredefinedMetricName("rx_bytes"), "node_ethtool_received_bytes_total");
  EXPECT_EQ(EthtoolPredefinedMetricName("tx_packets"), "node_ethtool_transmitted_packets_total");
  EXPECT_EQ(EthtoolPredefinedMetricName("rx_missed"), "");
}

TEST(EthtoolPlanTest, DropsClashesKeepsLastDuplicateAndRenamesPredefined) {
  std::vector<EthtoolStat> stats = {{"rx_packets", 1},       {"port.rx_dropped", 2}, {"duplicate metric", 3},
                                    {"duplicate_metric", 4}, {"rx_missed", 5},       {"rx_packets", 6}};
  std::vector<EthtoolMetricPlan> plan;
  PlanEthtoolMetrics(stats, nullptr, &plan);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].name, "node_ethtool_port_received_dropped");
  EXPECT_EQ(stats[plan[0].stat].value, 2u);
  EXPECT_EQ(plan[1].name, "node_ethtool_received_missed");
  EXPECT_EQ(plan[2].name, "node_ethtool_received_packets_total");
  EXPECT_EQ(stats[plan[2].stat].value, 6u);
}

TEST(EthtoolPlanTest, IncludePatternSeesSanitisedName) {
  RE2 include("^port_");
  std::vector<EthtoolStat> stats = {{"port.rx_dropped", 2}, {"rx_missed", 5}};
  std::vector<EthtoolMetricPlan> plan;
  PlanEthtoolMetrics(stats, &include, &plan);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].name, "node_ethtool_port_received_dropped");
}

TEST(EthtoolPlanTest, PredefinedNameMeetingComputedNameDropsBoth) {
  std::vector<EthtoolStat> stats = {{"rx_bytes", 1}, {"rx_bytes_total", 2}, {"x", 3}};
  std::vector<EthtoolMetricPlan> plan;
  PlanEthtoolMetrics(stats, nullptr, &plan);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].name, "node_ethtool_x");
}

// --- Decoders. ---

TEST(EthtoolDecodeTest, RealDriverInfoFromThisMachine) {
  // ETHTOOL_GDRVINFO on this machine's eth0 (virtio_net).
  std::string buf = testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_drvinfo.bin");
  auto info = ParseEthtoolDriverInfo(buf);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->driver, "virtio_net");
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->firmware_version, "");
  EXPECT_EQ(info->bus_info, "0000:00:03.0");
  EXPECT_EQ(info->expansion_rom_version, "");
  EXPECT_EQ(info->n_stats, 20u);
}

TEST(EthtoolDecodeTest, RealLinkSettingsFromThisMachine) {
  std::string buf = testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gset.bin");
  auto link = ParseEthtoolCmd(buf);
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->supported, 0u);
  EXPECT_EQ(link->advertising, 0u);
  EXPECT_EQ(link->autoneg, 0);
}

TEST(EthtoolDecodeTest, RealStatisticsFromThisMachine) {
  std::string strings = testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gstrings.bin");
  std::string values = testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gstats.bin");
  std::vector<EthtoolStat> stats;
  ASSERT_TRUE(ParseEthtoolStats(strings, values, &stats).ok());
  ASSERT_EQ(stats.size(), 20u);
  EXPECT_EQ(stats[0].name, "rx_drops");
  EXPECT_EQ(stats[5].name, "rx_kicks");
  EXPECT_EQ(stats[5].value, 756u);
  EXPECT_EQ(stats[19].name, "tx0_tx_timeouts");

  std::string ifb_strings = testing::ReadTestdata("src/collectors/testdata/ethtool/real_ifb0_gstrings.bin");
  std::string ifb_values = testing::ReadTestdata("src/collectors/testdata/ethtool/real_ifb0_gstats.bin");
  ASSERT_TRUE(ParseEthtoolStats(ifb_strings, ifb_values, &stats).ok());
  ASSERT_EQ(stats.size(), 4u);
  EXPECT_EQ(stats[3].name, "tx_queue_0_bytes");
}

TEST(EthtoolDecodeTest, HandBuiltStatistics) {
  std::vector<EthtoolStat> stats;
  // The names view the buffers, which must outlive them.
  std::string strings = GStrings({"rx_packets", "", "tx_packets"});
  std::string values = GStats({1, 2, UINT64_MAX});
  ASSERT_TRUE(ParseEthtoolStats(strings, values, &stats).ok());
  ASSERT_EQ(stats.size(), 2u);  // The empty name is skipped.
  EXPECT_EQ(stats[1].name, "tx_packets");
  EXPECT_EQ(stats[1].value, UINT64_MAX);
}

TEST(EthtoolDecodeTest, NameFillingItsSlotHasNoNul) {
  std::vector<EthtoolStat> stats;
  std::string long_name(40, 'q');
  std::string strings = GStrings({long_name, "b"});
  std::string values = GStats({7, 8});
  ASSERT_TRUE(ParseEthtoolStats(strings, values, &stats).ok());
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].name, std::string(32, 'q'));
  EXPECT_EQ(stats[1].name, "b");
}

TEST(EthtoolDecodeTest, ZeroStatistics) {
  std::vector<EthtoolStat> stats = {{"stale", 1}};
  ASSERT_TRUE(ParseEthtoolStats(GStrings({}), GStats({}), &stats).ok());
  EXPECT_TRUE(stats.empty());
}

TEST(EthtoolDecodeTest, RejectsMalformedAnswers) {
  std::vector<EthtoolStat> stats;
  // Count larger than the buffer.
  EXPECT_FALSE(ParseEthtoolStats(GStrings({"a", "b"}, 3), GStats({1, 2, 3}), &stats).ok());
  EXPECT_FALSE(ParseEthtoolStats(GStrings({"a", "b"}), GStats({1}, 2), &stats).ok());
  EXPECT_FALSE(ParseEthtoolStats(GStrings({}, 0xffffffff), GStats({}, 0xffffffff), &stats).ok());
  // Name and value counts differ.
  EXPECT_FALSE(ParseEthtoolStats(GStrings({"a", "b"}), GStats({1}), &stats).ok());
  // Truncated headers, empty buffers.
  EXPECT_FALSE(ParseEthtoolStats(GStrings({"a"}).substr(0, 8), GStats({1}), &stats).ok());
  EXPECT_FALSE(ParseEthtoolStats(GStrings({"a"}), GStats({1}).substr(0, 4), &stats).ok());
  EXPECT_FALSE(ParseEthtoolStats("", "", &stats).ok());
  EXPECT_TRUE(stats.empty());

  std::string drv = DrvInfo("e1000e", "1", "2", "3", "4", 1);
  EXPECT_TRUE(ParseEthtoolDriverInfo(drv).ok());
  EXPECT_FALSE(ParseEthtoolDriverInfo(drv.substr(0, drv.size() - 1)).ok());
  EXPECT_FALSE(ParseEthtoolDriverInfo("").ok());
  std::string cmd = Cmd(1, 1, 1);
  EXPECT_TRUE(ParseEthtoolCmd(cmd).ok());
  EXPECT_FALSE(ParseEthtoolCmd(cmd.substr(0, 43)).ok());
  EXPECT_FALSE(ParseEthtoolCmd("").ok());
}

TEST(EthtoolDecodeTest, DriverStringsWithoutNulFillTheirField) {
  std::string drv = DrvInfo(std::string(32, 'd'), "v", "", "", "", 0);
  auto info = ParseEthtoolDriverInfo(drv);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->driver, std::string(32, 'd'));
  EXPECT_EQ(info->version, "v");
}

TEST(EthtoolTablesTest, OnlyLowWordModesWithNodeExporterLabels) {
  for (const EthtoolSpeedMode& m : EthtoolSpeedModes()) {
    EXPECT_LT(m.bit, 32);
    EXPECT_EQ(m.mode.rfind(std::to_string(m.mbps) + "base", 0), 0u) << m.mode;
    EXPECT_TRUE(m.duplex == "full" || m.duplex == "half");
  }
  EXPECT_EQ(EthtoolPortTypes().size(), 6u);
}

// --- The collector with a fake ioctl layer. ---

class EthtoolCollectorTest : public ::testing::Test {
 protected:
  EthtoolCollectorTest() : tree_("ethtool_sys") {}

  Context Ctx(const FlagValues* flags = nullptr) { return testing::SysContext(tree_.root(), flags, &log_); }

  testing::ScratchTree tree_;
  Logger log_{LogLevel::kError, LogFormat::kLogfmt, -1};
};

// An e1000e-like device as node_exporter's unit test describes it.
void AddE1000e(FakeIoctl* fake, const std::string& dev) {
  uint32_t sup = B(0) | B(1) | B(2) | B(3) | B(5) | B(12) | B(kEthtoolAutonegBit) | B(7) | B(9) | B(kEthtoolPauseBit);
  uint32_t adv = B(0) | B(1) | B(2) | B(3) | B(5) | B(kEthtoolAutonegBit) | B(kEthtoolPauseBit);
  fake->Set(dev, ETHTOOL_GSET, Cmd(sup, adv, 1));
  std::vector<std::string> names = {"tx_packets", "rx_packets",       "port.rx_dropped",
                                    "rx_missed",  "duplicate metric", "duplicate_metric"};
  fake->Set(dev, ETHTOOL_GDRVINFO, DrvInfo("e1000e", "5.11.0-22-generic", "0.5-4", "0000:00:1f.6", "", names.size()));
  fake->Set(dev, ETHTOOL_GSTRINGS, GStrings(names));
  fake->Set(dev, ETHTOOL_GSTATS, GStats({961500, 1260062, 12028, 401, 1, 2}));
}

TEST_F(EthtoolCollectorTest, HandBuiltDevices) {
  MakeNetClass(tree_, {"eth0", "lo", "bond0", "virt0"});
  auto fake = std::make_unique<FakeIoctl>();
  AddE1000e(fake.get(), "eth0");
  fake->Fail("bond0", ETHTOOL_GDRVINFO, EPERM);
  std::string real_drv = testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_drvinfo.bin");
  fake->Set("virt0", ETHTOOL_GSET, testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gset.bin"));
  fake->Set("virt0", ETHTOOL_GDRVINFO, real_drv);
  fake->Set("virt0", ETHTOOL_GSTRINGS, testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gstrings.bin"));
  fake->Set("virt0", ETHTOOL_GSTATS, testing::ReadTestdata("src/collectors/testdata/ethtool/real_eth0_gstats.bin"));
  FakeIoctl* raw = fake.get();
  auto c = MakeCollector(Ctx(), std::move(fake));
  ASSERT_NE(c, nullptr);

  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  std::vector<std::string> families = kAllFamilies;
  for (const char* f :
       {"node_ethtool_port_received_dropped", "node_ethtool_received_missed", "node_ethtool_received_packets_total",
        "node_ethtool_transmitted_packets_total", "node_ethtool_received_drops", "node_ethtool_received_kicks",
        "node_ethtool_rx0_kicks", "node_ethtool_transmitted_tx_timeouts", "node_ethtool_duplicate_metric"}) {
    families.emplace_back(f);
  }
  std::sort(families.begin(), families.end());
  // Neither clashing "duplicate" statistic may appear.
  const std::vector<std::string> want = {
      "# TYPE node_ethtool_info gauge",
      "node_ethtool_info{bus_info=\"0000:00:03.0\",device=\"virt0\",driver=\"virtio_net\",expansion_rom_version=\"\","
      "firmware_version=\"\",version=\"1.0.0\"} 1",
      "node_ethtool_info{bus_info=\"0000:00:1f.6\",device=\"eth0\",driver=\"e1000e\",expansion_rom_version=\"\","
      "firmware_version=\"0.5-4\",version=\"5.11.0-22-generic\"} 1",
      "# TYPE node_ethtool_port_received_dropped untyped",
      "node_ethtool_port_received_dropped{device=\"eth0\"} 12028",
      "# TYPE node_ethtool_received_drops untyped",
      "node_ethtool_received_drops{device=\"virt0\"} 0",
      "# TYPE node_ethtool_received_kicks untyped",
      "node_ethtool_received_kicks{device=\"virt0\"} 756",
      "# TYPE node_ethtool_received_missed untyped",
      "node_ethtool_received_missed{device=\"eth0\"} 401",
      "# TYPE node_ethtool_received_packets_total untyped",
      "node_ethtool_received_packets_total{device=\"eth0\"} 1.260062e+06",
      "# TYPE node_ethtool_rx0_kicks untyped",
      "node_ethtool_rx0_kicks{device=\"virt0\"} 756",
      "# TYPE node_ethtool_transmitted_packets_total untyped",
      "node_ethtool_transmitted_packets_total{device=\"eth0\"} 961500",
      "# TYPE node_ethtool_transmitted_tx_timeouts untyped",
      "node_ethtool_transmitted_tx_timeouts{device=\"virt0\"} 0",
      "# TYPE node_network_advertised_speed_bytes gauge",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"100baseT\"} 1.25e+07",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10baseT\"} 1.25e+06",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"100baseT\"} 1.25e+07",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"10baseT\"} 1.25e+06",
      "# TYPE node_network_asymmetricpause_advertised gauge",
      "node_network_asymmetricpause_advertised{device=\"eth0\"} 0",
      "node_network_asymmetricpause_advertised{device=\"virt0\"} 0",
      "# TYPE node_network_asymmetricpause_supported gauge",
      "node_network_asymmetricpause_supported{device=\"eth0\"} 0",
      "node_network_asymmetricpause_supported{device=\"virt0\"} 0",
      "# TYPE node_network_autonegotiate gauge",
      "node_network_autonegotiate{device=\"eth0\"} 1",
      "node_network_autonegotiate{device=\"virt0\"} 0",
      "# TYPE node_network_autonegotiate_advertised gauge",
      "node_network_autonegotiate_advertised{device=\"eth0\"} 1",
      "node_network_autonegotiate_advertised{device=\"virt0\"} 0",
      "# TYPE node_network_autonegotiate_supported gauge",
      "node_network_autonegotiate_supported{device=\"eth0\"} 1",
      "node_network_autonegotiate_supported{device=\"virt0\"} 0",
      "# TYPE node_network_pause_advertised gauge",
      "node_network_pause_advertised{device=\"eth0\"} 1",
      "node_network_pause_advertised{device=\"virt0\"} 0",
      "# TYPE node_network_pause_supported gauge",
      "node_network_pause_supported{device=\"eth0\"} 1",
      "node_network_pause_supported{device=\"virt0\"} 0",
      "# TYPE node_network_supported_port_info gauge",
      "node_network_supported_port_info{device=\"eth0\",type=\"MII\"} 1",
      "node_network_supported_port_info{device=\"eth0\",type=\"TP\"} 1",
      "# TYPE node_network_supported_speed_bytes gauge",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10000baseT\"} 1.25e+09",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"100baseT\"} 1.25e+07",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10baseT\"} 1.25e+06",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"100baseT\"} 1.25e+07",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"10baseT\"} 1.25e+06",
  };
  std::vector<std::string> got = testing::RenderedLines(set, families);
  EXPECT_EQ(got, want);

  // bonding_masters is a regular file, not a device; lo and bond0 are asked
  // but answer with errors; bond0's statistics are not asked after its driver
  // info failed.
  for (const auto& [dev, cmd] : raw->requests) EXPECT_NE(dev, "bonding_masters");
  EXPECT_EQ(std::count(raw->requests.begin(), raw->requests.end(),
                       std::make_pair(std::string("lo"), uint32_t{ETHTOOL_GDRVINFO})),
            1);
  EXPECT_EQ(std::count(raw->requests.begin(), raw->requests.end(),
                       std::make_pair(std::string("bond0"), uint32_t{ETHTOOL_GSTRINGS})),
            0);

  // A second scrape gives the same result from the cached plan.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(testing::RenderedLines(set, families), want);
}

TEST_F(EthtoolCollectorTest, StatisticNamesChangingBetweenScrapesArePlannedAgain) {
  MakeNetClass(tree_, {"eth0"});
  auto fake = std::make_unique<FakeIoctl>();
  FakeIoctl* raw = fake.get();
  raw->Set("eth0", ETHTOOL_GDRVINFO, DrvInfo("x", "", "", "", "", 1));
  raw->Set("eth0", ETHTOOL_GSTRINGS, GStrings({"a"}));
  raw->Set("eth0", ETHTOOL_GSTATS, GStats({5}));
  auto c = MakeCollector(Ctx(), std::move(fake));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ethtool_a", {{"device", "eth0"}}), 5);

  // The driver grew a statistic (e.g. more queues): GDRVINFO still says 1 but
  // the kernel answers with 2 entries, which fit in the headroom.
  raw->Set("eth0", ETHTOOL_GSTRINGS, GStrings({"a", "b"}));
  raw->Set("eth0", ETHTOOL_GSTATS, GStats({6, 7}));
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ethtool_a", {{"device", "eth0"}}), 6);
  EXPECT_EQ(set.Find("node_ethtool_b", {{"device", "eth0"}}), 7);
}

TEST_F(EthtoolCollectorTest, MalformedAnswersSkipOnlyThatDevicesStatistics) {
  MakeNetClass(tree_, {"eth0", "eth1", "eth2"});
  auto fake = std::make_unique<FakeIoctl>();
  FakeIoctl* raw = fake.get();
  // eth0: name and value counts differ.
  raw->Set("eth0", ETHTOOL_GDRVINFO, DrvInfo("x", "", "", "", "", 2));
  raw->Set("eth0", ETHTOOL_GSTRINGS, GStrings({"a", "b"}));
  raw->Set("eth0", ETHTOOL_GSTATS, GStats({1}));
  // eth1: more statistics than safchain accepts; no ioctl for them is made.
  raw->Set("eth1", ETHTOOL_GDRVINFO, DrvInfo("y", "", "", "", "", 40000));
  // eth2: zero statistics.
  raw->Set("eth2", ETHTOOL_GDRVINFO, DrvInfo("z", "", "", "", "", 0));
  auto c = MakeCollector(Ctx(), std::move(fake));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ethtool_info"), 3u);
  EXPECT_EQ(set.Count("node_ethtool_a"), 0u);
  EXPECT_EQ(std::count(raw->requests.begin(), raw->requests.end(),
                       std::make_pair(std::string("eth1"), uint32_t{ETHTOOL_GSTRINGS})),
            0);
  EXPECT_EQ(std::count(raw->requests.begin(), raw->requests.end(),
                       std::make_pair(std::string("eth2"), uint32_t{ETHTOOL_GSTRINGS})),
            0);
}

TEST_F(EthtoolCollectorTest, InvalidUtf8DriverInfoIsNotExported) {
  MakeNetClass(tree_, {"eth0"});
  auto fake = std::make_unique<FakeIoctl>();
  fake->Set("eth0", ETHTOOL_GDRVINFO, DrvInfo("bad\xff", "", "", "", "", 0));
  auto c = MakeCollector(Ctx(), std::move(fake));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ethtool_info"), 0u);
}

TEST_F(EthtoolCollectorTest, DeviceAndMetricFilters) {
  MakeNetClass(tree_, {"eth0", "eth1", "veth9"});
  auto make = [&](const FlagValues& flags) {
    auto fake = std::make_unique<FakeIoctl>();
    for (const char* d : {"eth0", "eth1", "veth9"}) AddE1000e(fake.get(), d);
    return MakeCollector(Ctx(&flags), std::move(fake));
  };
  {
    FlagValues flags;
    flags.Set("collector.ethtool.device-exclude", "^veth");
    flags.Set("collector.ethtool.metrics-include", "^rx_");
    auto c = make(flags);
    ASSERT_NE(c, nullptr);
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Count("node_ethtool_info"), 2u);
    EXPECT_EQ(set.Count("node_ethtool_received_missed"), 2u);
    EXPECT_EQ(set.Count("node_ethtool_transmitted_packets_total"), 0u);
    EXPECT_EQ(set.Count("node_ethtool_port_received_dropped"), 0u);
  }
  {
    FlagValues flags;
    flags.Set("collector.ethtool.device-include", "1");  // Unanchored, like Go's MatchString.
    auto c = make(flags);
    ASSERT_NE(c, nullptr);
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Count("node_ethtool_info"), 1u);
    EXPECT_EQ(set.Find("node_ethtool_info", {{"device", "eth1"}}), 1);
  }
}

TEST_F(EthtoolCollectorTest, BadPatternsNameTheFlag) {
  MakeNetClass(tree_, {"eth0"});
  for (const char* flag :
       {"collector.ethtool.device-include", "collector.ethtool.device-exclude", "collector.ethtool.metrics-include"}) {
    FlagValues flags;
    flags.Set(flag, "([");
    auto c = NewEthtoolCollectorWithIoctl(Ctx(&flags), std::make_unique<FakeIoctl>());
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find(flag), std::string::npos) << c.status().message();
  }
}

TEST_F(EthtoolCollectorTest, MissingOrEmptyNetClass) {
  {
    auto c = MakeCollector(Ctx(), std::make_unique<FakeIoctl>());
    ASSERT_NE(c, nullptr);
    expo::MetricSet set;
    Status st = c->Collect(set);
    EXPECT_EQ(st.code(), StatusCode::kNoData);
    EXPECT_EQ(set.samples().size(), 0u);
  }
  {
    tree_.MakeDir("class/net");
    tree_.Write("class/net/bonding_masters", "");
    auto c = MakeCollector(Ctx(), std::make_unique<FakeIoctl>());
    ASSERT_NE(c, nullptr);
    expo::MetricSet set;
    Status st = c->Collect(set);
    EXPECT_EQ(st.code(), StatusCode::kError);
    EXPECT_NE(st.message().find("no network devices"), std::string::npos);
  }
}

// --- This machine's real interfaces. ---

TEST(EthtoolRealTest, ThisMachinesInterfaces) {
  if (!std::filesystem::exists("/sys/class/net/eth0")) GTEST_SKIP() << "no eth0 on this machine";
  Logger log(LogLevel::kError, LogFormat::kLogfmt, -1);
  Context ctx;
  ctx.log = &log;
  auto c = NewEthtoolCollector(ctx);
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  // Every driver answers GDRVINFO unless it has neither get_drvinfo, a parent
  // device nor rtnl_link_ops: lo is such a device.
  EXPECT_TRUE(std::isnan(set.Find("node_ethtool_info", {{"device", "lo"}})));
  EXPECT_EQ(set.Find("node_ethtool_info", {{"device", "eth0"}}), 1);
  std::error_code ec;
  auto target = std::filesystem::read_symlink("/sys/class/net/eth0/device/driver", ec);
  if (!ec && target.filename() == "virtio_net") {
    EXPECT_EQ(set.Find("node_ethtool_info", {{"device", "eth0"}, {"driver", "virtio_net"}}), 1);
    // virtio_net reports link settings without link modes, and ~20 counters.
    EXPECT_EQ(set.Find("node_network_autonegotiate_supported", {{"device", "eth0"}}), 0);
    EXPECT_EQ(set.Count("node_network_supported_speed_bytes"), 0u);
    EXPECT_GE(set.Find("node_ethtool_received_kicks", {{"device", "eth0"}}), 0);
  }
}

// --- node_exporter's own ethtool fixtures from the conformance kit. ---

// Turns the kit's collector/fixtures/ethtool/<dev>/{driver,statistics,settings}
// (ethtool -i / -S / plain ethtool output) into kernel answers, the way
// node_exporter's test double reads them.
class KitFixtureIoctl : public FakeIoctl {
 public:
  explicit KitFixtureIoctl(const std::string& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) LoadDevice(entry.path());
  }

 private:
  static std::vector<std::string_view> SplitColon(std::string_view line) {
    std::vector<std::string_view> items;
    size_t pos;
    while ((pos = line.find(": ")) != std::string_view::npos) {
      items.push_back(line.substr(0, pos));
      line.remove_prefix(pos + 2);
    }
    items.push_back(line);
    return items;
  }

  static uint32_t Modes(std::string_view text) {
    static const std::map<std::string_view, int> kBits = {{"10baseT/Half", 0},
                                                          {"10baseT/Full", 1},
                                                          {"100baseT/Half", 2},
                                                          {"100baseT/Full", 3},
                                                          {"1000baseT/Half", 4},
                                                          {"1000baseT/Full", 5},
                                                          {"10000baseT/Full", 12},
                                                          {"TP", 7},
                                                          {"MII", 9}};
    uint32_t out = 0;
    std::string_view field;
    while (NextField(&text, &field)) {
      auto it = kBits.find(field);
      if (it != kBits.end()) out |= B(it->second);
    }
    return out;
  }

  void LoadDevice(const std::filesystem::path& dir) {
    std::string dev = dir.filename().string();
    std::string text;
    std::vector<std::string> names;
    std::vector<uint64_t> values;
    int stats_err = 0;
    if (ReadFileOnce((dir / "statistics").string(), &text).ok()) {
      std::string_view rest = text, line;
      while (NextLine(&rest, &line)) {
        if (line.rfind("#", 0) == 0 || line.rfind("NIC statistics:", 0) == 0) continue;
        auto items = SplitColon(TrimSpace(line));
        if (items.size() < 2) continue;
        uint64_t v = std::stoull(std::string(items[1]));
        if (items[0] == "ERROR") {
          stats_err = static_cast<int>(v);
          break;
        }
        names.emplace_back(items[0]);
        values.push_back(v);
      }
    }
    if (ReadFileOnce((dir / "driver").string(), &text).ok()) {
      std::map<std::string_view, std::string> kv;
      std::string_view rest = text, line;
      while (NextLine(&rest, &line)) {
        if (line.rfind("#", 0) == 0) continue;
        auto items = SplitColon(TrimSpace(line));
        if (items.size() >= 2) kv[items[0]] = std::string(items[1]);
      }
      Set(dev, ETHTOOL_GDRVINFO,
          DrvInfo(kv["driver"], kv["version"], kv["firmware-version"], kv["bus-info"], kv["expansion-rom-version"],
                  names.size()));
    }
    if (stats_err != 0) {
      Fail(dev, ETHTOOL_GSTRINGS, stats_err);
    } else if (!names.empty()) {
      Set(dev, ETHTOOL_GSTRINGS, GStrings(names));
      Set(dev, ETHTOOL_GSTATS, GStats(values));
    }
    if (ReadFileOnce((dir / "settings").string(), &text).ok()) {
      uint32_t sup = 0, adv = 0;
      uint8_t autoneg = 0;
      uint32_t* continuing = nullptr;
      std::string_view rest = text, line;
      while (NextLine(&rest, &line)) {
        if (line.rfind("#", 0) == 0 || line.rfind("Settings for", 0) == 0) continue;
        line = TrimSpace(line);
        if (continuing != nullptr && line.find(':') == std::string_view::npos) {
          *continuing |= Modes(line);
          continue;
        }
        continuing = nullptr;
        auto items = SplitColon(line);
        if (items.size() < 2) continue;
        std::string_view key = items[0], value = items[1];
        if (key == "Supported ports") sup |= Modes(std::string(value).erase(0, value.find_first_not_of("[ ")));
        if (key == "Supported link modes") sup |= Modes(value), continuing = &sup;
        if (key == "Advertised link modes") adv |= Modes(value), continuing = &adv;
        if (key == "Supported pause frame use" && value == "Symmetric") sup |= B(kEthtoolPauseBit);
        if (key == "Advertised pause frame use" && value == "Symmetric") adv |= B(kEthtoolPauseBit);
        if (key == "Supports auto-negotiation" && value == "Yes") sup |= B(kEthtoolAutonegBit);
        if (key == "Advertised auto-negotiation" && value == "Yes") adv |= B(kEthtoolAutonegBit);
        if (key == "Auto-negotiation" && value == "on") autoneg = 1;
      }
      Set(dev, ETHTOOL_GSET, Cmd(sup, adv, autoneg));
    }
  }
};

TEST(EthtoolConformanceTest, KitFixturesGiveNodeExportersUnitTestOutput) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;  // The e2e flags do not enable ethtool; its defaults apply.
  Logger log(LogLevel::kError, LogFormat::kLogfmt, -1);
  Context ctx = testing::KitContext(&flags, &log);
  auto c = NewEthtoolCollectorWithIoctl(ctx, std::make_unique<KitFixtureIoctl>("collector/fixtures/ethtool"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());

  std::vector<std::string> families = kAllFamilies;
  for (const char* f :
       {"node_ethtool_align_errors", "node_ethtool_port_received_dropped", "node_ethtool_received_broadcast",
        "node_ethtool_received_errors_total", "node_ethtool_received_missed", "node_ethtool_received_multicast",
        "node_ethtool_received_packets_total", "node_ethtool_received_unicast", "node_ethtool_transmitted_aborted",
        "node_ethtool_transmitted_errors_total", "node_ethtool_transmitted_multi_collisions",
        "node_ethtool_transmitted_packets_total", "node_ethtool_transmitted_single_collisions",
        "node_ethtool_transmitted_underrun", "node_ethtool_duplicate_metric"}) {
    families.emplace_back(f);
  }
  std::sort(families.begin(), families.end());

  // The kit's e2e output has no ethtool lines (the e2e flags leave it off).
  EXPECT_TRUE(testing::ExpectedLines(kit, families).empty());

  // node_exporter 1.12.1's TestEthToolCollector expectation for the same
  // fixtures (HELP lines left out, as the conformance runner does).
  const std::vector<std::string> want = {
      "# TYPE node_ethtool_align_errors untyped",
      "node_ethtool_align_errors{device=\"eth0\"} 0",
      "# TYPE node_ethtool_info gauge",
      "node_ethtool_info{bus_info=\"0000:00:1f.6\",device=\"eth0\",driver=\"e1000e\",expansion_rom_version=\"\","
      "firmware_version=\"0.5-4\",version=\"5.11.0-22-generic\"} 1",
      "# TYPE node_ethtool_port_received_dropped untyped",
      "node_ethtool_port_received_dropped{device=\"eth0\"} 12028",
      "# TYPE node_ethtool_received_broadcast untyped",
      "node_ethtool_received_broadcast{device=\"eth0\"} 5792",
      "# TYPE node_ethtool_received_errors_total untyped",
      "node_ethtool_received_errors_total{device=\"eth0\"} 0",
      "# TYPE node_ethtool_received_missed untyped",
      "node_ethtool_received_missed{device=\"eth0\"} 401",
      "# TYPE node_ethtool_received_multicast untyped",
      "node_ethtool_received_multicast{device=\"eth0\"} 23973",
      "# TYPE node_ethtool_received_packets_total untyped",
      "node_ethtool_received_packets_total{device=\"eth0\"} 1.260062e+06",
      "# TYPE node_ethtool_received_unicast untyped",
      "node_ethtool_received_unicast{device=\"eth0\"} 1.230297e+06",
      "# TYPE node_ethtool_transmitted_aborted untyped",
      "node_ethtool_transmitted_aborted{device=\"eth0\"} 0",
      "# TYPE node_ethtool_transmitted_errors_total untyped",
      "node_ethtool_transmitted_errors_total{device=\"eth0\"} 0",
      "# TYPE node_ethtool_transmitted_multi_collisions untyped",
      "node_ethtool_transmitted_multi_collisions{device=\"eth0\"} 0",
      "# TYPE node_ethtool_transmitted_packets_total untyped",
      "node_ethtool_transmitted_packets_total{device=\"eth0\"} 961500",
      "# TYPE node_ethtool_transmitted_single_collisions untyped",
      "node_ethtool_transmitted_single_collisions{device=\"eth0\"} 0",
      "# TYPE node_ethtool_transmitted_underrun untyped",
      "node_ethtool_transmitted_underrun{device=\"eth0\"} 0",
      "# TYPE node_network_advertised_speed_bytes gauge",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"100baseT\"} 1.25e+07",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10baseT\"} 1.25e+06",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"100baseT\"} 1.25e+07",
      "node_network_advertised_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"10baseT\"} 1.25e+06",
      "# TYPE node_network_asymmetricpause_advertised gauge",
      "node_network_asymmetricpause_advertised{device=\"eth0\"} 0",
      "# TYPE node_network_asymmetricpause_supported gauge",
      "node_network_asymmetricpause_supported{device=\"eth0\"} 0",
      "# TYPE node_network_autonegotiate gauge",
      "node_network_autonegotiate{device=\"eth0\"} 1",
      "# TYPE node_network_autonegotiate_advertised gauge",
      "node_network_autonegotiate_advertised{device=\"eth0\"} 1",
      "# TYPE node_network_autonegotiate_supported gauge",
      "node_network_autonegotiate_supported{device=\"eth0\"} 1",
      "# TYPE node_network_pause_advertised gauge",
      "node_network_pause_advertised{device=\"eth0\"} 1",
      "# TYPE node_network_pause_supported gauge",
      "node_network_pause_supported{device=\"eth0\"} 1",
      "# TYPE node_network_supported_port_info gauge",
      "node_network_supported_port_info{device=\"eth0\",type=\"MII\"} 1",
      "node_network_supported_port_info{device=\"eth0\",type=\"TP\"} 1",
      "# TYPE node_network_supported_speed_bytes gauge",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10000baseT\"} 1.25e+09",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"1000baseT\"} 1.25e+08",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"100baseT\"} 1.25e+07",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"full\",mode=\"10baseT\"} 1.25e+06",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"100baseT\"} 1.25e+07",
      "node_network_supported_speed_bytes{device=\"eth0\",duplex=\"half\",mode=\"10baseT\"} 1.25e+06",
  };
  EXPECT_EQ(testing::RenderedLines(set, families), want);
}

}  // namespace
}  // namespace nodex::collectors
