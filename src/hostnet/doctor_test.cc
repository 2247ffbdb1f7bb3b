#include "hostnet/doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "base/file_reader.h"

namespace nodex::hostnet {
namespace {

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

Listener Holder(int pid, std::string command, uint16_t port = 9100) {
  Listener l;
  l.protocol = "tcp";
  l.address = "0.0.0.0";
  l.port = port;
  l.pid = pid;
  l.command = std::move(command);
  return l;
}

TEST(CheckHostNetworkTest, OkFailUnknown) {
  Check ok = CheckHostNetwork(Answer{true, "socket listed"}, {"192.0.2.2", "fd00::2"});
  EXPECT_EQ(ok.id, "host-network");
  EXPECT_EQ(ok.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(ok.message, "(socket listed), so pod IP = node IP: 192.0.2.2, fd00::2")) << ok.message;
  EXPECT_TRUE(ok.fix.empty());

  Check fail = CheckHostNetwork(Answer{false, "socket not listed"}, {"198.18.0.2"});
  EXPECT_EQ(fail.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(fail.message, "198.18.0.2")) << fail.message;
  EXPECT_TRUE(Contains(fail.message, "describe the pod, not the node")) << fail.message;
  EXPECT_TRUE(Contains(fail.fix, "hostNetwork: true")) << fail.fix;

  Check unknown = CheckHostNetwork(Answer{std::nullopt, "PID 1 is tini"}, {});
  EXPECT_EQ(unknown.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(unknown.message, "cannot tell")) << unknown.message;
  EXPECT_TRUE(Contains(unknown.message, "PID 1 is tini")) << unknown.message;
}

TEST(CheckHostPidTest, OkFailUnknown) {
  EXPECT_EQ(CheckHostPid(Answer{true, "x"}).status, CheckStatus::kOk);
  Check fail = CheckHostPid(Answer{false, "nested"});
  EXPECT_EQ(fail.status, CheckStatus::kFail);
  EXPECT_EQ(fail.fix, "set hostPID: true in the pod spec");
  EXPECT_EQ(CheckHostPid(Answer{std::nullopt, "?"}).status, CheckStatus::kWarn);
}

TEST(CheckMountTest, EachOutcome) {
  MountFacts facts;
  facts.error = "No such file or directory";
  Check c = CheckMount("procfs", "/host/proc", facts);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(c.fix, "--path.procfs=/host/proc")) << c.fix;

  facts.error.clear();
  facts.right_type = false;
  c = CheckMount("sysfs", "/tmp/x", facts);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(c.message, "is not a sysfs mount")) << c.message;

  facts.right_type = true;
  facts.node = Answer{false, "another namespace's interfaces"};
  c = CheckMount("sysfs", "/sys", facts);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(c.message, "is not the node's sysfs: another namespace's interfaces")) << c.message;

  facts.node = Answer{std::nullopt, "not visible"};
  EXPECT_EQ(CheckMount("rootfs", "/host/root", facts).status, CheckStatus::kWarn);

  facts.node = Answer{true, "same device"};
  facts.read_only = false;
  c = CheckMount("rootfs", "/host/root", facts);
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_EQ(c.fix, "mount it with readOnly: true");

  facts.read_only = true;
  c = CheckMount("rootfs", "/host/root", facts);
  EXPECT_EQ(c.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(c.message, "is the node's root filesystem, mounted read-only")) << c.message;
}

TEST(CheckListenPortsTest, FreeNodexOtherHiddenReserved) {
  PortFacts free{"127.0.0.1:9100", 9100, {}};
  Check c = CheckListenPorts({free});
  EXPECT_EQ(c.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(c.message, "port 9100 (127.0.0.1:9100) is free")) << c.message;

  PortFacts nodex{":9100", 9100, {Holder(17, "/usr/bin/nodex --path.procfs=/host/proc")}};
  c = CheckListenPorts({nodex});
  EXPECT_EQ(c.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(c.message, "held by nodex itself, pid 17")) << c.message;

  PortFacts other{":9100", 9100, {Holder(4242, "python3 -m http.server 9100")}};
  c = CheckListenPorts({other});
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(c.message, "held by pid 4242 (python3 -m http.server 9100)")) << c.message;
  EXPECT_TRUE(Contains(c.fix, "host-network pods share the node's ports")) << c.fix;

  PortFacts hidden{":9100", 9100, {Holder(0, "")}};
  EXPECT_EQ(CheckListenPorts({hidden}).status, CheckStatus::kWarn);

  PortFacts reserved{":10250", 10250, {}};
  c = CheckListenPorts({reserved});
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(c.message, "reserved for the kubelet API")) << c.message;

  // The worst address decides; every address is reported.
  c = CheckListenPorts({free, other, reserved});
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(c.message, "is free; ")) << c.message;
  EXPECT_TRUE(Contains(c.message, "10250")) << c.message;
  EXPECT_TRUE(Contains(c.fix, "stop that process")) << c.fix;

  EXPECT_EQ(CheckListenPorts({PortFacts{"localhost:http", std::nullopt, {}}}).status, CheckStatus::kWarn);
}

