// Every rule: at least one case that fires and a close miss that must not.
// Manifests are written in YAML flow style so each case fits on a line.
#include "lint/rules/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lint/lint.h"

namespace nodex::lint {
namespace {

std::vector<Finding> Lint(const std::string& yaml, const EngineInput& in = {}) {
  std::vector<Document> docs;
  Status st = ParseManifests(yaml, "t.yaml", &docs);
  EXPECT_TRUE(st.ok()) << st.message();
  std::vector<Object> objects = NormaliseAll(docs, {});
  return RunRules(objects, in);
}

int Count(const std::vector<Finding>& findings, std::string_view rule) {
  int n = 0;
  for (const Finding& f : findings) n += f.rule == rule;
  return n;
}

int Count(const std::string& yaml, std::string_view rule, const EngineInput& in = {}) {
  return Count(Lint(yaml, in), rule);
}

std::string Pod(const std::string& spec) {
  return "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: " + spec + "}\n";
}

std::string Workload(const std::string& kind, const std::string& name, const std::string& pod_spec,
                     const std::string& extra = "", const std::string& ns = "n") {
  return "---\n{apiVersion: apps/v1, kind: " + kind + ", metadata: {name: " + name + ", namespace: " + ns +
         "}, spec: {" + extra + "template: {spec: " + pod_spec + "}}}\n";
}
std::string Ds(const std::string& pod_spec, const std::string& extra = "") {
  return Workload("DaemonSet", "d", pod_spec, extra);
}

// A host-network container: name, extra container fields.
std::string HostNet(const std::string& container_fields, const std::string& pod_fields = "") {
  return "{hostNetwork: true, dnsPolicy: ClusterFirstWithHostNet, " + pod_fields + "containers: [{name: c, " +
         container_fields + "}]}";
}

TEST(HN002, FiresWhenDnsPolicyUnsetOrClusterFirst) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, containers: [{name: c}]}"), "HN002"), 1);
  EXPECT_EQ(Count(Pod("{hostNetwork: true, dnsPolicy: ClusterFirst, containers: [{name: c}]}"), "HN002"), 1);
}
TEST(HN002, CloseMiss) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, dnsPolicy: ClusterFirstWithHostNet, containers: [{name: c}]}"), "HN002"), 0);
  EXPECT_EQ(Count(Pod("{hostNetwork: true, dnsPolicy: Default, containers: [{name: c}]}"), "HN002"), 0);
  EXPECT_EQ(Count(Pod("{dnsPolicy: ClusterFirst, containers: [{name: c}]}"), "HN002"), 0);
}

TEST(HN003, Fires) {
  EXPECT_EQ(Count(Pod("{dnsPolicy: ClusterFirstWithHostNet, containers: [{name: c}]}"), "HN003"), 1);
}
TEST(HN003, CloseMiss) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, dnsPolicy: ClusterFirstWithHostNet, containers: [{name: c}]}"), "HN003"), 0);
}

TEST(HN004, Fires) {
  EXPECT_EQ(Count(Pod("{dnsPolicy: None, containers: [{name: c}]}"), "HN004"), 1);
  EXPECT_EQ(Count(Pod("{dnsPolicy: None, dnsConfig: {nameservers: [a, b, c, d]}, containers: [{name: c}]}"), "HN004"),
            1);
}
TEST(HN004, CloseMiss) {
  EXPECT_EQ(Count(Pod("{dnsPolicy: None, dnsConfig: {nameservers: [10.0.0.10]}, containers: [{name: c}]}"), "HN004"),
            0);
}

TEST(HN010, Fires) { EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9100, hostPort: 9101}]")), "HN010"), 1); }
TEST(HN010, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9100, hostPort: 9100}]")), "HN010"), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{containerPort: 9100, hostPort: 9101}]}]}"), "HN010"), 0);
}

TEST(HN011, FiresForImpliedDuplicate) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, containers: [{name: a, ports: [{containerPort: 9100}]}, "
                      "{name: b, ports: [{containerPort: 9100}]}]}"),
                  "HN011"),
            1);
}
TEST(HN011, CloseMiss) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, containers: [{name: a, ports: [{containerPort: 53}, "
                      "{containerPort: 53, protocol: UDP}]}]}"),
                  "HN011"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: a, ports: [{containerPort: 80, hostPort: 8080, hostIP: 10.0.0.1}, "
                      "{containerPort: 81, hostPort: 8080, hostIP: 10.0.0.2}]}]}"),
                  "HN011"),
            0);
}

