#include "hostnet/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "hostnet/proc_status.h"

namespace nodex::hostnet {
namespace {

std::string Path(const std::string& procfs, std::string_view rel) {
  std::string path = procfs;
  if (path.empty() || path.back() != '/') path.push_back('/');
  path.append(rel);
  return path;
}

// nodex's pid as seen through `procfs`; nullopt when nodex is not visible
// there (a procfs of an unrelated PID namespace, or not a procfs).
std::optional<int64_t> SelfPidIn(const std::string& procfs) {
  char buf[32];
  ssize_t n = readlink(Path(procfs, "self").c_str(), buf, sizeof(buf));
  if (n <= 0 || n == static_cast<ssize_t>(sizeof(buf))) return std::nullopt;
  return ParseI64(std::string_view(buf, static_cast<size_t>(n)));
}

Answer Unknown(std::string detail) { return Answer{std::nullopt, std::move(detail)}; }
Answer Yes(std::string detail) { return Answer{true, std::move(detail)}; }
Answer No(std::string detail) { return Answer{false, std::move(detail)}; }

Answer InitIsNode(const std::string& procfs, std::optional<int64_t> self_pid, std::string* init_comm) {
  std::string buffer;
  Status read = ReadFileOnce(Path(procfs, "1/stat"), &buffer);
  if (!read.ok()) {
    return Unknown("cannot read " + Path(procfs, "1/stat") + " (" + read.message() +
                   "), so the node's processes are not visible");
  }
  auto init = ParseStatHead(buffer);
  if (!init) return Unknown(Path(procfs, "1/stat") + " is malformed");
  *init_comm = std::string(init->comm);

  std::string second;
  if (ReadFileOnce(Path(procfs, "2/stat"), &second).ok()) {
    auto kthreadd = ParseStatHead(second);
    if (kthreadd && kthreadd->comm == "kthreadd" && kthreadd->ppid == 0) {
      return Yes("kernel threads are visible in " + procfs + ", so it shows the node's processes");
    }
  }
  if (self_pid == 1) {
    return No("PID 1 in " + procfs + " is nodex itself, so " + procfs + " shows nodex's own container, not the node");
  }
  if (*init_comm == "pause") {
    return No("PID 1 in " + procfs + " is the pod's pause process, so " + procfs +
              " shows the pod's processes, not the node's");
  }
  if (*init_comm == "systemd" || *init_comm == "init") {
    return Yes("PID 1 in " + procfs + " is " + *init_comm +
               ", the init of a nested node (kernel threads are not visible, as on kind nodes)");
  }
  return No("PID 1 in " + procfs + " is " + *init_comm + ", a container's init, so " + procfs +
            " shows a container's processes, not the node's");
}

Answer PidNamespace(const std::string& procfs, const Answer& init_is_node, std::optional<int64_t> self_pid) {
  if (!init_is_node.yes.has_value()) return Unknown(init_is_node.detail);
  if (!self_pid) {
    return Unknown("nodex's own process is not visible in " + procfs + " (mounted with hidepid?)");
  }
  std::string status;
  std::optional<size_t> depth;
  if (ReadFileOnce(Path(procfs, "self/status"), &status).ok()) depth = ParseNsPidDepth(status);
  bool shared;
  if (depth) {
    shared = *depth == 1;
  } else {
    // Kernels before 4.1: a pid that differs from getpid() means nodex sees
    // itself through another namespace's procfs; equal pids are taken as the
    // same namespace.
    shared = *self_pid == getpid();
  }
  if (!*init_is_node.yes) {
    if (shared) return No("nodex runs in a container's PID namespace: " + init_is_node.detail);
    return Unknown("nodex is not in the PID namespace that " + procfs + " shows, and that is not the node's either (" +
                   init_is_node.detail + ")");
  }
  const std::string pids = std::to_string(*self_pid) + " in " + procfs;
  if (shared) return Yes("nodex is pid " + pids + " and in its own namespace, and " + init_is_node.detail);
  std::string nested = depth ? ", " + std::to_string(*depth - 1) + " level(s) below the node's" : "";
  return No("nodex runs in a PID namespace of its own" + nested + ": it is pid " + pids + " but pid " +
            std::to_string(getpid()) + " in its own namespace");
}

// A socket of nodex's own that the kernel lists in a /proc/<pid>/net table
// of nodex's network namespace, and where to look for it.
struct ProbeSocket {
  UniqueFd fds[2];
  uint64_t inode = 0;
  std::string_view table;  // Relative to /proc/<pid>/net.
  size_t inode_field = 0;
};

bool OpenProbeSocket(ProbeSocket* probe, std::string* error) {
  // A netlink socket is listed once bound, exists in every network
  // namespace (no address needed, unlike UDP), and the netlink table is
  // short even on busy nodes.
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd >= 0) {
    probe->fds[0].reset(fd);
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    struct stat st {};
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 && fstat(fd, &st) == 0) {
      probe->inode = st.st_ino;
      probe->table = "net/netlink";
      probe->inode_field = kNetlinkInodeField;
      return true;
    }
  }
  *error = std::string("netlink socket: ") + strerror(errno);
  // Seccomp profiles may refuse netlink; every AF_UNIX socket is listed in
  // net/unix, bound or not.
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    *error += std::string("; unix socket pair: ") + strerror(errno);
    return false;
  }
  probe->fds[0].reset(pair[0]);
  probe->fds[1].reset(pair[1]);
  struct stat st {};
  if (fstat(pair[0], &st) != 0) {
    *error += std::string("; fstat: ") + strerror(errno);
    return false;
  }
  probe->inode = st.st_ino;
  probe->table = "net/unix";
  probe->inode_field = kUnixInodeField;
  return true;
}

