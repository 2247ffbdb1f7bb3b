#include "hostnet/doctor.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <linux/magic.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <type_traits>

#include "base/file_reader.h"
#include "base/json.h"
#include "base/parse.h"
#include "base/split.h"
#include "hostnet/port_conflict.h"
#include "http/server.h"

namespace nodex::hostnet {
namespace {

std::string Path(const std::string& root, std::string_view rel) {
  std::string path = root;
  if (path.empty() || path.back() != '/') path.push_back('/');
  path.append(rel);
  return path;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out.append(sep);
    out += item;
  }
  return out;
}

Check Make(std::string_view id, CheckStatus status, std::string message, std::string fix = "") {
  return Check{std::string(id), status, std::move(message), std::move(fix)};
}

bool IsNodex(std::string_view command) {
  std::string_view argv0 = command.substr(0, command.find(' '));
  if (!argv0.empty() && argv0.front() == '[') argv0.remove_prefix(1);  // "[comm]"
  size_t slash = argv0.rfind('/');
  if (slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
  return argv0.starts_with("nodex");
}

// --- Mounts ------------------------------------------------------------------

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto code = ParseInt<int>(s.substr(i + 1, 3), 8);
      if (code && *code < 256) {
        out.push_back(static_cast<char>(*code));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct FsKind {
  std::string_view kind;
  std::string_view flag;
  std::string_view host_path;
  std::string_view mount_at;
};

constexpr FsKind kProcfs{"procfs", "--path.procfs", "/proc", "/host/proc"};
constexpr FsKind kSysfs{"sysfs", "--path.sysfs", "/sys", "/host/sys"};
constexpr FsKind kRootfs{"rootfs", "--path.rootfs", "/", "/host/root"};

const FsKind& KindOf(std::string_view kind) {
  if (kind == "procfs") return kProcfs;
  if (kind == "sysfs") return kSysfs;
  return kRootfs;
}

std::string MountFix(const FsKind& k) {
  std::string fix = "mount the node's " + std::string(k.host_path) + " with a hostPath volume at " +
                    std::string(k.mount_at) + " (readOnly: true";
  if (k.kind == "rootfs") fix += ", mountPropagation: HostToContainer";
  fix += ") and pass " + std::string(k.flag) + "=" + std::string(k.mount_at);
  return fix;
}

// Statfs type and read-only flag of `path`; the node part is filled later.
MountFacts StatMount(const std::string& path, int64_t magic) {
  MountFacts facts;
  struct statfs fs {};
  struct statvfs vfs {};
  if (statfs(path.c_str(), &fs) != 0 || statvfs(path.c_str(), &vfs) != 0) {
    facts.error = strerror(errno);
    return facts;
  }
  if (magic != 0) {
    facts.right_type = static_cast<int64_t>(fs.f_type) == magic;
  } else {
    struct stat st {};
    facts.right_type = stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  facts.read_only = (vfs.f_flag & ST_RDONLY) != 0;
  return facts;
}

std::set<std::string> SysfsInterfaces(const std::string& sysfs) {
  std::set<std::string> names;
  DIR* dir = opendir(Path(sysfs, "class/net").c_str());
  if (dir == nullptr) return names;
  while (const dirent* e = readdir(dir)) {
    std::string_view name(e->d_name);
    // Interfaces are symlinks; "bonding_masters" is a plain file.
    if (name == "." || name == ".." || e->d_type == DT_REG) continue;
    names.emplace(name);
  }
  closedir(dir);
  return names;
}

std::string Names(const std::set<std::string>& names) {
  std::vector<std::string> v(names.begin(), names.end());
  if (v.size() > 6) {
    v.resize(6);
    v.push_back("...");
  }
  return Join(v, ", ");
}

// A sysfs shows the interfaces of the network namespace it was mounted in:
// compare them with the interfaces of the node's init.
Answer SysfsIsNode(const std::string& sysfs, const std::string& procfs, const Answer& init_is_node) {
  if (init_is_node.yes != true) {
    return Answer{std::nullopt,
                  "the node's network interfaces are not visible to compare with: " + init_is_node.detail};
  }
  std::set<std::string> mine, node;
  // Interfaces come and go on a busy node; look twice before calling it a
  // mismatch.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0) usleep(100 * 1000);
    std::string net_dev;
    Status read = ReadFileOnce(Path(procfs, "1/net/dev"), &net_dev);
    if (!read.ok()) return Answer{std::nullopt, "cannot read " + Path(procfs, "1/net/dev") + ": " + read.message()};
    node.clear();
    for (std::string_view name : ParseNetDevNames(net_dev)) node.emplace(name);
    mine = SysfsInterfaces(sysfs);
    if (mine == node) {
      return Answer{true, "its network interfaces (" + Names(mine) + ") are the node's"};
    }
  }
  return Answer{false, Path(sysfs, "class/net") + " lists another network namespace's interfaces (" + Names(mine) +
                           "), not the node's (" + Names(node) + ")"};
}

// The node's root filesystem is what PID 1 has mounted at "/": the rootfs
// must be a mount of the same device and directory.
Answer RootfsIsNode(const std::string& rootfs, const std::string& procfs, const Answer& init_is_node) {
  char resolved[PATH_MAX];
  if (realpath(rootfs.c_str(), resolved) == nullptr) return Answer{std::nullopt, strerror(errno)};
  std::string buffer;
  if (!ReadFileOnce("/proc/self/mountinfo", &buffer).ok()) {
    return Answer{std::nullopt, "cannot read /proc/self/mountinfo"};
  }
  auto mine = FindMount(buffer, resolved);
  if (!mine) {
    return Answer{false, std::string(resolved) + " is not a mount point, so it is not the node's root filesystem"};
  }
  if (init_is_node.yes != true) {
    return Answer{std::nullopt, "the node's mounts are not visible to compare with: " + init_is_node.detail};
  }
  Status read = ReadFileOnce(Path(procfs, "1/mountinfo"), &buffer);
  if (!read.ok()) return Answer{std::nullopt, "cannot read " + Path(procfs, "1/mountinfo") + ": " + read.message()};
  auto node = FindMount(buffer, "/");
  if (!node) return Answer{std::nullopt, Path(procfs, "1/mountinfo") + " has no mount at /"};
  if (mine->device == node->device && mine->root == node->root) {
    return Answer{true, "the same " + node->fstype + " device " + node->device + " as the node's /"};
  }
  return Answer{false, "it is a mount of " + mine->fstype + " device " + mine->device + " (" + mine->root +
                           "), but the node's root is " + node->fstype + " device " + node->device + " (" + node->root +
                           ")"};
}

// --- HTTP --------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// False when the deadline passes first.
bool WaitFor(int fd, int16_t events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = poll(&p, 1, RemainingMs(deadline));
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// A listen address's host as a client reaches it: the wildcards by loopback.
std::string ClientHost(std::string host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

std::string Authority(const std::string& host, const std::string& port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

// A non-blocking TCP connection, made before the deadline; invalid with
// `error` set otherwise.
UniqueFd Connect(const std::string& host, const std::string& port, Clock::time_point deadline, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    *error = std::string("lookup ") + host + ": " + gai_strerror(rc);
    return UniqueFd();
  }
  UniqueFd fd(socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, found->ai_protocol));
  if (!fd.valid()) {
    *error = std::string("socket: ") + strerror(errno);
    freeaddrinfo(found);
    return UniqueFd();
  }
  rc = connect(fd.get(), found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (rc != 0 && errno != EINPROGRESS) {
    *error = std::string("connect: ") + strerror(errno);
    return UniqueFd();
  }
  if (rc != 0) {
    if (!WaitFor(fd.get(), POLLOUT, deadline)) {
      *error = "connect: timed out";
      return UniqueFd();
    }
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      *error = std::string("connect: ") + strerror(err);
      return UniqueFd();
    }
  }
  return fd;
}

// A bare HTTP/1.0 GET, enough to tell whether the endpoint answers. Done by
// hand because the container has no curl and this is one status line.
HttpAnswer HttpGet(std::string host, const std::string& port, const std::string& path, int timeout_ms) {
  host = ClientHost(std::move(host));
  HttpAnswer answer;
  const std::string authority = Authority(host, port);
  answer.url = "http://" + authority + path;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  UniqueFd fd = Connect(host, port, deadline, &answer.error);
  if (!fd.valid()) return answer;
  answer.connected = true;
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + authority +
                              "\r\nUser-Agent: nodex-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      answer.error = std::string("send: ") + strerror(errno);
      return answer;
    } else if (!WaitFor(fd.get(), POLLOUT, deadline)) {
      answer.error = "send: timed out";
      return answer;
    }
  }
  constexpr size_t kMaxResponse = 64u << 20;
  std::string response;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      if (response.size() < kMaxResponse) response.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      answer.error = std::string("recv: ") + strerror(errno);
      return answer;
    }
    if (!WaitFor(fd.get(), POLLIN, deadline)) {
      answer.error = "no complete answer within " + std::to_string(timeout_ms) + " ms";
      return answer;
    }
  }
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  std::string_view view(response), status_line, code;
  NextLine(&view, &status_line);
  std::string_view rest = status_line;
  NextField(&rest, &code);
  if (!code.starts_with("HTTP/") || !NextField(&rest, &code) || !ParseInt<int>(code)) {
    answer.error = "not an HTTP answer";
    return answer;
  }
  answer.status = *ParseInt<int>(code);
  size_t body = response.find("\r\n\r\n");
  if (body != std::string::npos) {
    std::string_view content = std::string_view(response).substr(body + 4);
    answer.body_bytes = content.size();
    answer.has_metrics = content.starts_with("# TYPE ") || content.find("\n# TYPE ") != std::string_view::npos;
  }
  return answer;
}

