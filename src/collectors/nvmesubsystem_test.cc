#include "collectors/nvmesubsystem.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(NvmesubsystemTest, StateNormalisation) {
  for (const char* s : {"live", "connecting", "resetting", "dead", "deleting", "deleting (no IO)", "new"}) {
    EXPECT_EQ(NormalizeNvmeControllerState(s), s);
  }
  for (const char* s : {"", "Live", "frozen", "live "}) EXPECT_EQ(NormalizeNvmeControllerState(s), "unknown") << s;
}

TEST(NvmesubsystemTest, Names) {
  EXPECT_TRUE(IsNvmeControllerName("nvme0"));
  EXPECT_TRUE(IsNvmeControllerName("nvme12"));
  EXPECT_FALSE(IsNvmeControllerName("nvme"));
  EXPECT_FALSE(IsNvmeControllerName("nvme0n1"));
  EXPECT_TRUE(IsNvmeNamespaceName("nvme0n1"));
  EXPECT_TRUE(IsNvmeNamespaceName("nvme10n22"));
  for (const char* n : {"nvme0", "nvme0c0n1", "nvmen1", "nvme0n", "nvme0n1p1", "ng0n1"}) {
    EXPECT_FALSE(IsNvmeNamespaceName(n)) << n;
  }
}

void WriteSubsystem(const testing::ScratchTree& dir) {
  const std::string s = "class/nvme-subsystem/nvme-subsys1/";
  dir.Write(s + "subsysnqn", "nqn.1992-08.com.netapp:sn.0123456789abcdef:subsystem.vm1\n");
  dir.Write(s + "model", "NetApp ONTAP Controller\n");
  dir.Write(s + "serial", "81Kx5SfGl5eUAAAAAAAB\n");
  dir.Write(s + "iopolicy", "numa\n");
  const char* states[] = {"live", "connecting", "deleting"};
  for (int i = 0; i < 3; ++i) {
    std::string c = s + "nvme" + std::to_string(i) + "/";
    dir.Write(c + "state", std::string(states[i]) + "\n");
    dir.Write(c + "transport", "tcp\n");
    dir.Write(c + "address", "traddr=192.0.2.10,trsvcid=4420\n");
  }
  dir.MakeDir(s + "nvme1n1");
  dir.MakeDir(s + "power");
}

TEST(NvmesubsystemCollectorTest, ScratchTree) {
  testing::ScratchTree dir("nvmesubsys");
  WriteSubsystem(dir);
  dir.MakeDir("class/nvme-subsystem/other");  // Not nvme-subsys*: ignored.
  auto c = testing::MustCreate(NewNvmesubsystemCollector, testing::SysContext(dir.root()));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Find("node_nvmesubsystem_info", {{"subsystem", "nvme-subsys1"}, {"iopolicy", "numa"}}), 1);
    EXPECT_EQ(set.Find("node_nvmesubsystem_namespace_info", {{"device", "nvme1n1"}}), 1);
    EXPECT_EQ(set.Find("node_nvmesubsystem_paths"), 3);
    EXPECT_EQ(set.Find("node_nvmesubsystem_paths_live"), 1);
    EXPECT_EQ(set.Count("node_nvmesubsystem_path_state"), 15u);
    EXPECT_EQ(set.Find("node_nvmesubsystem_path_state", {{"controller", "nvme1"}, {"state", "connecting"}}), 1);
    EXPECT_EQ(set.Find("node_nvmesubsystem_path_state", {{"controller", "nvme1"}, {"state", "live"}}), 0);
    // "deleting" is kept but has no series of its own: all five are 0.
    for (const char* s : {"live", "connecting", "resetting", "dead", "unknown"}) {
      EXPECT_EQ(set.Find("node_nvmesubsystem_path_state", {{"controller", "nvme2"}, {"state", s}}), 0) << s;
    }
  }
}

TEST(NvmesubsystemCollectorTest, MissingFilesAreNoData) {
  testing::ScratchTree dir("nvmesubsys_missing");
  auto c = testing::MustCreate(NewNvmesubsystemCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  WriteSubsystem(dir);
  std::filesystem::remove(dir.Path("class/nvme-subsystem/nvme-subsys1/nvme0/address"));
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NvmesubsystemCollectorTest, UnreadableAttributeFails) {
  testing::ScratchTree dir("nvmesubsys_bad");
  WriteSubsystem(dir);
  std::filesystem::remove(dir.Path("class/nvme-subsystem/nvme-subsys1/model"));
  dir.MakeDir("class/nvme-subsystem/nvme-subsys1/model");  // read(2) fails with EISDIR.
  auto c = testing::MustCreate(NewNvmesubsystemCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

// node_exporter's end-to-end test leaves this collector off, so the kit has
// fixtures but no expected output; check the fixture reads as the Go code would.
TEST(NvmesubsystemCollectorTest, ReadsConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewNvmesubsystemCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  EXPECT_EQ(set.Find("node_nvmesubsystem_info", {{"subsystem", "nvme-subsys0"},
                                                 {"model", "Dell PowerStore"},
                                                 {"serial", "SN12345678"},
                                                 {"iopolicy", "round-robin"}}),
            1);
  EXPECT_EQ(set.Find("node_nvmesubsystem_namespace_info", {{"device", "nvme0n1"}}), 1);
  EXPECT_EQ(set.Find("node_nvmesubsystem_paths"), 4);
  EXPECT_EQ(set.Find("node_nvmesubsystem_paths_live"), 3);
  EXPECT_EQ(set.Find("node_nvmesubsystem_path_state", {{"controller", "nvme3"}, {"transport", "fc"}, {"state", "dead"}}),
            1);
}

}  // namespace
}  // namespace nodex::collectors
