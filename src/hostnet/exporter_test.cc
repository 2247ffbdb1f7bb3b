#include "hostnet/exporter.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <cmath>
#include <string>

namespace nodex::hostnet {
namespace {

// Runs CheckAtStart with a logger writing into a temporary file and returns
// what was logged.
std::string LogOfCheckAtStart(const std::string& procfs, const std::vector<std::string>& addresses) {
  FILE* file = tmpfile();
  Logger log(LogLevel::kInfo, LogFormat::kLogfmt, fileno(file));
  CheckAtStart(procfs, addresses, &log);
  std::string out;
  rewind(file);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), file)) > 0) out.append(buf, n);
  fclose(file);
  return out;
}

TEST(AddNamespaceMetricsTest, KnownAndUnknown) {
  expo::MetricSet set;
  Namespaces ns;
  ns.network = Answer{true, ""};
  ns.pid = Answer{false, ""};
  AddNamespaceMetrics(ns, set);
  EXPECT_EQ(set.Find("nodex_host_network"), 1);
  EXPECT_EQ(set.Find("nodex_host_pid"), 0);

  expo::MetricSet unknown;
  AddNamespaceMetrics(Namespaces{}, unknown);
  EXPECT_EQ(unknown.Count("nodex_host_network"), 0u);
  EXPECT_EQ(unknown.Count("nodex_host_pid"), 0u);
}

TEST(CheckAtStartTest, UnknownIsSaidOnce) {
  std::string log = LogOfCheckAtStart("src/hostnet/testdata", {"127.0.0.1:9100"});
  EXPECT_NE(log.find("Cannot tell whether nodex is in the node's network namespace"), std::string::npos) << log;
  EXPECT_NE(log.find("not a procfs mount"), std::string::npos) << log;
  EXPECT_EQ(log.find("reserved"), std::string::npos) << log;
}

TEST(CheckAtStartTest, WarnsAboutReservedPorts) {
  std::string log = LogOfCheckAtStart("src/hostnet/testdata", {":10250", "127.0.0.1:31000", "127.0.0.1:9100"});
  EXPECT_NE(log.find("level=warn msg=\"port 10250 is reserved for the kubelet API"), std::string::npos) << log;
  EXPECT_NE(log.find("port 31000 is reserved for Kubernetes NodePort services"), std::string::npos) << log;
  EXPECT_EQ(log.find("port 9100"), std::string::npos) << log;
}

}  // namespace
}  // namespace nodex::hostnet