// --- TLS probe ---------------------------------------------------------------

using Session = std::unique_ptr<std::remove_pointer_t<gnutls_session_t>, decltype(&gnutls_deinit)>;
using Credentials = std::unique_ptr<std::remove_pointer_t<gnutls_certificate_credentials_t>,
                                    decltype(&gnutls_certificate_free_credentials)>;

// Called when the server sends a CertificateRequest: note it, and answer with
// no certificate, which a server that requires one refuses.
int NoClientCertificate(gnutls_session_t session, const gnutls_datum_t*, int, const gnutls_pk_algorithm_t*, int,
                        gnutls_pcert_st** pcert, unsigned int* pcert_length, gnutls_privkey_t* privkey) {
  *static_cast<bool*>(gnutls_session_get_ptr(session)) = true;
  *pcert = nullptr;
  *pcert_length = 0;
  *privkey = nullptr;
  return 0;
}

// "CN x, SAN DNS:x IP:127.0.0.1, expires 2026-01-02T03:04:05Z" of the peer's
// leaf certificate; empty when the server sent none.
std::string DescribePeerCertificate(gnutls_session_t session) {
  unsigned int count = 0;
  const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
  if (chain == nullptr || count == 0) return "";
  gnutls_x509_crt_t crt;
  if (gnutls_x509_crt_init(&crt) < 0) return "";
  std::string out;
  if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) >= 0) {
    char buf[256];
    size_t size = sizeof(buf);
    if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) >= 0) {
      out = "CN " + std::string(buf, strnlen(buf, size));
    }
    std::string sans;
    for (unsigned int i = 0; i < 16; ++i) {
      size = sizeof(buf);
      int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, nullptr);
      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
      if (type == GNUTLS_SAN_DNSNAME) {
        sans += " DNS:" + std::string(buf, size);
      } else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
        char ip[INET6_ADDRSTRLEN];
        if (inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, ip, sizeof(ip)) != nullptr) sans += " IP:" + std::string(ip);
      }
    }
    if (!sans.empty()) out += (out.empty() ? "SAN" : ", SAN") + sans;
    time_t expires = gnutls_x509_crt_get_expiration_time(crt);
    struct tm tm {};
    char when[32];
    if (expires != static_cast<time_t>(-1) && gmtime_r(&expires, &tm) != nullptr &&
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0) {
      out += (out.empty() ? "expires " : ", expires ") + std::string(when);
    }
  }
  gnutls_x509_crt_deinit(crt);
  return out;
}

