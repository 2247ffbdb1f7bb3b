// HN013: the scheduler only sees declared ports; an undeclared host-network
// listener collides with another pod's at runtime (CrashLoopBackOff) instead
// of at scheduling time.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

bool PodDeclares(const PodSpec& pod, int port) {
  for (const Container& c : pod.containers) {
    if (c.Running() && c.Declares(port)) return true;
  }
  return false;
}

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Container& c : o.pod.containers) {
    if (!c.Running() || !c.ports.empty()) continue;  // a container with ports is HN012's
    for (const Listener& l : c.listeners) {
      if (PodDeclares(o.pod, l.port)) continue;
      emit.Add(l.line, &c,
               "hostNetwork pod listens on " + (l.host.empty() ? std::string("*") : l.host) + ":" +
                   std::to_string(l.port) + " (--" + l.flag + ") without declaring it");
    }
  }
}

}  // namespace

extern const Rule kHN013 = {"HN013", Severity::kWarn, "hostNetwork pod listens on a port it does not declare",
                            "declare the port as a containerPort so the scheduler accounts for it", Check};

}  // namespace nodex::lint
