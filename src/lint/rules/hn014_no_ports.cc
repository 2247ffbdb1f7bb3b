// HN014: a hostNetwork pod that declares nothing gives the scheduler nothing
// to keep two copies apart with.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Container& c : o.pod.containers) {
    if (c.Running() && !c.ports.empty()) return;
  }
  emit.Add(o.pod.host_network_line, nullptr, "hostNetwork pod declares no ports");
}

}  // namespace

extern const Rule kHN014 = {"HN014", Severity::kWarn, "hostNetwork pod declares no ports at all",
                            "declare every port the pod listens on as a containerPort", Check};

}  // namespace nodex::lint