std::string AlertName(gnutls_session_t session) {
  const gnutls_alert_description_t alert = gnutls_alert_get(session);
  const char* name = gnutls_alert_get_name(alert);
  return name != nullptr ? name : "alert " + std::to_string(static_cast<int>(alert));
}

// A TLS client handshake with host:port, bounded by timeout_ms. Nothing is
// verified and nothing is sent after it: it only tells whether the endpoint
// speaks TLS, and whether it insists on a client certificate.
TlsProbe ProbeTls(std::string host, const std::string& port, const std::string& path, int timeout_ms) {
  host = ClientHost(std::move(host));
  TlsProbe probe;
  probe.url = "https://" + Authority(host, port) + path;
  probe.outcome = TlsOutcome::kNoTls;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  UniqueFd fd = Connect(host, port, deadline, &probe.error);
  if (!fd.valid()) return probe;

  gnutls_certificate_credentials_t raw_credentials = nullptr;
  if (gnutls_certificate_allocate_credentials(&raw_credentials) < 0) {
    probe.error = "cannot set up a TLS client";
    return probe;
  }
  Credentials credentials(raw_credentials, &gnutls_certificate_free_credentials);
  gnutls_certificate_set_retrieve_function2(credentials.get(), &NoClientCertificate);
  gnutls_session_t raw_session = nullptr;
  if (gnutls_init(&raw_session, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0) {
    probe.error = "cannot set up a TLS client";
    return probe;
  }
  Session session(raw_session, &gnutls_deinit);  // Declared after the credentials it uses, so freed first.
  bool cert_asked = false;
  gnutls_session_set_ptr(session.get(), &cert_asked);
  in6_addr ip{};
  const bool is_ip = inet_pton(AF_INET, host.c_str(), &ip) == 1 || inet_pton(AF_INET6, host.c_str(), &ip) == 1;
  if (!is_ip) gnutls_server_name_set(session.get(), GNUTLS_NAME_DNS, host.data(), host.size());
  if (gnutls_set_default_priority(session.get()) < 0 ||
      gnutls_credentials_set(session.get(), GNUTLS_CRD_CERTIFICATE, credentials.get()) < 0) {
    probe.error = "cannot set up a TLS client";
    return probe;
  }
  gnutls_transport_set_int(session.get(), fd.get());

  // Runs `step` until it stops asking to be retried or `until` passes.
  auto drive = [&](auto step, Clock::time_point until, bool* timed_out) {
    int rc;
    for (;;) {
      rc = step();
      if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED && (rc >= 0 || gnutls_error_is_fatal(rc) != 0)) break;
      // Non-fatal errors (a warning alert) are retried at once: the deadline bounds those too.
      if (Clock::now() >= until ||
          (rc == GNUTLS_E_AGAIN &&
           !WaitFor(fd.get(), gnutls_record_get_direction(session.get()) == 1 ? POLLOUT : POLLIN, until))) {
        *timed_out = true;
        break;
      }
    }
    return rc;
  };
  bool timed_out = false;
  int rc = drive([&] { return gnutls_handshake(session.get()); }, deadline, &timed_out);
  probe.certificate = DescribePeerCertificate(session.get());
  if (timed_out) {
    probe.error = "no TLS handshake within " + std::to_string(timeout_ms) + " ms";
    return probe;
  }
  auto refused = [&](int code) {
    probe.outcome = TlsOutcome::kClientCertRequired;
    if (code == GNUTLS_E_FATAL_ALERT_RECEIVED) {
      probe.error = "alert: " + AlertName(session.get());
    } else if (code == GNUTLS_E_PREMATURE_TERMINATION) {
      probe.error = "connection closed";
    } else {
      probe.error = gnutls_strerror(code);
    }
  };
  if (rc < 0) {
    const bool cert_alert =
        rc == GNUTLS_E_FATAL_ALERT_RECEIVED && gnutls_alert_get(session.get()) == GNUTLS_A_CERTIFICATE_REQUIRED;
    if (cert_asked || cert_alert) {
      refused(rc);
    } else {
      probe.error = rc == GNUTLS_E_FATAL_ALERT_RECEIVED ? "TLS alert: " + AlertName(session.get())
                                                        : std::string("TLS: ") + gnutls_strerror(rc);
    }
    return probe;
  }
  probe.outcome = TlsOutcome::kHandshake;
  if (!cert_asked) return probe;
  // In TLS 1.3 the client's handshake ends before the server has looked at
  // the (empty) certificate: a server that requires one says so in an alert
  // right after. Wait for it briefly; a server that only asked sends nothing.
  constexpr auto kAlertWait = std::chrono::milliseconds(1000);
  timed_out = false;
  char byte;
  rc = drive([&] { return static_cast<int>(gnutls_record_recv(session.get(), &byte, 1)); },
             std::min(deadline, Clock::now() + kAlertWait), &timed_out);
  if (!timed_out && rc <= 0) {
    refused(rc == 0 ? GNUTLS_E_PREMATURE_TERMINATION : rc);
  } else {
    probe.client_cert_asked = true;
  }
  return probe;
}

}  // namespace

