// Is nodex in the node's network namespace, and in its PID namespace?
//
// "The node" is the init process at <procfs>/1 (the host's /proc, mounted at
// --path.procfs, or /proc itself with hostPID: true). The obvious test,
// comparing the /proc/<pid>/ns/* links, needs ptrace access to PID 1, which a
// DaemonSet running as uid 65534 with every capability dropped does not have
// (and on some machines not even root has). Everything here works without
// privileges instead:
//
// - Network: /proc/<pid>/net shows the tables of <pid>'s network namespace
//   and is world-readable. nodex binds a netlink socket of its own and looks
//   for that socket's inode in <procfs>/1/net/netlink: it is listed there
//   exactly when PID 1 shares nodex's network namespace. (Fallback: an
//   AF_UNIX socket pair in <procfs>/1/net/unix.)
// - PID: "NSpid" in <procfs>/self/status lists nodex's pid in every PID
//   namespace from the procfs's own down to nodex's; a single entry means
//   nodex lives in the procfs's PID namespace, the one of <procfs>/1.
// - Whether <procfs>/1 is the node's init at all: kernel threads (kthreadd,
//   pid 2, parent 0) are only visible in the initial PID namespace. Without
//   them, PID 1 is a container's init (nodex itself, the pod's "pause", tini)
//   unless it is systemd or init, as on nested nodes such as kind's.
#ifndef NODEX_HOSTNET_NETNS_H_
#define NODEX_HOSTNET_NETNS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodex::hostnet {

// A yes/no answer that may be unknown, with the reason in the user's terms.
struct Answer {
  std::optional<bool> yes;  // nullopt: it cannot be known here.
  std::string detail;       // What was compared, or why it cannot be known.
};

struct Namespaces {
  Answer init_is_node;  // Is <procfs>/1 the node's init process?
  Answer network;       // Does nodex share PID 1's network namespace?
  Answer pid;           // Does nodex share PID 1's PID namespace?
};

// Answers the three questions for the procfs mounted at `procfs`. Never
// fails: what cannot be determined comes back as an unknown Answer.
Namespaces DetectNamespaces(const std::string& procfs);

// --- Pure parsers, exposed for tests and fuzzers. ---

// True if a line of the /proc/net table `table` (first line a header) has
// `inode` in its whitespace-separated field number `inode_field` (0-based):
// 9 for /proc/net/netlink, 6 for /proc/net/unix.
[[nodiscard]] bool TableHasInode(std::string_view table, size_t inode_field, uint64_t inode);
inline constexpr size_t kNetlinkInodeField = 9;
inline constexpr size_t kUnixInodeField = 6;

// Interface names from /proc/<pid>/net/dev ("  eth0: 1234 5 ..."), in file
// order; views into `net_dev`.
[[nodiscard]] std::vector<std::string_view> ParseNetDevNames(std::string_view net_dev);

// The addresses on this process's interfaces, as text ("192.0.2.2",
// "fd00::2"), loopback and IPv6 link-local ones left out, sorted.
std::vector<std::string> InterfaceAddresses();

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_NETNS_H_
