// HN012: the seed's rule "containerPort must match the port the process
// listens on": a container that declares ports but listens elsewhere gets its
// probes, Services and host port claims pointed at the wrong port.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const Container& c : o.pod.containers) {
    if (!c.Running() || c.ports.empty()) continue;
    for (const Listener& l : c.listeners) {
      if (c.Declares(l.port)) continue;
      emit.Add(l.line, &c,
               "--" + l.flag + " listens on port " + std::to_string(l.port) +
                   " but the container declares no containerPort " + std::to_string(l.port));
    }
  }
}

}  // namespace

extern const Rule kHN012 = {"HN012", Severity::kError, "listen flag port is not a declared containerPort",
                            "make containerPort equal the port in the listen flag", Check};

}  // namespace nodex::lint