// --- Output ------------------------------------------------------------------

std::string_view CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk: return "ok";
    case CheckStatus::kWarn: return "warn";
    case CheckStatus::kFail: return "fail";
  }
  return "fail";
}

Check CheckHostNetwork(const Answer& network, const std::vector<std::string>& addresses) {
  const std::string listed = addresses.empty() ? "only loopback" : Join(addresses, ", ");
  if (!network.yes.has_value()) {
    return Make("host-network", CheckStatus::kWarn,
                "cannot tell whether nodex is in the node's network namespace: " + network.detail,
                "mount the node's /proc at /host/proc and pass --path.procfs=/host/proc, or set hostPID: true");
  }
  if (*network.yes) {
    return Make("host-network", CheckStatus::kOk,
                "nodex is in the node's network namespace (" + network.detail + "), so pod IP = node IP: " + listed);
  }
  return Make("host-network", CheckStatus::kFail,
              "nodex is not in the node's network namespace: its addresses (" + listed +
                  ") are the pod's, so the network metrics describe the pod, not the node (" + network.detail + ")",
              "set hostNetwork: true (with dnsPolicy: ClusterFirstWithHostNet) in the pod spec");
}

Check CheckHostPid(const Answer& pid) {
  if (!pid.yes.has_value()) {
    return Make("host-pid", CheckStatus::kWarn,
                "cannot tell whether nodex is in the node's PID namespace: " + pid.detail,
                "mount the node's /proc at /host/proc and pass --path.procfs=/host/proc, or set hostPID: true");
  }
  if (*pid.yes) return Make("host-pid", CheckStatus::kOk, "nodex is in the node's PID namespace (" + pid.detail + ")");
  return Make("host-pid", CheckStatus::kFail, "nodex is not in the node's PID namespace: " + pid.detail,
              "set hostPID: true in the pod spec");
}

