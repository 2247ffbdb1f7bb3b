#include "collectors/uname.h"

#include <gtest/gtest.h>
#include <string.h>
#include <sys/utsname.h>

#include <string>

#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

TEST(UnameCollectorTest, ReportsTheLiveKernel) {
  auto collector = NewUnameCollector(Context());
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  ASSERT_EQ(set.Count("node_uname_info"), 1u);

  struct utsname uts;
  ASSERT_EQ(uname(&uts), 0);
  EXPECT_EQ(set.Find("node_uname_info", {{"sysname", "Linux"},
                                         {"release", uts.release},
                                         {"version", uts.version},
                                         {"machine", uts.machine},
                                         {"nodename", uts.nodename},
                                         {"domainname", uts.domainname}}),
            1);
}

TEST(UnameCollectorTest, RendersLikeNodeExporter) {
  struct utsname uts;
  memset(&uts, 0, sizeof(uts));
  strcpy(uts.sysname, "Linux");
  strcpy(uts.nodename, "vm");
  strcpy(uts.release, "6.1.0-18-amd64");
  strcpy(uts.version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)");
  strcpy(uts.machine, "x86_64");
  strcpy(uts.domainname, "(none)");
  expo::MetricSet set;
  AddUnameInfo(uts, set);
  std::string text;
  expo::TextWriter().Write(set, &text);
  EXPECT_NE(text.find("# TYPE node_uname_info gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"vm\","
                      "release=\"6.1.0-18-amd64\",sysname=\"Linux\","
                      "version=\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(UnameCollectorTest, FieldWithoutNulStopsAtArrayEnd) {
  struct utsname uts;
  memset(&uts, 'x', sizeof(uts));  // No NUL anywhere.
  expo::MetricSet set;
  AddUnameInfo(uts, set);
  EXPECT_EQ(set.Find("node_uname_info", {{"sysname", std::string(sizeof(uts.sysname), 'x')},
                                         {"domainname", std::string(sizeof(uts.domainname), 'x')}}),
            1);
}

}  // namespace
}  // namespace nodex::collectors
