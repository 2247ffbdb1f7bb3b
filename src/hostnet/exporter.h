// Host-network awareness in the exporter itself: what `nodex` logs once at
// start-up about where it runs, the warning for reserved listen ports, and
// the nodex_host_network / nodex_host_pid gauges served with the exporter's
// own metrics.
#ifndef NODEX_HOSTNET_EXPORTER_H_
#define NODEX_HOSTNET_EXPORTER_H_

#include <string>
#include <vector>

#include "base/log.h"
#include "expo/metric_set.h"
#include "hostnet/netns.h"

namespace nodex::hostnet {

// Detects the namespaces and logs, once: a warning when nodex is not in the
// node's network (or PID) namespace, with the fix; an info line when that
// cannot be known; a warning for each reserved listen port.
Namespaces CheckAtStart(const std::string& procfs, const std::vector<std::string>& listen_addresses, Logger* log);

// nodex_host_network and nodex_host_pid: 1 or 0, each left out when it
// cannot be known.
void AddNamespaceMetrics(const Namespaces& namespaces, expo::MetricSet& out);

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_EXPORTER_H_