Check CheckMount(std::string_view kind, const std::string& path, const MountFacts& facts) {
  const FsKind& k = KindOf(kind);
  const std::string what = kind == "rootfs" ? "root filesystem" : std::string(kind);
  if (!facts.error.empty()) {
    return Make(kind, CheckStatus::kFail, "cannot use " + path + " (" + std::string(k.flag) + "): " + facts.error,
                MountFix(k));
  }
  if (!facts.right_type) {
    return Make(kind, CheckStatus::kFail,
                path + " (" + std::string(k.flag) + ") is not " +
                    (kind == "rootfs" ? std::string("a directory") : "a " + std::string(kind) + " mount"),
                MountFix(k));
  }
  if (facts.node.yes == false) {
    return Make(kind, CheckStatus::kFail, path + " is not the node's " + what + ": " + facts.node.detail, MountFix(k));
  }
  if (!facts.node.yes.has_value()) {
    return Make(kind, CheckStatus::kWarn,
                "cannot tell whether " + path + " is the node's " + what + ": " + facts.node.detail, MountFix(k));
  }
  if (!facts.read_only) {
    return Make(kind, CheckStatus::kWarn,
                path + " is the node's " + what + " but mounted read-write, and nodex only reads it",
                "mount it with readOnly: true");
  }
  return Make(kind, CheckStatus::kOk,
              path + " is the node's " + what + ", mounted read-only (" + facts.node.detail + ")");
}

Check CheckListenPorts(const std::vector<PortFacts>& ports) {
  Check result = Make("listen-port", CheckStatus::kOk, "");
  std::vector<std::string> messages;
  auto add = [&](CheckStatus status, std::string message, std::string fix) {
    messages.push_back(std::move(message));
    if (status > result.status) {
      result.status = status;
      result.fix = std::move(fix);
    }
  };
  for (const PortFacts& p : ports) {
    if (!p.port) {
      add(CheckStatus::kWarn, p.address + " has no numeric port to check", "give --web.listen-address as host:port");
      continue;
    }
    const std::string port = "port " + std::to_string(*p.port) + " (" + p.address + ")";
    std::vector<std::string> others, nodex, hidden;
    for (const Listener& l : p.holders) {
      std::string who = "pid " + std::to_string(l.pid) + " (" + l.command + ")";
      if (l.pid == 0) {
        hidden.push_back("uid " + std::to_string(l.uid));
      } else if (IsNodex(l.command)) {
        if (std::find(nodex.begin(), nodex.end(), who) == nodex.end()) nodex.push_back(who);
      } else if (std::find(others.begin(), others.end(), who) == others.end()) {
        others.push_back(who);
      }
    }
    if (!others.empty()) {
      add(CheckStatus::kFail, port + " is held by " + Join(others, " and "),
          "stop that process or choose another --web.listen-address: host-network pods share the node's ports");
      continue;
    }
    if (!hidden.empty() && nodex.empty()) {
      add(CheckStatus::kWarn,
          port + " is held by a process of " + hidden.front() + " that doctor cannot see (it may be nodex)",
          "run nodex doctor as nodex's user or as root to see who holds it");
      continue;
    }
    auto reserved = ReservedPortUse(*p.port);
    std::string state = port + (nodex.empty() ? " is free" : " is held by nodex itself, " + Join(nodex, " and "));
    if (reserved) {
      state += ", but it is reserved for ";
      state += *reserved;
      state += " on Kubernetes nodes";
      add(CheckStatus::kWarn, std::move(state), "choose another port, such as node_exporter's 9100");
      continue;
    }
    add(CheckStatus::kOk, std::move(state), "");
  }
  result.message = Join(messages, "; ");
  if (result.message.empty()) result.message = "no listen address given";
  return result;
}