TEST(HN012, Fires) {
  EXPECT_EQ(Count(Pod(HostNet("args: [--web.listen-address=:9200], ports: [{containerPort: 9100}]")), "HN012"), 1);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--port, '8081'], ports: [{containerPort: 8080}]}]}"), "HN012"),
            1);
}
TEST(HN012, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("args: [--web.listen-address=:9100], ports: [{containerPort: 9100}]")), "HN012"), 0);
  EXPECT_EQ(Count(Pod(HostNet("args: ['--web.listen-address=$(ADDR)'], env: [{name: ADDR, value: ':9100'}], "
                              "ports: [{containerPort: 9100}]")),
                  "HN012"),
            0);
  // No ports declared: that is HN013's case.
  EXPECT_EQ(Count(Pod(HostNet("args: [--web.listen-address=:9200]")), "HN012"), 0);
}

TEST(HN013, Fires) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, containers: [{name: a, ports: [{containerPort: 9100}]}, "
                      "{name: b, args: [--listen-address=127.0.0.1:9200]}]}"),
                  "HN013"),
            1);
}
TEST(HN013, CloseMiss) {
  EXPECT_EQ(Count(Pod("{hostNetwork: true, containers: [{name: a, ports: [{containerPort: 9200}]}, "
                      "{name: b, args: [--listen-address=127.0.0.1:9200]}]}"),
                  "HN013"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: b, args: [--listen-address=127.0.0.1:9200]}]}"), "HN013"), 0);
}

TEST(HN014, Fires) { EXPECT_EQ(Count(Pod(HostNet("image: x")), "HN014"), 1); }
TEST(HN014, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9100}]")), "HN014"), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c}]}"), "HN014"), 0);
}

TEST(HN015, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: a, args: [--listen-address=:8080]}, "
                      "{name: b, args: [--metrics-bind-address=127.0.0.1:8080]}]}"),
                  "HN015"),
            1);
}
TEST(HN015, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: a, args: [--listen-address=127.0.0.1:8080]}, "
                      "{name: b, args: [--listen-address=127.0.0.2:8080]}]}"),
                  "HN015"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: a, args: [--listen-address=:8080]}, "
                      "{name: b, args: [--listen-address=:8081]}]}"),
                  "HN015"),
            0);
}

TEST(HN016, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{name: http, containerPort: 80}], "
                      "livenessProbe: {httpGet: {port: metrics}}}]}"),
                  "HN016"),
            1);
  EXPECT_EQ(
      Count(Pod("{containers: [{name: c, ports: [{containerPort: 80}], livenessProbe: {tcpSocket: {port: 81}}}]}"),
            "HN016"),
      1);
}
TEST(HN016, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{name: metrics, containerPort: 80}], "
                      "livenessProbe: {httpGet: {port: metrics}}}]}"),
                  "HN016"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--port=81], ports: [{containerPort: 80}], "
                      "livenessProbe: {tcpSocket: {port: 81}}}]}"),
                  "HN016"),
            0);
}

TEST(HN018, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--health-probe-bind-address=127.0.0.1:8081], "
                      "readinessProbe: {httpGet: {path: /readyz, port: 8081}}}]}"),
                  "HN018"),
            1);
}
TEST(HN018, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--health-probe-bind-address=127.0.0.1:8081], "
                      "readinessProbe: {httpGet: {host: 127.0.0.1, port: 8081}}}]}"),
                  "HN018"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--health-probe-bind-address=:8081], "
                      "readinessProbe: {httpGet: {port: 8081}}}]}"),
                  "HN018"),
            0);
}

TEST(HN019, Fires) { EXPECT_EQ(Count(Pod(HostNet("args: [--web.listen-address=0.0.0.0:9100]")), "HN019"), 1); }
TEST(HN019, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("args: [--web.listen-address=10.1.2.3:9100]")), "HN019"), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, args: [--web.listen-address=:9100]}]}"), "HN019"), 0);
}

const std::string kBaselineNs =
    "{apiVersion: v1, kind: Namespace, metadata: {name: n, labels: {pod-security.kubernetes.io/enforce: baseline}}}\n";
const std::string kPrivilegedNs =
    "{apiVersion: v1, kind: Namespace, metadata: {name: n, labels: {pod-security.kubernetes.io/enforce: "
    "privileged}}}\n";

