// HN080: checked against the node lint runs on (--node-listeners): a host
// port some process already holds makes the pod fail to start there.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  if (ctx.node_listeners == nullptr) return;
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    const ContainerPort& p = *claim.port;
    auto on_port = ctx.node_listeners_by_port.find(p.host_port);
    if (on_port == ctx.node_listeners_by_port.end()) continue;
    for (const NodeListener* listener : on_port->second) {
      const NodeListener& l = *listener;
      if (l.protocol != p.protocol || !AddressesOverlap(l.host, p.host_ip)) continue;
      std::string holder =
          l.pid > 0 ? " by pid " + std::to_string(l.pid) + (l.command.empty() ? "" : " (" + l.command + ")") : "";
      emit.Add(p.line, claim.container,
               "host port " + p.protocol + "/" + std::to_string(p.host_port) + " is already held on this node" +
                   holder + " (" + l.host + ":" + std::to_string(l.port) + ")");
      break;
    }
  }
}

}  // namespace

extern const Rule kHN080 = {"HN080", Severity::kError,
                            "declared host port already held on this node (--node-listeners)",
                            "stop the process holding the port or pick another port", Check};

}  // namespace nodex::lint