std::vector<std::string_view> ResolvSearchDomains(std::string_view resolv_conf) {
  std::vector<std::string_view> domains;
  std::string_view line;
  while (NextLine(&resolv_conf, &line)) {
    std::string_view rest = line, keyword, field;
    if (!NextField(&rest, &keyword) || (keyword != "search" && keyword != "domain")) continue;
    domains.clear();
    while (NextField(&rest, &field)) {
      if (field.front() == '#' || field.front() == ';') break;
      domains.push_back(field);
    }
  }
  return domains;
}

std::vector<std::string_view> ResolvNameservers(std::string_view resolv_conf) {
  std::vector<std::string_view> servers;
  std::string_view line;
  while (NextLine(&resolv_conf, &line)) {
    std::string_view rest = line, keyword, server;
    if (NextField(&rest, &keyword) && keyword == "nameserver" && NextField(&rest, &server)) servers.push_back(server);
  }
  return servers;
}

Check CheckDns(const std::string& path, std::optional<std::string_view> resolv_conf, std::string_view cluster_domain) {
  if (!resolv_conf) {
    return Make("dns", CheckStatus::kWarn, "cannot read " + path + ", so names do not resolve",
                "check the pod's dnsPolicy and dnsConfig");
  }
  const std::string svc = "svc." + std::string(cluster_domain);
  std::vector<std::string> search, servers;
  bool cluster = false;
  for (std::string_view d : ResolvSearchDomains(*resolv_conf)) {
    search.emplace_back(d);
    if (d == svc || d.ends_with("." + svc)) cluster = true;
  }
  for (std::string_view s : ResolvNameservers(*resolv_conf)) servers.emplace_back(s);
  const std::string seen = "search " + (search.empty() ? std::string("(none)") : Join(search, " ")) + ", nameserver " +
                           (servers.empty() ? std::string("(none)") : Join(servers, " "));
  if (cluster) {
    return Make("dns", CheckStatus::kOk,
                path + " is the cluster's (" + seen + "): dnsPolicy ClusterFirstWithHostNet is in effect");
  }
  return Make("dns", CheckStatus::kWarn,
              path + " is the node's (" + seen + ", no " + svc + "): cluster service names do not resolve from nodex",
              "set dnsPolicy: ClusterFirstWithHostNet (a host-network pod with the default ClusterFirst silently "
              "gets the node's resolv.conf), or dnsPolicy: Default if nodex needs no cluster names");
}

Check CheckNonRoot(uid_t euid) {
  if (euid != 0) return Make("non-root", CheckStatus::kOk, "nodex runs as uid " + std::to_string(euid));
  return Make("non-root", CheckStatus::kWarn, "nodex runs as root, and it needs no privileges",
              "set securityContext runAsNonRoot: true and runAsUser: 65534, and drop all capabilities");
}

Check CheckTimex(int err) {
  if (err == 0) {
    return Make("timex", CheckStatus::kOk,
                "adjtimex(2) answers, so the timex collector works (read-only: it needs no CAP_SYS_TIME)");
  }
  if (err == EPERM) {
    return Make("timex", CheckStatus::kWarn,
                "adjtimex(2) is refused (EPERM): the seccomp profile blocks it without CAP_SYS_TIME, so the timex "
                "collector has no data",
                "use a seccomp profile that allows read-only adjtimex/clock_adjtime (recent RuntimeDefault does), "
                "add CAP_SYS_TIME, or run with --no-collector.timex");
  }
  return Make("timex", CheckStatus::kWarn, std::string("adjtimex(2) fails: ") + strerror(err),
              "run with --no-collector.timex");
}