TEST(HN020, Fires) {
  EXPECT_EQ(Count(kBaselineNs + Ds(HostNet("ports: [{containerPort: 9100}]")), "HN020"), 1);
  EngineInput restricted;
  restricted.options.default_psa_level = "restricted";
  EXPECT_EQ(Count(Ds("{containers: [{name: c}], volumes: [{name: v, hostPath: {path: /}}]}"), "HN020", restricted), 1);
}
TEST(HN020, CloseMiss) {
  EXPECT_EQ(Count(kPrivilegedNs + Ds(HostNet("ports: [{containerPort: 9100}]")), "HN020"), 0);
  EXPECT_EQ(
      Count(kBaselineNs + Ds("{containers: [{name: c, securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}}]}"),
            "HN020"),
      0);
  EXPECT_EQ(Count(Ds(HostNet("ports: [{containerPort: 9100}]")), "HN020"), 0);  // default: privileged
}

TEST(HN021, Fires) {
  EXPECT_EQ(Count("{apiVersion: v1, kind: Namespace, metadata: {name: n, labels: "
                  "{pod-security.kubernetes.io/enforce: privilegd, pod-security.kubernetes.io/warn-version: '1.30', "
                  "pod-security.kubernetes.io/enforced: baseline}}}",
                  "HN021"),
            3);
}
TEST(HN021, CloseMiss) {
  EXPECT_EQ(Count("{apiVersion: v1, kind: Namespace, metadata: {name: n, labels: "
                  "{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.30, "
                  "pod-security.kubernetes.io/audit-version: latest, other.io/enforce: x}}}",
                  "HN021"),
            0);
}

TEST(HN030, Fires) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 10250}]")), "HN030"), 1);
  EngineInput custom;
  custom.options.reserved_ports = {9100};
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9100}]")), "HN030", custom), 1);
}
TEST(HN030, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 10251}]")), "HN030"), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{containerPort: 10250}]}]}"), "HN030"), 0);
}

TEST(HN031, Fires) { EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 30080}]")), "HN031"), 1); }
TEST(HN031, CloseMiss) { EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 29999}]")), "HN031"), 0); }

TEST(HN032, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{containerPort: 8443, hostPort: 443}]}]}"), "HN032"), 1);
}
TEST(HN032, CloseMiss) { EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 8443}]")), "HN032"), 0); }

TEST(HN033, Fires) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 80}], securityContext: {runAsNonRoot: true}")), "HN033"), 1);
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 80}]", "securityContext: {runAsUser: 1000}, ")), "HN033"), 1);
}
TEST(HN033, CloseMiss) {
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 80}], securityContext: {runAsUser: 0}")), "HN033"), 0);
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 1024}], securityContext: {runAsNonRoot: true}")), "HN033"), 0);
}

TEST(HN034, ErrorWithDaemonSetWarnOtherwise) {
  std::vector<Finding> f = Lint(Workload("DaemonSet", "a", HostNet("ports: [{containerPort: 9100}]")) +
                                Workload("DaemonSet", "b", HostNet("ports: [{containerPort: 9100}]")));
  ASSERT_EQ(Count(f, "HN034"), 1);
  for (const Finding& x : f) {
    if (x.rule == "HN034") {
      EXPECT_EQ(x.severity, Severity::kError);
      EXPECT_EQ(x.name, "b");
    }
  }
  f = Lint(Workload("Deployment", "a", "{containers: [{name: c, ports: [{containerPort: 80, hostPort: 8080}]}]}") +
           Workload("Deployment", "b", "{containers: [{name: c, ports: [{containerPort: 81, hostPort: 8080}]}]}"));
  ASSERT_EQ(Count(f, "HN034"), 1);
  for (const Finding& x : f) {
    if (x.rule == "HN034") EXPECT_EQ(x.severity, Severity::kWarn);
  }
}
TEST(HN034, CloseMiss) {
  EXPECT_EQ(
      Count(Workload("DaemonSet", "a", HostNet("ports: [{containerPort: 9100}]", "nodeSelector: {pool: x}, ")) +
                Workload("DaemonSet", "b", HostNet("ports: [{containerPort: 9100}]", "nodeSelector: {pool: y}, ")),
            "HN034"),
      0);
  EXPECT_EQ(Count(Workload("DaemonSet", "a", HostNet("ports: [{containerPort: 9100}]")) +
                      Workload("DaemonSet", "b", HostNet("ports: [{containerPort: 9100, protocol: UDP}]")),
                  "HN034"),
            0);
  EXPECT_EQ(
      Count(Workload("DaemonSet", "a",
                     "{containers: [{name: c, ports: [{containerPort: 1, hostPort: 80, hostIP: 10.0.0.1}]}]}") +
                Workload("DaemonSet", "b",
                         "{containers: [{name: c, ports: [{containerPort: 1, hostPort: 80, hostIP: 10.0.0.2}]}]}"),
            "HN034"),
      0);
}

