// HN018: the kubelet probes the pod IP (the node IP under hostNetwork), never
// 127.0.0.1, so a probe without `host` cannot reach a loopback-only listener.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

int ProbePort(const Container& c, const Probe& p) {
  if (p.port_name.empty()) return p.port;
  for (const ContainerPort& port : c.ports) {
    if (port.name == p.port_name) return port.container_port;
  }
  return 0;
}

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const Container& c : o.pod.containers) {
    for (const Probe& p : c.probes) {
      if (p.has_host || p.handler == "grpc") continue;
      int port = ProbePort(c, p);
      bool loopback = false, elsewhere = false;
      for (const Container& other : o.pod.containers) {
        for (const Listener& l : other.listeners) {
          if (l.port != port) continue;
          (l.Loopback() ? loopback : elsewhere) = true;
        }
      }
      if (!loopback || elsewhere) continue;
      emit.Add(p.line, &c,
               p.kind + " probe on port " + std::to_string(port) +
                   " has no host, but the listener is bound to loopback; the kubelet probes the pod IP");
    }
  }
}

}  // namespace

extern const Rule kHN018 = {"HN018", Severity::kError, "loopback listener probed without host",
                            "bind the listener to the pod IP, or set the probe's host: 127.0.0.1 (hostNetwork only)",
                            Check};

}  // namespace nodex::lint
