// Explains a failed listen in the user's terms, and knows which ports a
// host-network agent must not take. On a hostNetwork pod nodex shares the
// node's ports with the kubelet, kube-proxy, the CNI agent and every other
// host-network pod, so "bind: Address already in use" is common and opaque;
// the explanation names the holder (pid and command, found through the
// socket's inode), the missing privilege, or the address that is not here.
#ifndef NODEX_HOSTNET_PORT_CONFLICT_H_
#define NODEX_HOSTNET_PORT_CONFLICT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostnet/listeners.h"

namespace nodex::hostnet {

// What a port is reserved for on a Kubernetes node ("the kubelet API"), or
// nullopt. The list: 22, 53, 80, 443, 4194, 6443, 9099, 9890, 10248, 10249,
// 10250, 10255, 10256 and the NodePort range 30000-32767.
std::optional<std::string_view> ReservedPortUse(uint16_t port);

// The start-up warning for a reserved port, one line; nullopt if the port is
// not reserved.
std::optional<std::string> ReservedPortWarning(uint16_t port);

// A listen address that could not be bound.
struct ListenFailure {
  std::string address;  // As given: "127.0.0.1:9100", ":9100", "[::1]:9100".
  std::string host;     // The host part; empty for ":9100".
  uint16_t port = 0;    // 0 if it never got as far as a port.
  int err = 0;          // errno of the failing socket call; 0 for other failures.
  std::string message;  // The server's own one-line error, the fallback.
};

// What the explanation depends on. GatherConflictFacts reads it from the
// system; DescribeListenFailure only words it, so the wording is testable.
struct ConflictFacts {
  std::vector<Listener> holders;  // TCP listeners on the port whose address overlaps.
  bool owners_hidden = false;     // Some processes' fds were unreadable.
  uid_t euid = 0;
  bool net_bind_service = false;  // CAP_NET_BIND_SERVICE is effective.
  int unprivileged_port_start = 1024;
  std::vector<std::string> addresses;  // This namespace's interface addresses.
  std::optional<bool> host_network;    // From DetectNamespaces.
};

ConflictFacts GatherConflictFacts(const ListenFailure& failure, const std::string& procfs,
                                  std::optional<bool> host_network);

// One line, e.g. "cannot listen on 127.0.0.1:9100: port 9100 is already in
// use by pid 4242 (python3 -m http.server 9100); host-network pods share the
// node's ports: stop that process or choose another --web.listen-address".
std::string DescribeListenFailure(const ListenFailure& failure, const ConflictFacts& facts);

// GatherConflictFacts + DescribeListenFailure.
std::string ExplainListenFailure(const ListenFailure& failure, const std::string& procfs,
                                 std::optional<bool> host_network);

// The port of a listen address, or nullopt if it has no numeric port.
std::optional<uint16_t> ListenPort(std::string_view address);

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_PORT_CONFLICT_H_
