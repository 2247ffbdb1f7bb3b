#include "lint/normalise.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodex::lint {
namespace {

Object One(const std::string& yaml, const NormaliseOptions& options = {}) {
  std::vector<Document> docs;
  Status st = ParseManifests(yaml, "t.yaml", &docs);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(docs.size(), 1u);
  return docs.empty() ? Object() : Normalise(docs[0], options);
}

TEST(ParseListenAddress, Forms) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:9100", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 9100);
  ASSERT_TRUE(ParseListenAddress(":9100", &host, &port));
  EXPECT_EQ(host, "");
  EXPECT_EQ(port, 9100);
  ASSERT_TRUE(ParseListenAddress("[::1]:8443", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8443);
  ASSERT_TRUE(ParseListenAddress("8080", &host, &port));
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("10.0.0.1", &host, &port));
  EXPECT_EQ(host, "10.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress("fd00::1", &host, &port));
  EXPECT_EQ(port, 0);
  EXPECT_FALSE(ParseListenAddress("host:port", &host, &port));
  EXPECT_FALSE(ParseListenAddress(":70000", &host, &port));
  EXPECT_FALSE(ParseListenAddress("[::1", &host, &port));
  EXPECT_FALSE(ParseListenAddress("", &host, &port));
}

TEST(ExpandVars, LiteralEnvOnly) {
  std::map<std::string, std::string> env = {{"PORT", "9100"}};
  std::string out;
  EXPECT_TRUE(ExpandVars(":$(PORT)", env, &out));
  EXPECT_EQ(out, ":9100");
  EXPECT_TRUE(ExpandVars("$$(PORT)", env, &out));
  EXPECT_EQ(out, "$(PORT)");
  EXPECT_FALSE(ExpandVars("$(HOST_IP):9100", env, &out));
}

TEST(ParseListeners, FlagForms) {
  std::vector<Located> argv = {
      {"--web.listen-address=:9100", 1}, {"--listen-address", 2}, {"127.0.0.1:9200", 3}, {"-port=81", 4},
      {"--bind-address=10.0.0.1", 5},    {"--custom=:7000", 6},   {"--other=:1", 7}};
  std::vector<Listener> ls = ParseListeners(argv, {}, {"custom"});
  ASSERT_EQ(ls.size(), 4u);
  EXPECT_EQ(ls[0].port, 9100);
  EXPECT_TRUE(ls[0].AllAddresses());
  EXPECT_EQ(ls[1].port, 9200);
  EXPECT_TRUE(ls[1].Loopback());
  EXPECT_EQ(ls[1].line, 3);
  EXPECT_EQ(ls[2].port, 81);
  EXPECT_EQ(ls[2].host, "10.0.0.1");  // --bind-address applies to --port
  EXPECT_EQ(ls[3].port, 7000);
}

TEST(ParseListeners, ShellScriptWords) {
  std::vector<Listener> ls =
      ParseListeners({{"sh", 1}, {"-c", 2}, {"exec agent --metrics-bind-address :8080", 3}}, {}, {});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0].port, 8080);
}

TEST(Normalise, DaemonSetDefaultsAndLines) {
  Object o =
      One("apiVersion: apps/v1\n"
          "kind: DaemonSet\n"
          "metadata:\n"
          "  name: ds\n"
          "  annotations: {nodex.dev/ignore-HN019: ok}\n"
          "spec:\n"
          "  template:\n"
          "    metadata:\n"
          "      annotations: {nodex.dev/ignore-HN064: ok}\n"
          "    spec:\n"
          "      hostNetwork: true\n"
          "      initContainers:\n"
          "      - name: sidecar\n"
          "        restartPolicy: Always\n"
          "        ports: [{containerPort: 53, protocol: UDP}]\n"
          "      containers:\n"
          "      - name: c\n"
          "        ports:\n"
          "        - containerPort: 9100\n");
  EXPECT_TRUE(o.workload);
  EXPECT_EQ(o.ns, "default");
  EXPECT_EQ(o.line, 1);
  EXPECT_TRUE(o.Ignores("HN019"));
  EXPECT_TRUE(o.Ignores("HN064"));
  EXPECT_TRUE(o.pod.host_network);
  EXPECT_EQ(o.pod.host_network_line, 11);
  ASSERT_EQ(o.pod.containers.size(), 2u);
  const Container& c = o.pod.containers[0];
  EXPECT_EQ(c.name, "c");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_port, 9100);
  EXPECT_FALSE(c.ports[0].host_port_explicit);
  EXPECT_EQ(c.ports[0].protocol, "TCP");
  EXPECT_EQ(c.ports[0].host_ip, "0.0.0.0");
  EXPECT_EQ(c.ports[0].line, 19);
  EXPECT_TRUE(o.pod.containers[1].sidecar);
  EXPECT_EQ(HostPorts(o.pod).size(), 2u);
  EXPECT_EQ(o.max_surge, "");
}

TEST(Normalise, PodKeepsPortsWithoutHostNetwork) {
  Object o =
      One("{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: x}, spec: {containers: [{name: c, "
          "ports: [{containerPort: 80}]}]}}");
  EXPECT_EQ(o.ns, "x");
  EXPECT_EQ(o.pod.containers[0].ports[0].host_port, 0);
  EXPECT_TRUE(HostPorts(o.pod).empty());
}

TEST(Normalise, CronJobTemplateAndDeploymentSurge) {
  Object cj =
      One("{apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, spec: {jobTemplate: {spec: {template: "
          "{spec: {hostNetwork: true, containers: [{name: c}]}}}}}}");
  EXPECT_TRUE(cj.workload);
  EXPECT_TRUE(cj.pod.host_network);
  Object d =
      One("{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {template: {spec: {containers: []}}}}");
  EXPECT_EQ(d.max_surge, "25%");
  EXPECT_TRUE(d.max_surge_defaulted);
  EXPECT_TRUE(SurgeAboveZero("25%"));
  EXPECT_TRUE(SurgeAboveZero("1"));
  EXPECT_FALSE(SurgeAboveZero("0"));
  EXPECT_FALSE(SurgeAboveZero("0%"));
  EXPECT_FALSE(SurgeAboveZero(""));
}

TEST(Normalise, WrongTypesAreIgnored) {
  Object o =
      One("{apiVersion: v1, kind: Pod, metadata: [x], spec: {hostNetwork: [1], containers: {a: b}, "
          "volumes: 3}}");
  EXPECT_TRUE(o.workload);
  EXPECT_FALSE(o.pod.host_network);
  EXPECT_TRUE(o.pod.containers.empty());
  Object ns = One("{apiVersion: v1, kind: Namespace, metadata: {name: mon}}");
  EXPECT_FALSE(ns.workload);
  EXPECT_EQ(ns.Ref(), "Namespace/mon");
}

}  // namespace
}  // namespace nodex::lint
