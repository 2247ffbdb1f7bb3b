#include "hostnet/exporter.h"

#include "hostnet/port_conflict.h"

namespace nodex::hostnet {
namespace {

constexpr expo::Desc kHostNetwork{
    "nodex_host_network",
    "1 if nodex runs in the node's network namespace (hostNetwork: true), 0 if its network metrics describe a pod.",
    expo::MetricType::kGauge};
constexpr expo::Desc kHostPid{"nodex_host_pid", "1 if nodex runs in the node's PID namespace (hostPID: true), else 0.",
                              expo::MetricType::kGauge};

}  // namespace

Namespaces CheckAtStart(const std::string& procfs, const std::vector<std::string>& listen_addresses, Logger* log) {
  Namespaces ns = DetectNamespaces(procfs);
  if (ns.network.yes == false) {
    log->Warn(
        "nodex is not in the node's network namespace: network metrics describe the pod, not the node; set "
        "hostNetwork: true in the pod spec",
        {{"reason", ns.network.detail}});
  } else if (!ns.network.yes.has_value()) {
    log->Info("Cannot tell whether nodex is in the node's network namespace; nodex_host_network is not exported",
              {{"reason", ns.network.detail}});
  } else {
    log->Debug("nodex is in the node's network namespace", {{"reason", ns.network.detail}});
  }
  if (ns.pid.yes == false) {
    log->Warn("nodex is not in the node's PID namespace; set hostPID: true in the pod spec",
              {{"reason", ns.pid.detail}});
  } else if (!ns.pid.yes.has_value()) {
    log->Info("Cannot tell whether nodex is in the node's PID namespace; nodex_host_pid is not exported",
              {{"reason", ns.pid.detail}});
  }
  for (const std::string& address : listen_addresses) {
    auto port = ListenPort(address);
    if (!port) continue;
    if (auto warning = ReservedPortWarning(*port)) log->Warn(*warning, {{"address", address}});
  }
  return ns;
}

void AddNamespaceMetrics(const Namespaces& namespaces, expo::MetricSet& out) {
  if (namespaces.network.yes.has_value()) out.Add(kHostNetwork, *namespaces.network.yes ? 1 : 0);
  if (namespaces.pid.yes.has_value()) out.Add(kHostPid, *namespaces.pid.yes ? 1 : 0);
}

}  // namespace nodex::hostnet
