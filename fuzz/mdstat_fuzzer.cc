// Fuzzes ParseMdstat (/proc/mdstat) and ParseMdSyncCompleted (sysfs
// md/sync_completed): no crash on any input, and parsed arrays keep views
// into the input and plausible counts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/mdadm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::MdStat> arrays;
  if (nodex::collectors::ParseMdstat(input, &arrays).ok()) {
    for (const auto& md : arrays) {
      if (md.name.empty()) std::abort();
      if (md.name.data() < input.data() || md.name.data() + md.name.size() > input.data() + input.size()) {
        std::abort();
      }
      if (md.disks_failed < 0 || md.disks_spare < 0 || md.disks_down < 0) std::abort();
    }
  }
  (void)nodex::collectors::ParseMdSyncCompleted(input);
  return 0;
}
