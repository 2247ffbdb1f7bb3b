// HN010: under hostNetwork the process binds the host's port directly, so the
// API server requires hostPort == containerPort.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Container& c : o.pod.containers) {
    for (const ContainerPort& p : c.ports) {
      if (!p.host_port_explicit || p.host_port == p.container_port) continue;
      emit.Add(p.line, &c,
               "hostNetwork with hostPort " + std::to_string(p.host_port) + " != containerPort " +
                   std::to_string(p.container_port) + "; the API server rejects it");
    }
  }
}

}  // namespace

extern const Rule kHN010 = {"HN010", Severity::kError, "hostNetwork with a hostPort different from its containerPort",
                            "drop hostPort (it equals containerPort under hostNetwork) or make them equal", Check};

}  // namespace nodex::lint
