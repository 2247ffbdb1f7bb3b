// `nodex doctor`: the host-network checklist, run where nodex runs (kubectl
// exec into the pod, or on a node) with the exporter's own --path.* and
// --web.listen-address flags. Each check says ok, warn or fail in one line,
// with the fix; the landing page shows the same list.
//
// Checks, by id:
//   host-network      nodex shares the node's network namespace (pod IP = node IP)
//   host-pid          nodex shares the node's PID namespace
//   procfs, sysfs,    the --path.* mounts really are the node's, and read-only
//   rootfs
//   listen-port       each listen port is free or held by nodex, and not reserved
//   dns               /etc/resolv.conf is the cluster's (ClusterFirstWithHostNet) or the node's
//   non-root          nodex runs as a non-root user
//   timex             adjtimex(2) is allowed (seccomp profiles without CAP_SYS_TIME may refuse it)
//   metrics-endpoint  GET http://<listen address>/metrics answers 200; when the
//                     address answers no HTTP, a TLS handshake tells a TLS or
//                     mTLS endpoint (--web.config.file) from a dead one
#ifndef NODEX_HOSTNET_DOCTOR_H_
#define NODEX_HOSTNET_DOCTOR_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostnet/listeners.h"
#include "hostnet/netns.h"

namespace nodex::hostnet {

enum class CheckStatus { kOk, kWarn, kFail };
std::string_view CheckStatusName(CheckStatus status);

struct Check {
  std::string id;
  CheckStatus status = CheckStatus::kOk;
  std::string message;
  std::string fix;  // Empty when there is nothing to fix.
};

struct DoctorOptions {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  std::vector<std::string> listen_addresses{":9100"};
  std::string telemetry_path = "/metrics";
  // The resolv.conf nodex resolves with: its own, not the node's under rootfs.
  std::string resolv_conf = "/etc/resolv.conf";
  std::string cluster_domain = "cluster.local";
  // Off on the landing page: that page is served by the endpoint itself.
  bool probe_endpoint = true;
  int timeout_ms = 2000;
};

std::vector<Check> RunChecks(const DoctorOptions& options);

// One line per check, "<status> <id> <message> (fix: <fix>)", then a
// summary line.
std::string RenderText(const std::vector<Check>& checks);
// {"checks":[{"id":"host-network","status":"ok","message":"...","fix":""}]}
std::string RenderJson(const std::vector<Check>& checks);
bool AnyFailed(const std::vector<Check>& checks);

// The `nodex doctor` subcommand; argv[0] is "doctor". Returns the exit code:
// 0 when no check fails, 1 otherwise, 2 for usage errors.
int RunDoctor(int argc, char** argv);

// --- The checks' pure parts, exposed for tests. ---

Check CheckHostNetwork(const Answer& network, const std::vector<std::string>& addresses);
Check CheckHostPid(const Answer& pid);

// What is known about one of the --path.* mounts.
struct MountFacts {
  std::string error;        // Non-empty: the path cannot be used at all.
  bool right_type = false;  // procfs/sysfs magic; a directory for rootfs.
  bool read_only = false;
  Answer node;  // Is it the node's?
};
// `kind` is "procfs", "sysfs" or "rootfs".
Check CheckMount(std::string_view kind, const std::string& path, const MountFacts& facts);

// One listen address and the TCP listeners that clash with it.
struct PortFacts {
  std::string address;
  std::optional<uint16_t> port;
  std::vector<Listener> holders;
};
Check CheckListenPorts(const std::vector<PortFacts>& ports);

// `resolv_conf` is the file's content, nullopt if it cannot be read.
Check CheckDns(const std::string& path, std::optional<std::string_view> resolv_conf, std::string_view cluster_domain);
Check CheckNonRoot(uid_t euid);
// `err` is adjtimex's errno, 0 when it worked.
Check CheckTimex(int err);

// What a TLS client handshake with the endpoint showed. Doctor verifies
// nothing and sends nothing after the handshake: this only tells whether the
// address speaks TLS, it never stands in for fetching the metrics.
enum class TlsOutcome {
  kNotProbed,
  kNoTls,               // The handshake failed without the server asking for a client certificate.
  kHandshake,           // The handshake completed.
  kClientCertRequired,  // The server asked for a client certificate and refused the handshake without one.
};
struct TlsProbe {
  TlsOutcome outcome = TlsOutcome::kNotProbed;
  std::string url;                 // "https://127.0.0.1:9100/metrics".
  std::string certificate;         // "CN x, SAN DNS:x IP:127.0.0.1, expires 2026-01-02T03:04:05Z"; empty when unseen.
  bool client_cert_asked = false;  // kHandshake: asked for one, and went on without it.
  std::string error;               // Why the handshake failed.
};

struct HttpAnswer {
  std::string url;
  int status = 0;     // 0 when there was no HTTP answer.
  std::string error;  // Transport error when status is 0.
  size_t body_bytes = 0;
  bool has_metrics = false;  // The body holds at least one "# TYPE" line.
  bool connected = false;    // The TCP connection was made: worth a TLS probe when status is 0.
  TlsProbe tls;              // Filled when there was no HTTP answer on a connection.
};
// Worst of the answers: ok for 200 with metrics; warn when the endpoint
// answers but doctor cannot fetch the metrics (401, TLS, mTLS); fail otherwise.
Check CheckEndpoints(const std::vector<HttpAnswer>& answers);

// The search domains in effect in a resolv.conf: the last "search" or
// "domain" line wins, as in glibc.
std::vector<std::string_view> ResolvSearchDomains(std::string_view resolv_conf);
std::vector<std::string_view> ResolvNameservers(std::string_view resolv_conf);

// A /proc/<pid>/mountinfo line's fields that identify what is mounted.
struct MountEntry {
  std::string device;  // "major:minor".
  std::string root;    // The directory of the filesystem that is mounted there.
  std::string mount_point;
  std::string fstype;
};
// The topmost mount at `mount_point` (octal escapes such as "\040" undone).
std::optional<MountEntry> FindMount(std::string_view mountinfo, std::string_view mount_point);

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_DOCTOR_H_
