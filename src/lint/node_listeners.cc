#include "lint/node_listeners.h"

#include "hostnet/listeners.h"

namespace nodex::lint {

StatusOr<std::vector<NodeListener>> ReadNodeListeners(const std::string& procfs) {
  auto listeners = hostnet::ListListeners(procfs);
  if (!listeners.ok()) return listeners.status();
  std::vector<NodeListener> out;
  out.reserve(listeners->size());
  for (const hostnet::Listener& l : *listeners) {
    NodeListener n;
    n.protocol = l.tcp() ? "TCP" : "UDP";
    // An IPv4-mapped address binds the IPv4 address a hostIP names.
    std::string_view address = l.address;
    if (address.starts_with("::ffff:") && address.find('.') != std::string_view::npos) address.remove_prefix(7);
    n.host = std::string(address);
    n.port = l.port;
    n.pid = l.pid;
    n.command = l.command;
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace nodex::lint
