#include "collectors/collector.h"

#include <gtest/gtest.h>

#include <set>

namespace nodex::collectors {
namespace {

TEST(JoinPathTest, JoinsWithOneSlash) {
  EXPECT_EQ(JoinPath("/proc", "stat"), "/proc/stat");
  EXPECT_EQ(JoinPath("/proc/", "/stat"), "/proc/stat");
  EXPECT_EQ(JoinPath("/", "etc/os-release"), "/etc/os-release");
  EXPECT_EQ(JoinPath("collector/fixtures/proc", "stat"), "collector/fixtures/proc/stat");
  EXPECT_EQ(JoinPath("/host/root", ""), "/host/root");
}

TEST(FlagValuesTest, GettersDefaultWhenUnset) {
  FlagValues flags;
  EXPECT_FALSE(flags.GetBool("collector.cpu.info"));
  EXPECT_EQ(flags.GetString("x"), "");
  EXPECT_TRUE(flags.GetList("x").empty());
  flags.Set("collector.cpu.info", "true");
  flags.SetList("collector.sysctl.include", {"a", "b"});
  EXPECT_TRUE(flags.GetBool("collector.cpu.info"));
  EXPECT_TRUE(flags.Has("collector.cpu.info"));
  EXPECT_EQ(flags.GetList("collector.sysctl.include").size(), 2u);
}

TEST(RegistryTest, SortedUniqueAndFindable) {
  auto all = AllCollectors();
  ASSERT_FALSE(all.empty());
  std::set<std::string_view> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(all[i - 1].name, all[i].name) << "registry must stay sorted by name";
    }
    EXPECT_TRUE(seen.insert(all[i].name).second);
    EXPECT_EQ(FindCollector(all[i].name), &all[i]);
    EXPECT_NE(all[i].create, nullptr);
    // Collector options live under their collector's flag namespace, except
    // where node_exporter itself named them otherwise.
    std::string own = "collector." + std::string(all[i].name) + ".";
    for (const FlagDef& f : all[i].flags) {
      bool named_by_node_exporter = f.name.rfind("collector.powersupply.", 0) == 0 ||
                                    f.name.rfind("collector.netclass_rtnl.", 0) == 0;
      EXPECT_TRUE(f.name.rfind(own, 0) == 0 || named_by_node_exporter) << f.name;
    }
  }
  EXPECT_EQ(FindCollector("nope"), nullptr);
  EXPECT_EQ(FindCollector(""), nullptr);
}

TEST(RegistryTest, FirstCollectorsOnByDefault) {
  for (const char* name : {"cpu", "entropy", "filefd", "loadavg", "meminfo", "os", "stat", "time", "uname"}) {
    const CollectorInfo* info = FindCollector(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_TRUE(info->enabled_by_default) << name;
  }
}

}  // namespace
}  // namespace nodex::collectors
