// The nvmesubsystem collector (mirrors node_exporter's nvmesubsystem
// collector, collector/nvmesubsystem_linux.go, on top of procfs'
// sysfs/class_nvme_subsystem.go; off by default): NVMe(-oF) multipath health
// per /sys/class/nvme-subsystem/nvme-subsys<N>: node_nvmesubsystem_info,
// _namespace_info per namespace block device (nvme<N>n<M>), _paths and
// _paths_live, and _path_state per controller (nvme<N>) as a one-hot gauge
// over the states live, connecting, resetting, dead and unknown.
//
// Files read:
//   nvme-subsys0/subsysnqn        -> "nqn.2014-08.org.nvmexpress:uuid:a34c...\n"
//   nvme-subsys0/iopolicy         -> "round-robin\n"   (also model, serial)
//   nvme-subsys0/nvme0/state      -> "live\n"          (also transport, address)
// All of them are required: a missing or unreadable one makes the collector
// report "no data", as node_exporter does.
#ifndef NODEX_COLLECTORS_NVMESUBSYSTEM_H_
#define NODEX_COLLECTORS_NVMESUBSYSTEM_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// A controller state as node_exporter reports it: the kernel's "live",
// "connecting", "resetting", "dead", "deleting", "deleting (no IO)" and "new"
// are kept, anything else becomes "unknown". Only the first five have a
// path_state series, so a deleting or new controller has all of them at 0.
[[nodiscard]] std::string_view NormalizeNvmeControllerState(std::string_view raw);

// ^nvme\d+$ (a controller) and ^nvme\d+n\d+$ (a namespace block device).
[[nodiscard]] bool IsNvmeControllerName(std::string_view name);
[[nodiscard]] bool IsNvmeNamespaceName(std::string_view name);

StatusOr<std::unique_ptr<Collector>> NewNvmesubsystemCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NVMESUBSYSTEM_H_
