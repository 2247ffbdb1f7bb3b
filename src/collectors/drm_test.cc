#include "collectors/drm.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

// The kit has no sys/class/drm, so every drm fixture here is hand-written,
// shaped like an amdgpu card on Linux 6.x, in tree/sys:
// sys/devices/<device_path>/ holds the attributes; sys/class/drm/<card> is a
// directory whose "device" symlink points there, as in sysfs.
void AddCard(const testing::ScratchTree& tree, const std::string& card, const std::string& device_path,
             const std::map<std::string, std::string>& attrs) {
  for (const auto& [name, value] : attrs) tree.Write("sys/devices/" + device_path + "/" + name, value);
  tree.MakeDir("sys/class/drm/" + card);
  fs::create_symlink(fs::absolute(tree.Path("sys/devices/" + device_path)),
                     tree.Path("sys/class/drm/" + card + "/device"));
}

std::map<std::string, std::string> Amdgpu() {
  return {{"uevent", "DRIVER=amdgpu\nPCI_CLASS=30000\nPCI_ID=1002:67DF\n"},
          {"gpu_busy_percent", "4\n"},
          {"mem_info_gtt_total", "8573157376\n"},
          {"mem_info_gtt_used", "144560128\n"},
          {"mem_info_vis_vram_total", "8573157376\n"},
          {"mem_info_vis_vram_used", "1490378752\n"},
          {"mem_info_vram_total", "8573157376\n"},
          {"mem_info_vram_used", "1490378752\n"},
          {"mem_info_vram_vendor", "samsung\n"},
          {"power_dpm_force_performance_level", "manual\n"},
          {"unique_id", "0123456789abcdef\n"}};
}

TEST(DrmParseTest, UeventDriver) {
  EXPECT_TRUE(DrmUeventIsAmdgpu("DRIVER=amdgpu\nPCI_CLASS=30000\n"));
  EXPECT_TRUE(DrmUeventIsAmdgpu("PCI_CLASS=30000\nDRIVER=amdgpu"));
  EXPECT_FALSE(DrmUeventIsAmdgpu("DRIVER=i915\nPCI_CLASS=30000\n"));
  EXPECT_FALSE(DrmUeventIsAmdgpu(""));
}

TEST(DrmParseTest, Attributes) {
  DrmCardStats s;
  ASSERT_TRUE(ApplyDrmCardAttribute("gpu_busy_percent", "17\n", &s).ok());
  EXPECT_EQ(s.gpu_busy_percent, 17u);
  ASSERT_TRUE(ApplyDrmCardAttribute("mem_info_vram_total", "0x10", &s).ok());  // Go base 0
  EXPECT_EQ(s.memory_vram_size, 16u);
  ASSERT_TRUE(ApplyDrmCardAttribute("mem_info_gtt_used", "18446744073709551615", &s).ok());
  EXPECT_EQ(s.memory_gtt_used, 18446744073709551615u);
  ASSERT_TRUE(ApplyDrmCardAttribute("unique_id", " 0a1b \n", &s).ok());
  EXPECT_EQ(s.unique_id, "0a1b");
  ASSERT_TRUE(ApplyDrmCardAttribute("pp_dpm_sclk", "0: 300Mhz *", &s).ok());  // not read
  for (const char* bad : {"", "-1", "12%", "1.5", "18446744073709551616", "abc"}) {
    EXPECT_FALSE(ApplyDrmCardAttribute("mem_info_vram_used", bad, &s).ok()) << bad;
  }
}

TEST(DrmParseTest, ChipName) {
  std::string chip;
  DrmChipName("/sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0", &chip);
  EXPECT_EQ(chip, "0000:00:03_1_0000:0a:00_0");
  DrmChipName("/sys/devices/pci0000:00/0000:0A:00.0/", &chip);
  EXPECT_EQ(chip, "pci0000:00_0000:0a:00_0");
  DrmChipName("/---/0000:0a:00.0", &chip);
  EXPECT_EQ(chip, "0000:0a:00_0");
  DrmChipName("/sys/devices/...", &chip);
  EXPECT_EQ(chip, "");
}

