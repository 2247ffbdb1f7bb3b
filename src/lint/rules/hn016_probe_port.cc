// HN016: a probe on a port nobody serves fails forever; a named port that the
// container does not declare is rejected outright.
#include <set>
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  std::set<int> served;
  for (const Container& c : o.pod.containers) {
    if (!c.Running()) continue;
    for (const ContainerPort& p : c.ports) served.insert(p.container_port);
    for (const Listener& l : c.listeners) served.insert(l.port);
  }
  for (const Container& c : o.pod.containers) {
    for (const Probe& p : c.probes) {
      if (!p.port_name.empty()) {
        bool found = false;
        for (const ContainerPort& port : c.ports) found = found || port.name == p.port_name;
        if (!found)
          emit.Add(p.line, &c,
                   p.kind + " probe names port \"" + p.port_name + "\" that the container does not declare");
      } else if (p.port > 0 && !served.empty() && served.count(p.port) == 0) {
        emit.Add(p.line, &c,
                 p.kind + " probe uses port " + std::to_string(p.port) + " that nothing in the pod listens on");
      }
    }
  }
}

}  // namespace

extern const Rule kHN016 = {"HN016", Severity::kError, "probe port not declared or not listened on",
                            "point the probe at a declared port name or the port the process listens on", Check};

}  // namespace nodex::lint