Check CheckEndpoints(const std::vector<HttpAnswer>& answers) {
  Check result = Make("metrics-endpoint", CheckStatus::kOk, "");
  std::vector<std::string> messages;
  auto add = [&](CheckStatus status, std::string message, std::string fix) {
    messages.push_back(std::move(message));
    if (status > result.status) {
      result.status = status;
      result.fix = std::move(fix);
    }
  };
  for (const HttpAnswer& a : answers) {
    if (a.status == 200 && a.has_metrics) {
      add(CheckStatus::kOk, "GET " + a.url + " answers 200 with " + std::to_string(a.body_bytes) + " bytes of metrics",
          "");
      continue;
    }
    if (a.status == 401) {
      add(CheckStatus::kWarn, "GET " + a.url + " answers 401: basic auth is on; metrics not fetched",
          "check with curl -u USER " + a.url);
      continue;
    }
    if (a.status != 0) {
      add(CheckStatus::kFail,
          "GET " + a.url + " answers " + std::to_string(a.status) + (a.status == 200 ? " without metrics" : ""),
          "check --web.telemetry-path and nodex's log");
      continue;
    }
    const TlsProbe& tls = a.tls;
    const std::string seen = tls.certificate.empty() ? "" : " (certificate " + tls.certificate + ")";
    switch (tls.outcome) {
      case TlsOutcome::kHandshake:
        add(CheckStatus::kWarn,
            tls.url + " answers TLS" + seen +
                (tls.client_cert_asked ? " and asks for an optional client certificate" : "") +
                "; doctor does not authenticate, so the metrics were not fetched",
            "check with curl --cacert CA " + tls.url + " (and -u USER / --cert as your web config requires)");
        break;
      case TlsOutcome::kClientCertRequired:
        add(CheckStatus::kWarn,
            tls.url + " answers TLS and requires a client certificate" + seen +
                ": it ended the handshake without one (" + tls.error + "), so the metrics were not fetched",
            "check with curl --cacert CA --cert CLIENT.crt --key CLIENT.key " + tls.url);
        break;
      case TlsOutcome::kNoTls:
      case TlsOutcome::kNotProbed: {
        std::string message = "GET " + a.url + " failed: " + a.error;
        if (tls.outcome == TlsOutcome::kNoTls) message += "; not TLS either: " + tls.error;
        add(CheckStatus::kFail, std::move(message),
            "start nodex with the same --web.listen-address and --web.telemetry-path, and check its log");
        break;
      }
    }
  }
  result.message = Join(messages, "; ");
  if (result.message.empty()) result.message = "no listen address given";
  return result;
}

std::optional<MountEntry> FindMount(std::string_view mountinfo, std::string_view mount_point) {
  std::optional<MountEntry> found;
  std::string_view line;
  while (NextLine(&mountinfo, &line)) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    std::string_view f[5];
    if (SplitFields(line, f, 5) < 5) continue;
    std::string point = Unescape(f[4]);
    if (point != mount_point) continue;
    MountEntry entry;
    entry.device = std::string(f[2]);
    entry.root = Unescape(f[3]);
    entry.mount_point = std::move(point);
    size_t dash = line.find(" - ");
    if (dash != std::string_view::npos) {
      std::string_view rest = line.substr(dash + 3), fstype;
      if (NextField(&rest, &fstype)) entry.fstype = std::string(fstype);
    }
    found = std::move(entry);  // The last one is on top.
  }
  return found;
}

std::vector<Check> RunChecks(const DoctorOptions& o) {
  std::vector<Check> checks;
  const Namespaces ns = DetectNamespaces(o.procfs);
  checks.push_back(CheckHostNetwork(ns.network, InterfaceAddresses()));
  checks.push_back(CheckHostPid(ns.pid));

  MountFacts procfs = StatMount(o.procfs, PROC_SUPER_MAGIC);
  procfs.node = ns.init_is_node;
  checks.push_back(CheckMount("procfs", o.procfs, procfs));
  MountFacts sysfs = StatMount(o.sysfs, SYSFS_MAGIC);
  if (sysfs.error.empty() && sysfs.right_type) sysfs.node = SysfsIsNode(o.sysfs, o.procfs, ns.init_is_node);
  checks.push_back(CheckMount("sysfs", o.sysfs, sysfs));
  MountFacts rootfs = StatMount(o.rootfs, 0);
  if (rootfs.error.empty() && rootfs.right_type) rootfs.node = RootfsIsNode(o.rootfs, o.procfs, ns.init_is_node);
  checks.push_back(CheckMount("rootfs", o.rootfs, rootfs));

  ListOptions list;
  list.udp = false;
  auto listeners = ListListeners(o.procfs, list);
  std::vector<PortFacts> ports;
  std::vector<HttpAnswer> answers;
  for (const std::string& address : o.listen_addresses) {
    PortFacts& p = ports.emplace_back();
    p.address = address;
    std::string host, port;
    if (!http::SplitHostPort(address, &host, &port).ok()) continue;
    p.port = ParseInt<uint16_t>(port);
    if (p.port && listeners.ok()) {
      for (const Listener& l : *listeners) {
        if (l.port == *p.port && AddressesOverlap(host, l.address)) p.holders.push_back(l);
      }
    }
    if (!o.probe_endpoint) continue;
    HttpAnswer& answer = answers.emplace_back(HttpGet(host, port, o.telemetry_path, o.timeout_ms));
    // A --web.config.file endpoint closes a plain connection: see whether it is TLS.
    if (answer.status == 0 && answer.connected) answer.tls = ProbeTls(host, port, o.telemetry_path, o.timeout_ms);
  }
  if (!listeners.ok()) {
    checks.push_back(Make("listen-port", CheckStatus::kWarn,
                          "cannot list the listening sockets: " + listeners.status().message(), ""));
  } else {
    checks.push_back(CheckListenPorts(ports));
  }

  std::string resolv;
  std::optional<std::string_view> resolv_content;
  if (ReadFileOnce(o.resolv_conf, &resolv).ok()) resolv_content = resolv;
  checks.push_back(CheckDns(o.resolv_conf, resolv_content, o.cluster_domain));
  checks.push_back(CheckNonRoot(geteuid()));

  struct timex tx {};  // modes = 0: read only, as the timex collector does.
  checks.push_back(CheckTimex(::adjtimex(&tx) < 0 ? errno : 0));

  if (o.probe_endpoint) checks.push_back(CheckEndpoints(answers));
  return checks;
}