TEST(DrmCollectorTest, AmdgpuCardOnly) {
  testing::ScratchTree tree("drm_cards");
  AddCard(tree, "card0", "pci0000:00/0000:00:03.1/0000:0a:00.0", Amdgpu());
  AddCard(tree, "card1", "pci0000:00/0000:00:02.0", {{"uevent", "DRIVER=i915\n"}});
  auto partial = Amdgpu();
  partial.erase("gpu_busy_percent");
  partial.erase("mem_info_vram_vendor");
  AddCard(tree, "card10", "pci0000:00/0000:00:04.0", partial);  // glob card[0-9] skips it
  AddCard(tree, "card2", "pci0000:00/0000:00:05.0", partial);
  tree.MakeDir("sys/class/drm/card0-DP-1");
  tree.MakeDir("sys/class/drm/renderD128");

  auto collector = testing::MustCreate(NewDrmCollector, testing::SysContext(tree.Path("sys")));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Count("node_drm_card_info"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_card_info", {{"card", "card0"},
                                                   {"chip", "0000:00:03_1_0000:0a:00_0"},
                                                   {"memory_vendor", "samsung"},
                                                   {"power_performance_level", "manual"},
                                                   {"unique_id", "0123456789abcdef"},
                                                   {"vendor", "amd"}}),
                   1);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_card_info", {{"card", "card2"}, {"memory_vendor", ""}}), 1);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_gpu_busy_percent", {{"card", "card0"}}), 4);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_gpu_busy_percent", {{"card", "card2"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_memory_vram_size_bytes", {{"card", "card0"}}), 8573157376.0);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_memory_vis_vram_used_bytes", {{"card", "card0"}}), 1490378752.0);
  EXPECT_DOUBLE_EQ(set.Find("node_drm_memory_gtt_used_bytes", {{"card", "card0"}}), 144560128.0);
  EXPECT_EQ(set.Count("node_drm_memory_vram_used_bytes"), 2u);

  // A second scrape after card2 loses its driver reuses the buffers.
  tree.Write("sys/devices/pci0000:00/0000:00:05.0/uevent", "DRIVER=vfio-pci\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_drm_card_info"), 1u);
}

TEST(DrmCollectorTest, NoDrmClassIsNoCards) {
  testing::ScratchTree tree("drm_none");
  expo::MetricSet set;
  EXPECT_TRUE(testing::MustCreate(NewDrmCollector, testing::SysContext(tree.Path("sys")))->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(DrmCollectorTest, MalformedCardsFail) {
  expo::MetricSet set;
  testing::ScratchTree bad_number("drm_bad_number");
  auto bad = Amdgpu();
  bad["mem_info_vram_used"] = "lots\n";
  AddCard(bad_number, "card0", "pci0000:00/0000:00:01.0/0000:01:00.0", bad);
  EXPECT_EQ(testing::MustCreate(NewDrmCollector, testing::SysContext(bad_number.Path("sys")))->Collect(set).code(),
            StatusCode::kError);

  testing::ScratchTree no_uevent_tree("drm_no_uevent");
  auto no_uevent = Amdgpu();
  no_uevent.erase("uevent");
  AddCard(no_uevent_tree, "card0", "pci0000:00/0000:00:01.0/0000:01:00.0", no_uevent);
  EXPECT_EQ(testing::MustCreate(NewDrmCollector, testing::SysContext(no_uevent_tree.Path("sys")))->Collect(set).code(),
            StatusCode::kError);

  testing::ScratchTree no_device("drm_no_device");
  no_device.MakeDir("sys/class/drm/card0");
  EXPECT_EQ(testing::MustCreate(NewDrmCollector, testing::SysContext(no_device.Path("sys")))->Collect(set).code(),
            StatusCode::kError);
}

}  // namespace
}  // namespace nodex::collectors