TEST(ResolvConfTest, SearchAndNameservers) {
  const std::string cluster =
      "search monitoring.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n";
  auto search = ResolvSearchDomains(cluster);
  ASSERT_EQ(search.size(), 3u);
  EXPECT_EQ(search[1], "svc.cluster.local");
  EXPECT_EQ(ResolvNameservers(cluster).at(0), "10.96.0.10");
  // The last search or domain line wins; comments end the list.
  auto last = ResolvSearchDomains("search a.example\n# search b\ndomain c.example\nsearch d.example ; trailing\n");
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0], "d.example");
  EXPECT_TRUE(ResolvSearchDomains("nameserver 1.1.1.1\n").empty());
}

TEST(CheckDnsTest, ClusterNodeAndMissing) {
  Check ok = CheckDns("/etc/resolv.conf",
                      std::string_view("search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                       "nameserver 10.96.0.10\n"),
                      "cluster.local");
  EXPECT_EQ(ok.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(ok.message, "is the cluster's")) << ok.message;
  EXPECT_TRUE(Contains(ok.message, "ClusterFirstWithHostNet")) << ok.message;

  Check node =
      CheckDns("/etc/resolv.conf", std::string_view("search corp.example\nnameserver 192.0.2.53\n"), "cluster.local");
  EXPECT_EQ(node.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(node.message, "is the node's (search corp.example, nameserver 192.0.2.53")) << node.message;
  EXPECT_TRUE(Contains(node.fix, "dnsPolicy: ClusterFirstWithHostNet")) << node.fix;

  // Another cluster domain.
  EXPECT_EQ(CheckDns("r", std::string_view("search svc.k8s.internal\n"), "k8s.internal").status, CheckStatus::kOk);
  EXPECT_EQ(CheckDns("r", std::string_view("search svc.k8s.internal\n"), "cluster.local").status, CheckStatus::kWarn);
  // Similar-looking domains do not count.
  EXPECT_EQ(CheckDns("r", std::string_view("search mysvc.cluster.local\n"), "cluster.local").status,
            CheckStatus::kWarn);
  EXPECT_EQ(CheckDns("/nonexistent", std::nullopt, "cluster.local").status, CheckStatus::kWarn);
}

TEST(CheckNonRootTest, RootAndNot) {
  EXPECT_EQ(CheckNonRoot(65534).status, CheckStatus::kOk);
  Check root = CheckNonRoot(0);
  EXPECT_EQ(root.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(root.fix, "runAsNonRoot")) << root.fix;
}

TEST(CheckTimexTest, AllowedAndRefused) {
  EXPECT_EQ(CheckTimex(0).status, CheckStatus::kOk);
  Check refused = CheckTimex(EPERM);
  EXPECT_EQ(refused.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(refused.message, "CAP_SYS_TIME")) << refused.message;
  EXPECT_TRUE(Contains(refused.fix, "--no-collector.timex")) << refused.fix;
}

TEST(CheckEndpointsTest, Answers) {
  HttpAnswer good{"http://127.0.0.1:9100/metrics", 200, "", 1234, true, false, {}};
  Check ok = CheckEndpoints({good});
  EXPECT_EQ(ok.status, CheckStatus::kOk);
  EXPECT_TRUE(Contains(ok.message, "GET http://127.0.0.1:9100/metrics answers 200 with 1234 bytes")) << ok.message;

  HttpAnswer refused{"http://127.0.0.1:9100/metrics", 0, "connect: Connection refused", 0, false, false, {}};
  Check fail = CheckEndpoints({good, refused});
  EXPECT_EQ(fail.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(fail.message, "Connection refused")) << fail.message;

  HttpAnswer missing{"http://127.0.0.1:9100/metricz", 404, "", 19, false, false, {}};
  EXPECT_EQ(CheckEndpoints({missing}).status, CheckStatus::kFail);
  HttpAnswer empty{"http://127.0.0.1:9100/metrics", 200, "", 0, false, false, {}};
  EXPECT_EQ(CheckEndpoints({empty}).status, CheckStatus::kFail);
}

TEST(CheckEndpointsTest, BasicAuthWithoutTlsIsAWarning) {
  HttpAnswer locked{"http://127.0.0.1:9100/metrics", 401, "", 13, false, false, {}};
  Check warn = CheckEndpoints({locked});
  EXPECT_EQ(warn.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(warn.message, "answers 401: basic auth is on; metrics not fetched")) << warn.message;
  EXPECT_TRUE(Contains(warn.fix, "curl -u USER http://127.0.0.1:9100/metrics")) << warn.fix;
  HttpAnswer good{"http://127.0.0.1:9101/metrics", 200, "", 1234, true, false, {}};
  EXPECT_EQ(CheckEndpoints({good, locked}).status, CheckStatus::kWarn);
}

HttpAnswer NoHttp(TlsOutcome outcome) {
  HttpAnswer a{"http://127.0.0.1:9100/metrics", 0, "not an HTTP answer", 0, false, true, {}};
  a.tls.outcome = outcome;
  a.tls.url = "https://127.0.0.1:9100/metrics";
  a.tls.certificate = "CN server, SAN DNS:localhost IP:127.0.0.1, expires 2026-01-02T03:04:05Z";
  return a;
}

TEST(CheckEndpointsTest, TlsEndpointIsAWarningThatFetchedNothing) {
  Check tls = CheckEndpoints({NoHttp(TlsOutcome::kHandshake)});
  EXPECT_EQ(tls.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(tls.message,
                       "https://127.0.0.1:9100/metrics answers TLS (certificate CN server, SAN "
                       "DNS:localhost IP:127.0.0.1, expires 2026-01-02T03:04:05Z)"))
      << tls.message;
  EXPECT_TRUE(Contains(tls.message, "the metrics were not fetched")) << tls.message;
  EXPECT_FALSE(Contains(tls.message, "answers 200")) << tls.message;
  EXPECT_TRUE(Contains(tls.fix, "curl --cacert CA https://127.0.0.1:9100/metrics")) << tls.fix;

  HttpAnswer optional = NoHttp(TlsOutcome::kHandshake);
  optional.tls.client_cert_asked = true;
  Check asked = CheckEndpoints({optional});
  EXPECT_EQ(asked.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(asked.message, "optional client certificate")) << asked.message;

  HttpAnswer unseen = NoHttp(TlsOutcome::kHandshake);
  unseen.tls.certificate.clear();
  EXPECT_TRUE(Contains(CheckEndpoints({unseen}).message, "/metrics answers TLS; doctor does not authenticate"));
}

TEST(CheckEndpointsTest, MutualTlsEndpointIsAWarning) {
  HttpAnswer mtls = NoHttp(TlsOutcome::kClientCertRequired);
  mtls.tls.error = "alert: Certificate is required";
  Check warn = CheckEndpoints({mtls});
  EXPECT_EQ(warn.status, CheckStatus::kWarn);
  EXPECT_TRUE(Contains(warn.message, "answers TLS and requires a client certificate")) << warn.message;
  EXPECT_TRUE(Contains(warn.message, "it ended the handshake without one (alert: Certificate is required)"))
      << warn.message;
  EXPECT_TRUE(Contains(warn.message, "the metrics were not fetched")) << warn.message;
  EXPECT_TRUE(Contains(warn.fix, "--cert CLIENT.crt")) << warn.fix;
}

TEST(CheckEndpointsTest, NeitherHttpNorTlsFails) {
  HttpAnswer dead = NoHttp(TlsOutcome::kNoTls);
  dead.tls.error = "TLS: An unexpected TLS packet was received.";
  Check fail = CheckEndpoints({dead});
  EXPECT_EQ(fail.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(fail.message, "failed: not an HTTP answer; not TLS either: TLS: An unexpected")) << fail.message;
  EXPECT_TRUE(Contains(fail.fix, "--web.listen-address")) << fail.fix;
  // A failure outweighs a TLS warning on another address, and keeps its fix.
  Check both = CheckEndpoints({NoHttp(TlsOutcome::kHandshake), dead});
  EXPECT_EQ(both.status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(both.fix, "--web.listen-address")) << both.fix;
}

TEST(FindMountTest, TopmostAndEscapes) {
  const std::string mountinfo =
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "40 27 254:0 / /host/root ro,relatime master:1 - ext4 /dev/vda rw\n"
      "41 27 0:50 /data /mnt/my\\040disk rw - xfs /dev/sdb rw\n"
      "42 27 0:51 / /host/root rw - tmpfs tmpfs rw\n";
  auto root = FindMount(mountinfo, "/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->device, "254:0");
  EXPECT_EQ(root->fstype, "ext4");
  auto host = FindMount(mountinfo, "/host/root");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->fstype, "tmpfs");  // Mounted over the bind mount.
  auto disk = FindMount(mountinfo, "/mnt/my disk");
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->root, "/data");
  EXPECT_FALSE(FindMount(mountinfo, "/mnt"));
}

