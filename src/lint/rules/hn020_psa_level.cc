// HN020: host namespaces, host ports, hostPath and extra capabilities all
// need the privileged Pod Security level; a baseline/restricted namespace
// rejects the pods (a workload then never gets any).
#include <algorithm>
#include <array>
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

constexpr std::array<std::string_view, 13> kBaselineCaps = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

std::string PrivilegedNeeds(const PodSpec& pod) {
  std::string needs;
  auto add = [&needs](std::string_view what) {
    if (needs.find(what) != std::string::npos) return;
    if (!needs.empty()) needs += ", ";
    needs += what;
  };
  if (pod.host_network) add("hostNetwork");
  if (pod.host_pid) add("hostPID");
  if (pod.host_ipc) add("hostIPC");
  for (const Container& c : pod.containers) {
    for (const ContainerPort& p : c.ports) {
      if (p.host_port_explicit) add("hostPort");
    }
    if (c.security.privileged) add("privileged");
    for (const Located& cap : c.security.cap_add) {
      if (std::find(kBaselineCaps.begin(), kBaselineCaps.end(), cap.value) == kBaselineCaps.end()) {
        add("capability " + cap.value);
      }
    }
  }
  for (const Volume& v : pod.volumes) {
    if (v.host_path) add("hostPath");
  }
  return needs;
}

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  std::string level = ctx.options->default_psa_level;
  auto ns = ctx.namespaces.find(o.ns);
  if (ns != ctx.namespaces.end()) {
    auto label = ns->second->labels.find("pod-security.kubernetes.io/enforce");
    if (label != ns->second->labels.end()) level = label->second.value;
  }
  if (level != "baseline" && level != "restricted") return;
  std::string needs = PrivilegedNeeds(o.pod);
  if (needs.empty()) return;
  emit.Add(o.pod.host_network_line, nullptr,
           "needs the privileged Pod Security level (" + needs + ") but namespace " + o.ns + " enforces " + level);
}

}  // namespace

extern const Rule kHN020 = {
    "HN020", Severity::kError, "privileged workload in a namespace that enforces baseline/restricted",
    "label the namespace pod-security.kubernetes.io/enforce: privileged, or move the workload to one that is", Check};

}  // namespace nodex::lint