TEST(HN035, Fires) {
  EngineInput in;
  in.options.allowed_host_ports = {{9100, 9199}};
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 20000}]")), "HN035", in), 1);
}
TEST(HN035, CloseMiss) {
  EngineInput in;
  in.options.allowed_host_ports = {{9100, 9199}};
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9150}]")), "HN035", in), 0);
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 20000}]")), "HN035"), 0);
}

TEST(HN040, Fires) {
  EXPECT_EQ(
      Count(Ds(HostNet("ports: [{containerPort: 9100}]"), "updateStrategy: {rollingUpdate: {maxSurge: 1}}, "), "HN040"),
      1);
  EXPECT_EQ(Count(Ds(HostNet("ports: [{containerPort: 9100}]"), "updateStrategy: {rollingUpdate: {maxSurge: 10%}}, "),
                  "HN040"),
            1);
}
TEST(HN040, CloseMiss) {
  EXPECT_EQ(
      Count(Ds(HostNet("ports: [{containerPort: 9100}]"), "updateStrategy: {rollingUpdate: {maxSurge: 0}}, "), "HN040"),
      0);
  EXPECT_EQ(Count(Ds("{containers: [{name: c, ports: [{containerPort: 80}]}]}",
                     "updateStrategy: {rollingUpdate: {maxSurge: 1}}, "),
                  "HN040"),
            0);
}

TEST(HN041, FiresOnDefaultSurge) {
  EXPECT_EQ(Count(Workload("Deployment", "x", HostNet("ports: [{containerPort: 9100}]")), "HN041"), 1);
}
TEST(HN041, CloseMiss) {
  EXPECT_EQ(
      Count(Workload("Deployment", "x", HostNet("ports: [{containerPort: 9100}]"), "strategy: {type: Recreate}, "),
            "HN041"),
      0);
  EXPECT_EQ(Count(Workload("Deployment", "x", HostNet("ports: [{containerPort: 9100}]"),
                           "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}, "),
                  "HN041"),
            0);
  EXPECT_EQ(Count(Workload("Deployment", "x", "{containers: [{name: c, ports: [{containerPort: 80}]}]}"), "HN041"), 0);
}

TEST(HN042, Fires) { EXPECT_EQ(Count(Pod(HostNet("image: x")), "HN042"), 1); }
TEST(HN042, CloseMiss) { EXPECT_EQ(Count(Ds(HostNet("image: x")), "HN042"), 0); }

TEST(HN043, Fires) {
  std::vector<Document> docs;
  ASSERT_TRUE(ParseManifests(Ds("{containers: [{name: c}]}"), "old.yaml", &docs).ok());
  std::vector<Object> old = NormaliseAll(docs, {});
  EngineInput in;
  in.previous = &old;
  EXPECT_EQ(Count(Ds(HostNet("image: x")), "HN043", in), 1);
}
TEST(HN043, CloseMiss) {
  std::vector<Document> docs;
  ASSERT_TRUE(ParseManifests(Ds(HostNet("image: y")), "old.yaml", &docs).ok());
  std::vector<Object> old = NormaliseAll(docs, {});
  EngineInput in;
  in.previous = &old;
  EXPECT_EQ(Count(Ds(HostNet("image: x")), "HN043", in), 0);
  EXPECT_EQ(Count(Ds(HostNet("image: x")), "HN043"), 0);  // no --previous
}

TEST(HN050, Fires) {
  EXPECT_EQ(Count(Pod(HostNet("image: x", "securityContext: {sysctls: [{name: net.ipv4.ip_forward, value: '1'}]}, ")),
                  "HN050"),
            1);
}
TEST(HN050, CloseMiss) {
  EXPECT_EQ(
      Count(Pod(HostNet("image: x", "securityContext: {sysctls: [{name: kernel.shm_rmid_forced, value: '1'}]}, ")),
            "HN050"),
      0);
  EXPECT_EQ(
      Count(Pod("{securityContext: {sysctls: [{name: net.ipv4.ip_forward, value: '1'}]}, containers: [{name: c}]}"),
            "HN050"),
      0);
}

TEST(HN051, Fires) { EXPECT_EQ(Count(Pod("{hostPID: true, hostUsers: false, containers: [{name: c}]}"), "HN051"), 1); }
TEST(HN051, CloseMiss) {
  EXPECT_EQ(Count(Pod("{hostPID: true, hostUsers: true, containers: [{name: c}]}"), "HN051"), 0);
  EXPECT_EQ(Count(Pod("{hostUsers: false, containers: [{name: c}]}"), "HN051"), 0);
}