TEST(RenderTest, TextAndJson) {
  std::vector<Check> checks = {
      Check{"host-network", CheckStatus::kOk, "in the node's network namespace", ""},
      Check{"dns", CheckStatus::kWarn, "resolv.conf is the node's \"search\"\n", "set dnsPolicy"},
      Check{"host-pid", CheckStatus::kFail, "own PID namespace", "set hostPID: true"},
  };
  EXPECT_EQ(RenderJson(checks),
            "{\"checks\":[{\"id\":\"host-network\",\"status\":\"ok\",\"message\":\"in the node's network "
            "namespace\",\"fix\":\"\"},{\"id\":\"dns\",\"status\":\"warn\",\"message\":\"resolv.conf is the node's "
            "\\\"search\\\"\\n\",\"fix\":\"set dnsPolicy\"},{\"id\":\"host-pid\",\"status\":\"fail\",\"message\":"
            "\"own PID namespace\",\"fix\":\"set hostPID: true\"}]}\n");
  std::string text = RenderText(checks);
  EXPECT_TRUE(Contains(text, "ok    host-network      in the node's network namespace\n")) << text;
  EXPECT_TRUE(Contains(text, "fail  host-pid          own PID namespace (fix: set hostPID: true)\n")) << text;
  EXPECT_TRUE(Contains(text, "doctor: 1 ok, 1 warn, 1 fail\n")) << text;
  EXPECT_TRUE(AnyFailed(checks));
  checks.pop_back();
  EXPECT_FALSE(AnyFailed(checks));
}

