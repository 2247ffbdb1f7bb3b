// Fuzzes ParseMountStats (/proc/<pid>/mountstats) and MountAddrOption, and
// checks that every view the parser returns lies inside the input and every
// mount's transport/operation range lies inside the flat vectors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/mountstats.h"

namespace {

void CheckInside(std::string_view input, std::string_view field) {
  if (field.empty()) return;
  if (field.data() < input.data() || field.data() + field.size() > input.data() + input.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckInside(input, nodex::collectors::MountAddrOption(input));
  static nodex::collectors::MountStats stats;  // Reused, as the collector does.
  if (!nodex::collectors::ParseMountStats(input, &stats).ok()) return 0;
  for (const auto& m : stats.mounts) {
    for (std::string_view f : {m.device, m.mount_point, m.fs_type, m.stat_version}) CheckInside(input, f);
    if (m.transport_begin + m.transport_count > stats.transports.size()) std::abort();
    if (m.operation_begin + m.operation_count > stats.operations.size()) std::abort();
    if (!m.has_nfs_stats && (m.transport_count != 0 || m.operation_count != 0)) std::abort();
    for (const auto& t : stats.Transports(m)) CheckInside(input, t.protocol);
    for (const auto& op : stats.Operations(m)) CheckInside(input, op.operation);
  }
  return 0;
}
