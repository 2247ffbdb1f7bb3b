// Who listens here: the listening sockets of a network namespace and the
// processes that hold them. Shared by the exporter (explaining a port
// conflict), `nodex doctor` and `nodex lint --node-listeners`.
//
// Sockets come from <procfs>/net/{tcp,tcp6,udp,udp6}, the tables of the
// reading process's network namespace (the node's when nodex runs with
// hostNetwork: true):
//
//   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//    0: 0100007F:238C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40713 1 ...
//    1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 ... 101 0 2117 2 ...
//
// Addresses are the raw 32-bit words of the (network order) address printed
// in the kernel's byte order, ports are hex in host order, "st" is the TCP
// state (0A = LISTEN; unconnected UDP sockets show 07 = CLOSE). The uid is
// the socket creator's. The same layout since Linux 2.6; udp adds columns
// after inode. Owners are found by matching "socket:[<inode>]" links under
// <procfs>/<pid>/fd, which needs ptrace access to the process: unprivileged,
// only one's own processes are visible, so pid stays 0 for the others. (ss
// -ltnup shows the same; node_exporter has no equivalent.)
#ifndef NODEX_HOSTNET_LISTENERS_H_
#define NODEX_HOSTNET_LISTENERS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace nodex::hostnet {

// One listening socket: a TCP socket in LISTEN state, or a bound and
// unconnected UDP socket.
struct Listener {
  std::string protocol;  // "tcp", "tcp6", "udp" or "udp6": the table it is listed in.
  std::string address;   // Local address as text: "0.0.0.0", "127.0.0.1", "::", "::ffff:10.0.0.1".
  uint16_t port = 0;
  uint64_t inode = 0;   // As in the "socket:[<inode>]" links under /proc/<pid>/fd.
  uint32_t uid = 0;     // The socket creator's uid, known even when the process is not.
  int pid = 0;          // A process holding the socket; 0 when none is visible.
  std::string command;  // That process's command line ("[comm]" for kernel threads); empty when pid is 0.

  bool tcp() const { return protocol.starts_with("tcp"); }
  bool wildcard() const { return address == "0.0.0.0" || address == "::"; }
};

// One row of a /proc/net/{tcp,udp}{,6} table.
struct SocketRow {
  bool ipv6 = false;
  std::array<uint8_t, 16> local{};  // Network byte order; IPv4 in the first 4 bytes.
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  uint8_t state = 0;
  uint32_t uid = 0;
  uint64_t inode = 0;
};

inline constexpr uint8_t kTcpListen = 0x0A;
inline constexpr uint8_t kUdpUnconnected = 0x07;

// Parses a whole /proc/net/{tcp,udp}{,6} table (header line first) and
// appends its rows. `ipv6` selects the address width. A malformed row fails
// the table. Rows the kernel adds while the file is being read are fine;
// a table without rows is valid.
[[nodiscard]] Status ParseProcNetSockets(std::string_view table, bool ipv6, std::vector<SocketRow>* rows);

// "127.0.0.1", "::", "::ffff:10.0.0.1".
std::string FormatAddress(const SocketRow& row);

struct ListOptions {
  bool tcp = true;
  bool udp = true;
  // Look up pid and command under <procfs>/<pid>/fd. Costs a readlink per
  // open fd on the node; only done for the listeners found.
  bool resolve_owners = true;
};

// The listeners of the network namespace that <procfs>/net shows, sorted by
// protocol, port and address. A missing tcp6/udp6 table (IPv6 disabled) is
// not an error; an unreadable tcp table is.
StatusOr<std::vector<Listener>> ListListeners(const std::string& procfs, const ListOptions& options = {});

struct OwnerScan {
  int processes = 0;  // Processes looked at.
  int denied = 0;     // Of those, how many hid their fds from nodex.
};

// Fills pid and command of the listeners from <procfs>/<pid>/fd, stopping
// early once every one has an owner. `denied` > 0 with owners left unknown
// means they may be among the hidden processes.
OwnerScan ResolveOwners(const std::string& procfs, std::vector<Listener>* listeners);

// Whether listeners on addresses `a` and `b` (same protocol and port) clash,
// the way bind(2) sees it: equal addresses, or either is a wildcard
// ("0.0.0.0", "::", ""), with IPv4-mapped IPv6 addresses equal to their IPv4
// form.
bool AddressesOverlap(std::string_view a, std::string_view b);

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_LISTENERS_H_