std::string RenderText(const std::vector<Check>& checks) {
  std::string out;
  int counts[3] = {0, 0, 0};
  for (const Check& c : checks) {
    ++counts[static_cast<int>(c.status)];
    std::string_view status = CheckStatusName(c.status);
    out.append(status);
    out.append(6 - status.size(), ' ');
    out += c.id;
    out.append(c.id.size() < 18 ? 18 - c.id.size() : 1, ' ');
    out += c.message;
    if (!c.fix.empty()) out += " (fix: " + c.fix + ")";
    out.push_back('\n');
  }
  out += "doctor: " + std::to_string(counts[0]) + " ok, " + std::to_string(counts[1]) + " warn, " +
         std::to_string(counts[2]) + " fail\n";
  return out;
}

std::string RenderJson(const std::vector<Check>& checks) {
  std::string out = "{\"checks\":[";
  for (size_t i = 0; i < checks.size(); ++i) {
    const Check& c = checks[i];
    if (i > 0) out.push_back(',');
    out += "{\"id\":";
    AppendJsonString(&out, c.id);
    out += ",\"status\":";
    AppendJsonString(&out, CheckStatusName(c.status));
    out += ",\"message\":";
    AppendJsonString(&out, c.message);
    out += ",\"fix\":";
    AppendJsonString(&out, c.fix);
    out.push_back('}');
  }
  out += "]}\n";
  return out;
}

bool AnyFailed(const std::vector<Check>& checks) {
  return std::any_of(checks.begin(), checks.end(), [](const Check& c) { return c.status == CheckStatus::kFail; });
}

int RunDoctor(int argc, char** argv) {
  CLI::App app{
      "nodex doctor: checks the host-network setup nodex runs in (namespaces, mounts, listen port, DNS, "
      "privileges, metrics endpoint). Give it the exporter's --path.* and --web.listen-address flags. Exit status: "
      "0 when no check fails, 1 otherwise.",
      "nodex doctor"};
  app.allow_extras(false);
  DoctorOptions o;
  std::string output = "text";
  app.add_option("-o,--output", output, "Output format: text or json.")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--path.procfs", o.procfs, "procfs mount point.")->capture_default_str();
  app.add_option("--path.sysfs", o.sysfs, "sysfs mount point.")->capture_default_str();
  app.add_option("--path.rootfs", o.rootfs, "Root filesystem mount point (the host's / in a container).")
      ->capture_default_str();
  app.add_option("--web.listen-address", o.listen_addresses,
                 "The exporter's listen address (repeatable): host:port, :port or [v6addr]:port.")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--web.telemetry-path", o.telemetry_path, "The exporter's metrics path.")->capture_default_str();
  app.add_option("--doctor.resolv-conf", o.resolv_conf, "The resolv.conf to check (nodex's own).")
      ->capture_default_str();
  app.add_option("--doctor.cluster-domain", o.cluster_domain, "The cluster's DNS domain.")->capture_default_str();
  app.add_option("--doctor.timeout", o.timeout_ms, "Milliseconds to wait for the metrics endpoint.")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::fprintf(stderr, "nodex doctor: error: %s\n", message.c_str());
    return 2;
  }
  const std::vector<Check> checks = RunChecks(o);
  const std::string rendered = output == "json" ? RenderJson(checks) : RenderText(checks);
  std::fwrite(rendered.data(), 1, rendered.size(), stdout);
  std::fflush(stdout);
  return AnyFailed(checks) ? 1 : 0;
}

}  // namespace nodex::hostnet
