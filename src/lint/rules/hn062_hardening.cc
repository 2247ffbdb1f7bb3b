// HN062: a host-network agent shares the node's network stack; a compromise
// should not also get root, a writable filesystem or capabilities.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

bool DropsAll(const Security& s) {
  for (const Located& cap : s.cap_drop) {
    if (cap.value == "ALL" || cap.value == "all") return true;
  }
  return false;
}

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Container& c : o.pod.containers) {
    const Security& s = c.security;
    std::string missing;
    auto need = [&missing](bool ok, std::string_view what) {
      if (ok) return;
      if (!missing.empty()) missing += ", ";
      missing += what;
    };
    need(s.NonRoot(), "runAsNonRoot");
    need(s.read_only_root_filesystem == true, "readOnlyRootFilesystem");
    need(DropsAll(s), "capabilities drop ALL");
    need(s.allow_privilege_escalation == false, "allowPrivilegeEscalation false");
    if (!missing.empty()) emit.Add(c.line, &c, "host-network container without hardening: missing " + missing);
  }
}

}  // namespace

extern const Rule kHN062 = {"HN062", Severity::kWarn, "host-network agent without hardening",
                            "set runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities.drop: [ALL], "
                            "allowPrivilegeEscalation: false",
                            Check};

}  // namespace nodex::lint