// A one-shot HTTP server on loopback, answering `response` to one request.
class OneShotServer {
 public:
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    fd_.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd_.get(), 1), 0);
    socklen_t len = sizeof(address);
    EXPECT_EQ(getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &len), 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      UniqueFd conn(accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      char buf[4096];
      (void)recv(conn.get(), buf, sizeof(buf), 0);
      (void)send(conn.get(), response_.data(), response_.size(), MSG_NOSIGNAL);
    });
  }
  ~OneShotServer() { thread_.join(); }
  uint16_t port() const { return port_; }

 private:
  std::string response_;
  UniqueFd fd_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(RunChecksTest, EveryCheckAgainstARealListener) {
  OneShotServer server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n# TYPE up gauge\nup 1\n");
  DoctorOptions o;
  o.listen_addresses = {"127.0.0.1:" + std::to_string(server.port())};
  o.resolv_conf = "/nonexistent/resolv.conf";
  std::vector<Check> checks = RunChecks(o);
  std::vector<std::string> ids;
  for (const Check& c : checks) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"host-network", "host-pid", "procfs", "sysfs", "rootfs", "listen-port",
                                           "dns", "non-root", "timex", "metrics-endpoint"}));
  // The port is held by this test binary, which is not nodex.
  EXPECT_EQ(checks[5].status, CheckStatus::kFail) << checks[5].message;
  EXPECT_TRUE(Contains(checks[5].message, "pid " + std::to_string(getpid()))) << checks[5].message;
  EXPECT_EQ(checks[6].status, CheckStatus::kWarn);
  EXPECT_EQ(checks[8].status, CheckStatus::kOk) << checks[8].message;
  EXPECT_EQ(checks[9].status, CheckStatus::kOk) << checks[9].message;
  EXPECT_TRUE(Contains(checks[9].message, "answers 200")) << checks[9].message;
  EXPECT_TRUE(AnyFailed(checks));
}

TEST(RunChecksTest, EndpointThatDoesNotAnswer) {
  // Bind and close: the port is free, and connecting is refused.
  uint16_t port;
  {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t len = sizeof(address);
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &len);
    port = ntohs(address.sin_port);
  }
  DoctorOptions o;
  o.listen_addresses = {"127.0.0.1:" + std::to_string(port)};
  o.timeout_ms = 500;
  std::vector<Check> checks = RunChecks(o);
  ASSERT_EQ(checks.back().id, "metrics-endpoint");
  EXPECT_EQ(checks.back().status, CheckStatus::kFail);
  EXPECT_TRUE(Contains(checks.back().message, "Connection refused")) << checks.back().message;
  EXPECT_EQ(checks[5].status, CheckStatus::kOk) << checks[5].message;

  o.probe_endpoint = false;  // The landing page's variant.
  EXPECT_NE(RunChecks(o).back().id, "metrics-endpoint");
}

}  // namespace
}  // namespace nodex::hostnet
