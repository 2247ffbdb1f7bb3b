// The one table of every collector nodex has. Adding a collector means adding
// its header and one row here; nothing registers itself.
#include <algorithm>

#include "collectors/collector.h"
#include "collectors/cpu.h"
#include "collectors/entropy.h"
#include "collectors/filefd.h"
#include "collectors/loadavg.h"
#include "collectors/meminfo.h"
#include "collectors/os.h"
#include "collectors/stat.h"
#include "collectors/time.h"
#include "collectors/uname.h"

namespace nodex::collectors {
namespace {

// Sorted by name. Defaults match node_exporter's.
constexpr CollectorInfo kCollectors[] = {
    {"cpu", true, kCpuFlags, &NewCpuCollector},
    {"entropy", true, {}, &NewEntropyCollector},
    {"filefd", true, {}, &NewFilefdCollector},
    {"loadavg", true, {}, &NewLoadavgCollector},
    {"meminfo", true, {}, &NewMeminfoCollector},
    {"os", true, {}, &NewOsCollector},
    {"stat", true, kStatFlags, &NewStatCollector},
    {"time", true, {}, &NewTimeCollector},
    {"uname", true, {}, &NewUnameCollector},
};

}  // namespace

std::span<const CollectorInfo> AllCollectors() { return kCollectors; }

const CollectorInfo* FindCollector(std::string_view name) {
  auto it = std::lower_bound(std::begin(kCollectors), std::end(kCollectors), name,
                             [](const CollectorInfo& info, std::string_view n) { return info.name < n; });
  if (it == std::end(kCollectors) || it->name != name) return nullptr;
  return &*it;
}

}  // namespace nodex::collectors