TEST(HN052, Fires) {
  EXPECT_EQ(
      Count(Pod("{containers: [{name: c, securityContext: {capabilities: {add: [CAP_NET_ADMIN], drop: [CAP_ALL]}}}]}"),
            "HN052"),
      2);
}
TEST(HN052, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, securityContext: {capabilities: {add: [NET_ADMIN]}}}]}"), "HN052"), 0);
}

TEST(HN060, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, volumeMounts: [{name: root, mountPath: /host}]}], "
                      "volumes: [{name: root, hostPath: {path: /}}]}"),
                  "HN060"),
            1);
}
TEST(HN060, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, volumeMounts: [{name: root, mountPath: /host, readOnly: true}]}], "
                      "volumes: [{name: root, hostPath: {path: /}}]}"),
                  "HN060"),
            0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, volumeMounts: [{name: tmp, mountPath: /tmp}]}], "
                      "volumes: [{name: tmp, emptyDir: {}}]}"),
                  "HN060"),
            0);
}

TEST(HN062, FiresOnceListingWhatIsMissing) {
  std::vector<Finding> f = Lint(Pod(HostNet("securityContext: {readOnlyRootFilesystem: true}")));
  ASSERT_EQ(Count(f, "HN062"), 1);
  for (const Finding& x : f) {
    if (x.rule != "HN062") continue;
    EXPECT_NE(x.message.find("runAsNonRoot"), std::string::npos);
    EXPECT_NE(x.message.find("capabilities drop ALL"), std::string::npos);
    EXPECT_NE(x.message.find("allowPrivilegeEscalation"), std::string::npos);
    EXPECT_EQ(x.message.find("readOnlyRootFilesystem"), std::string::npos);
  }
}
TEST(HN062, CloseMiss) {
  const std::string hardened =
      "securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}";
  EXPECT_EQ(Count(Pod(HostNet(hardened, "securityContext: {runAsNonRoot: true}, ")), "HN062"), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c}]}"), "HN062"), 0);
}

TEST(HN064, Fires) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c}]}"), "HN064"), 1);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, resources: {requests: {cpu: 100m}}}]}"), "HN064"), 1);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, resources: {requests: {cpu: '1', memory: 1Gi}, "
                      "limits: {cpu: 500m, memory: 1G}}}]}"),
                  "HN064"),
            2);
}
TEST(HN064, CloseMiss) {
  EXPECT_EQ(Count(Pod("{containers: [{name: c, resources: {requests: {cpu: 100m, memory: 1G}, "
                      "limits: {cpu: '0.1', memory: 1Gi}}}]}"),
                  "HN064"),
            0);
}

TEST(HN080, Fires) {
  std::vector<NodeListener> node = {{"TCP", "0.0.0.0", 9100, 42, "sshd"}};
  EngineInput in;
  in.node_listeners = &node;
  std::vector<Finding> f = Lint(Pod(HostNet("ports: [{containerPort: 9100}]")), in);
  ASSERT_EQ(Count(f, "HN080"), 1);
  for (const Finding& x : f) {
    if (x.rule == "HN080") EXPECT_NE(x.message.find("pid 42 (sshd)"), std::string::npos);
  }
}
TEST(HN080, CloseMiss) {
  std::vector<NodeListener> node = {{"UDP", "0.0.0.0", 9100, 42, "x"}, {"TCP", "127.0.0.1", 9101, 0, ""}};
  EngineInput in;
  in.node_listeners = &node;
  EXPECT_EQ(Count(Pod(HostNet("ports: [{containerPort: 9100}]")), "HN080", in), 0);
  EXPECT_EQ(Count(Pod("{containers: [{name: c, ports: [{containerPort: 9101, hostPort: 9101, hostIP: 10.0.0.1}]}]}"),
                  "HN080", in),
            0);
}

TEST(Rules, TableIsCompleteAndOrdered) {
  std::string_view last;
  for (const Rule* r : AllRules()) {
    EXPECT_LT(last, r->id);
    EXPECT_FALSE(r->description.empty());
    EXPECT_FALSE(r->fix.empty());
    EXPECT_NE(r->check, nullptr);
    last = r->id;
  }
  EXPECT_EQ(AllRules().size(), 31u);
}

}  // namespace
}  // namespace nodex::lint
