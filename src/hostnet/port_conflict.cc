#include "hostnet/port_conflict.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "hostnet/netns.h"
#include "hostnet/proc_status.h"

namespace nodex::hostnet {
namespace {

struct Reserved {
  uint16_t first;
  uint16_t last;
  std::string_view use;
};

constexpr Reserved kReserved[] = {
    {22, 22, "SSH"},
    {53, 53, "DNS"},
    {80, 80, "HTTP (ingress controllers)"},
    {443, 443, "HTTPS (ingress controllers)"},
    {4194, 4194, "the kubelet's cAdvisor"},
    {6443, 6443, "the Kubernetes API server"},
    {9099, 9099, "Calico's health checks"},
    {9890, 9890, "the CNI agent (GKE Dataplane V2)"},
    {10248, 10248, "the kubelet's health check"},
    {10249, 10249, "kube-proxy's metrics"},
    {10250, 10250, "the kubelet API"},
    {10255, 10255, "the kubelet's read-only API"},
    {10256, 10256, "kube-proxy's health check"},
    {30000, 32767, "Kubernetes NodePort services"},
};

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out.append(sep);
    out += item;
  }
  return out;
}

std::string DescribeInUse(const ListenFailure& failure, const ConflictFacts& facts) {
  const std::string port = std::to_string(failure.port);
  std::string why = "port " + port + " is already in use";
  std::vector<std::string> owners;
  for (const Listener& l : facts.holders) {
    if (l.pid == 0) continue;
    std::string owner = "pid " + std::to_string(l.pid) + " (" + l.command + ")";
    if (std::find(owners.begin(), owners.end(), owner) == owners.end() && owners.size() < 3) owners.push_back(owner);
  }
  if (!owners.empty()) {
    why += " by " + Join(owners, " and ");
  } else if (!facts.holders.empty()) {
    const Listener& l = facts.holders.front();
    why += " by a process of uid " + std::to_string(l.uid) + " (socket inode " + std::to_string(l.inode) + ")";
    if (facts.owners_hidden) {
      why += " that uid " + std::to_string(facts.euid) +
             " may not see (other processes' /proc/<pid>/fd needs root or CAP_SYS_PTRACE; `ss -ltnp sport = :" + port +
             "` on the node names it)";
    }
  } else {
    why += " (no listening socket on it in /proc/net/tcp; another process may have bound it without listening)";
  }
  if (facts.host_network == false) {
    why +=
        "; nodex is not in the node's network namespace, so a process of this pod holds it: "
        "choose another --web.listen-address";
  } else {
    why += "; host-network pods share the node's ports: stop that process or choose another --web.listen-address";
  }
  return why;
}

std::string DescribeAccess(const ListenFailure& failure, const ConflictFacts& facts) {
  if (failure.port < facts.unprivileged_port_start && facts.euid != 0 && !facts.net_bind_service) {
    const std::string start = std::to_string(facts.unprivileged_port_start);
    return "port " + std::to_string(failure.port) + " is below " + start +
           " (net.ipv4.ip_unprivileged_port_start), which needs root or CAP_NET_BIND_SERVICE, and nodex runs as uid " +
           std::to_string(facts.euid) + " without it: use a port of " + start +
           " or above (node_exporter's is 9100) or add NET_BIND_SERVICE to the container's "
           "securityContext.capabilities.add";
  }
  return "denied by a security policy (SELinux, AppArmor or a seccomp profile), not because of the port number: "
         "check the node's audit log";
}

std::string DescribeNotHere(const ListenFailure& failure, const ConflictFacts& facts) {
  std::string where = facts.host_network == false ? "this pod's network namespace" : "this node";
  std::string why = failure.host + " is not an address of " + where + " (its addresses: ";
  why += facts.addresses.empty() ? "none besides loopback" : Join(facts.addresses, ", ") + " and loopback";
  why += "): listen on :" + std::to_string(failure.port) + " or on one of those";
  return why;
}

}  // namespace

std::optional<std::string_view> ReservedPortUse(uint16_t port) {
  for (const Reserved& r : kReserved) {
    if (port >= r.first && port <= r.last) return r.use;
  }
  return std::nullopt;
}

std::optional<std::string> ReservedPortWarning(uint16_t port) {
  auto use = ReservedPortUse(port);
  if (!use) return std::nullopt;
  return "port " + std::to_string(port) + " is reserved for " + std::string(*use) +
         " on Kubernetes nodes: a host-network nodex there collides with it on every node (node_exporter's port is "
         "9100)";
}

std::optional<uint16_t> ListenPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return ParseInt<uint16_t>(address.substr(colon + 1));
}

ConflictFacts GatherConflictFacts(const ListenFailure& failure, const std::string& procfs,
                                  std::optional<bool> host_network) {
  ConflictFacts facts;
  facts.host_network = host_network;
  facts.euid = geteuid();
  std::string buffer;
  if (ReadFileOnce("/proc/self/status", &buffer).ok()) {
    if (auto caps = ParseCapEff(buffer)) facts.net_bind_service = (*caps >> kCapNetBindService) & 1;
  }
  std::string start_path = procfs;
  if (start_path.empty() || start_path.back() != '/') start_path.push_back('/');
  start_path += "sys/net/ipv4/ip_unprivileged_port_start";
  if (ReadFileOnce(start_path, &buffer).ok()) {
    if (auto start = ParseInt<int>(TrimSpace(buffer))) facts.unprivileged_port_start = *start;
  }
  if (failure.err == EADDRINUSE && failure.port != 0) {
    ListOptions options;
    options.udp = false;
    options.resolve_owners = false;
    auto listeners = ListListeners(procfs, options);
    if (listeners.ok()) {
      for (Listener& l : *listeners) {
        if (l.port == failure.port && AddressesOverlap(failure.host, l.address)) facts.holders.push_back(std::move(l));
      }
      OwnerScan scan = ResolveOwners(procfs, &facts.holders);
      facts.owners_hidden = scan.denied > 0;
    }
  }
  if (failure.err == EADDRNOTAVAIL) facts.addresses = InterfaceAddresses();
  return facts;
}

std::string DescribeListenFailure(const ListenFailure& failure, const ConflictFacts& facts) {
  std::string why;
  switch (failure.err) {
    case EADDRINUSE: why = DescribeInUse(failure, facts); break;
    case EACCES: why = DescribeAccess(failure, facts); break;
    case EADDRNOTAVAIL: why = DescribeNotHere(failure, facts); break;
    default: return failure.message;
  }
  return failure.message + ": " + why;
}

std::string ExplainListenFailure(const ListenFailure& failure, const std::string& procfs,
                                 std::optional<bool> host_network) {
  return DescribeListenFailure(failure, GatherConflictFacts(failure, procfs, host_network));
}

}  // namespace nodex::hostnet