Answer NetworkNamespace(const std::string& procfs, const Answer& init_is_node) {
  if (!init_is_node.yes.has_value()) return Unknown(init_is_node.detail);
  if (!*init_is_node.yes) return Unknown("the node's network namespace cannot be compared: " + init_is_node.detail);
  ProbeSocket probe;
  std::string error;
  if (!OpenProbeSocket(&probe, &error)) return Unknown("cannot open a socket to compare namespaces: " + error);
  const std::string init_table = Path(procfs, "1/" + std::string(probe.table));
  std::string buffer;
  Status read = ReadFileOnce(init_table, &buffer);
  if (!read.ok()) return Unknown("cannot read " + init_table + ": " + read.message());
  if (TableHasInode(buffer, probe.inode_field, probe.inode)) {
    return Yes("nodex's own socket is listed in " + init_table);
  }
  // Make sure the probe works at all before concluding "no".
  const std::string own_table = "/proc/self/" + std::string(probe.table);
  if (!ReadFileOnce(own_table, &buffer).ok() || !TableHasInode(buffer, probe.inode_field, probe.inode)) {
    return Unknown("inconclusive: nodex's socket is listed neither in " + init_table + " nor in " + own_table);
  }
  return No("nodex's own socket is not listed in " + init_table);
}

}  // namespace

Namespaces DetectNamespaces(const std::string& procfs) {
  Namespaces ns;
  struct statfs fs {};
  if (statfs(procfs.c_str(), &fs) != 0) {
    ns.init_is_node = Unknown("cannot stat " + procfs + ": " + strerror(errno));
  } else if (fs.f_type != PROC_SUPER_MAGIC) {
    ns.init_is_node = Unknown(procfs + " is not a procfs mount");
  } else {
    std::optional<int64_t> self_pid = SelfPidIn(procfs);
    std::string init_comm;
    ns.init_is_node = InitIsNode(procfs, self_pid, &init_comm);
    ns.pid = PidNamespace(procfs, ns.init_is_node, self_pid);
    ns.network = NetworkNamespace(procfs, ns.init_is_node);
    return ns;
  }
  ns.pid = ns.init_is_node;
  ns.network = ns.init_is_node;
  return ns;
}

bool TableHasInode(std::string_view table, size_t inode_field, uint64_t inode) {
  std::string_view line;
  if (!NextLine(&table, &line)) return false;  // Header.
  while (NextLine(&table, &line)) {
    std::string_view rest = line, field;
    for (size_t i = 0; NextField(&rest, &field); ++i) {
      if (i != inode_field) continue;
      if (ParseU64(field) == inode) return true;
      break;
    }
  }
  return false;
}

std::vector<std::string_view> ParseNetDevNames(std::string_view net_dev) {
  std::vector<std::string_view> names;
  std::string_view line;
  while (NextLine(&net_dev, &line)) {
    std::string_view name, counters;
    if (!SplitOnce(line, ':', &name, &counters)) continue;
    name = TrimSpace(name);
    if (!name.empty() && name.find('|') == std::string_view::npos) names.push_back(name);
  }
  return names;
}

std::vector<std::string> InterfaceAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (a->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof(text));
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
      if (IN6_IS_ADDR_LINKLOCAL(&v6)) continue;
      inet_ntop(AF_INET6, &v6, text, sizeof(text));
    } else {
      continue;
    }
    out.emplace_back(text);
  }
  freeifaddrs(list);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace nodex::hostnet
