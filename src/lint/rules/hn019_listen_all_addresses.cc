// HN019: under hostNetwork, 0.0.0.0 is every interface of the node, public
// ones included.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Container& c : o.pod.containers) {
    for (const Listener& l : c.listeners) {
      if (!l.AllAddresses()) continue;
      emit.Add(l.line, &c,
               "--" + l.flag + " listens on all node addresses, port " + std::to_string(l.port) +
                   ": reachable from the node network");
    }
  }
}

}  // namespace

extern const Rule kHN019 = {"HN019", Severity::kInfo, "hostNetwork listener on all addresses",
                            "protect it with TLS/auth, or bind to status.hostIP via the downward API", Check};

}  // namespace nodex::lint
