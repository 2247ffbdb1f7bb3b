#include "collectors/meminfo.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {

namespace {
constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
}  // namespace

// node_exporter's explicit list (meminfo_linux.go): it exports exactly these,
// not every key the running kernel happens to print.
const std::array<MeminfoField, kMeminfoFieldCount> kMeminfoFields = {{
    {"Active",
     {"node_memory_Active_bytes", "Memory information field Active in bytes (/proc/meminfo).", kGauge},
     false},
    {"Active(anon)",
     {"node_memory_Active_anon_bytes", "Memory information field Active(anon) in bytes (/proc/meminfo).", kGauge},
     false},
    {"Active(file)",
     {"node_memory_Active_file_bytes", "Memory information field Active(file) in bytes (/proc/meminfo).", kGauge},
     false},
    {"AnonHugePages",
     {"node_memory_AnonHugePages_bytes", "Memory information field AnonHugePages in bytes (/proc/meminfo).", kGauge},
     false},
    {"AnonPages",
     {"node_memory_AnonPages_bytes", "Memory information field AnonPages in bytes (/proc/meminfo).", kGauge},
     false},
    {"Bounce",
     {"node_memory_Bounce_bytes", "Memory information field Bounce in bytes (/proc/meminfo).", kGauge},
     false},
    {"Buffers",
     {"node_memory_Buffers_bytes", "Memory information field Buffers in bytes (/proc/meminfo).", kGauge},
     false},
    {"Cached",
     {"node_memory_Cached_bytes", "Memory information field Cached in bytes (/proc/meminfo).", kGauge},
     false},
    {"CmaFree",
     {"node_memory_CmaFree_bytes", "Memory information field CmaFree in bytes (/proc/meminfo).", kGauge},
     false},
    {"CmaTotal",
     {"node_memory_CmaTotal_bytes", "Memory information field CmaTotal in bytes (/proc/meminfo).", kGauge},
     false},
    {"CommitLimit",
     {"node_memory_CommitLimit_bytes", "Memory information field CommitLimit in bytes (/proc/meminfo).", kGauge},
     false},
    {"Committed_AS",
     {"node_memory_Committed_AS_bytes", "Memory information field Committed_AS in bytes (/proc/meminfo).", kGauge},
     false},
    {"DirectMap1G",
     {"node_memory_DirectMap1G_bytes", "Memory information field DirectMap1G in bytes (/proc/meminfo).", kGauge},
     false},
    {"DirectMap2M",
     {"node_memory_DirectMap2M_bytes", "Memory information field DirectMap2M in bytes (/proc/meminfo).", kGauge},
     false},
    {"DirectMap4k",
     {"node_memory_DirectMap4k_bytes", "Memory information field DirectMap4k in bytes (/proc/meminfo).", kGauge},
     false},
    {"Dirty", {"node_memory_Dirty_bytes", "Memory information field Dirty in bytes (/proc/meminfo).", kGauge}, false},
    {"HardwareCorrupted",
     {"node_memory_HardwareCorrupted_bytes", "Memory information field HardwareCorrupted in bytes (/proc/meminfo).",
      kGauge},
     false},
    {"Hugepagesize",
     {"node_memory_Hugepagesize_bytes", "Memory information field Hugepagesize in bytes (/proc/meminfo).", kGauge},
     false},
    {"Inactive",
     {"node_memory_Inactive_bytes", "Memory information field Inactive in bytes (/proc/meminfo).", kGauge},
     false},
    {"Inactive(anon)",
     {"node_memory_Inactive_anon_bytes", "Memory information field Inactive(anon) in bytes (/proc/meminfo).", kGauge},
     false},
    {"Inactive(file)",
     {"node_memory_Inactive_file_bytes", "Memory information field Inactive(file) in bytes (/proc/meminfo).", kGauge},
     false},
    {"KernelStack",
     {"node_memory_KernelStack_bytes", "Memory information field KernelStack in bytes (/proc/meminfo).", kGauge},
     false},
    {"Mapped",
     {"node_memory_Mapped_bytes", "Memory information field Mapped in bytes (/proc/meminfo).", kGauge},
     false},
    {"MemAvailable",
     {"node_memory_MemAvailable_bytes", "Memory information field MemAvailable in bytes (/proc/meminfo).", kGauge},
     false},
    {"MemFree",
     {"node_memory_MemFree_bytes", "Memory information field MemFree in bytes (/proc/meminfo).", kGauge},
     false},
    {"MemTotal",
     {"node_memory_MemTotal_bytes", "Memory information field MemTotal in bytes (/proc/meminfo).", kGauge},
     false},
    {"Mlocked",
     {"node_memory_Mlocked_bytes", "Memory information field Mlocked in bytes (/proc/meminfo).", kGauge},
     false},
    {"NFS_Unstable",
     {"node_memory_NFS_Unstable_bytes", "Memory information field NFS_Unstable in bytes (/proc/meminfo).", kGauge},
     false},
    {"PageTables",
     {"node_memory_PageTables_bytes", "Memory information field PageTables in bytes (/proc/meminfo).", kGauge},
     false},
    {"Percpu",
     {"node_memory_Percpu_bytes", "Memory information field Percpu in bytes (/proc/meminfo).", kGauge},
     false},
    {"SReclaimable",
     {"node_memory_SReclaimable_bytes", "Memory information field SReclaimable in bytes (/proc/meminfo).", kGauge},
     false},
    {"SUnreclaim",
     {"node_memory_SUnreclaim_bytes", "Memory information field SUnreclaim in bytes (/proc/meminfo).", kGauge},
     false},
    {"Shmem", {"node_memory_Shmem_bytes", "Memory information field Shmem in bytes (/proc/meminfo).", kGauge}, false},
    {"ShmemHugePages",
     {"node_memory_ShmemHugePages_bytes", "Memory information field ShmemHugePages in bytes (/proc/meminfo).", kGauge},
     false},
    {"ShmemPmdMapped",
     {"node_memory_ShmemPmdMapped_bytes", "Memory information field ShmemPmdMapped in bytes (/proc/meminfo).", kGauge},
     false},
    {"Slab", {"node_memory_Slab_bytes", "Memory information field Slab in bytes (/proc/meminfo).", kGauge}, false},
    {"SwapCached",
     {"node_memory_SwapCached_bytes", "Memory information field SwapCached in bytes (/proc/meminfo).", kGauge},
     false},
    {"SwapFree",
     {"node_memory_SwapFree_bytes", "Memory information field SwapFree in bytes (/proc/meminfo).", kGauge},
     false},
    {"SwapTotal",
     {"node_memory_SwapTotal_bytes", "Memory information field SwapTotal in bytes (/proc/meminfo).", kGauge},
     false},
    {"Unevictable",
     {"node_memory_Unevictable_bytes", "Memory information field Unevictable in bytes (/proc/meminfo).", kGauge},
     false},
    {"VmallocChunk",
     {"node_memory_VmallocChunk_bytes", "Memory information field VmallocChunk in bytes (/proc/meminfo).", kGauge},
     false},
    {"VmallocTotal",
     {"node_memory_VmallocTotal_bytes", "Memory information field VmallocTotal in bytes (/proc/meminfo).", kGauge},
     false},
    {"VmallocUsed",
     {"node_memory_VmallocUsed_bytes", "Memory information field VmallocUsed in bytes (/proc/meminfo).", kGauge},
     false},
    {"Writeback",
     {"node_memory_Writeback_bytes", "Memory information field Writeback in bytes (/proc/meminfo).", kGauge},
     false},
    {"WritebackTmp",
     {"node_memory_WritebackTmp_bytes", "Memory information field WritebackTmp in bytes (/proc/meminfo).", kGauge},
     false},
    {"Zswap", {"node_memory_Zswap_bytes", "Memory information field Zswap in bytes (/proc/meminfo).", kGauge}, false},
    {"Zswapped",
     {"node_memory_Zswapped_bytes", "Memory information field Zswapped in bytes (/proc/meminfo).", kGauge},
     false},
    {"HugePages_Free",
     {"node_memory_HugePages_Free", "Memory information field HugePages_Free (/proc/meminfo), a count of huge pages.",
      kGauge},
     true},
    {"HugePages_Rsvd",
     {"node_memory_HugePages_Rsvd", "Memory information field HugePages_Rsvd (/proc/meminfo), a count of huge pages.",
      kGauge},
     true},
    {"HugePages_Surp",
     {"node_memory_HugePages_Surp", "Memory information field HugePages_Surp (/proc/meminfo), a count of huge pages.",
      kGauge},
     true},
    {"HugePages_Total",
     {"node_memory_HugePages_Total", "Memory information field HugePages_Total (/proc/meminfo), a count of huge pages.",
      kGauge},
     true},
}};

namespace {

int FindField(std::string_view key) {
  for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
    if (kMeminfoFields[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const Context& ctx) : file_(ctx.Proc("meminfo"), ReadEnd::OneRecord()) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // A missing /proc/meminfo is an error in node_exporter, not "no data".
    if (!st.ok()) return Status::Error("failed to get memory info: " + st.message());
    st = ParseMeminfo(content, &values_);
    if (!st.ok()) return Status::Error("failed to get memory info: " + st.message());
    for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
      if (values_.present[i]) out.Add(kMeminfoFields[i].desc, values_.value[i]);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  MeminfoValues values_;
};

}  // namespace

Status ParseMeminfo(std::string_view content, MeminfoValues* out) {
  out->present.reset();
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view fields[3];
    size_t n = SplitFields(line, fields, 3);
    if (n < 2 || n > 3) return Status::Error("malformed line \"" + std::string(line) + "\"");
    std::optional<uint64_t> value = ParseU64(fields[1]);
    if (!value) return Status::Error("invalid value in line \"" + std::string(line) + "\"");
    if (n == 3 && fields[2] != "kB") {
      return Status::Error("unsupported unit \"" + std::string(fields[2]) + "\" in line \"" + std::string(line) + "\"");
    }
    std::string_view key = fields[0];
    if (key.empty() || key.back() != ':') continue;  // procfs matches "Key:" exactly, so no known field.
    key.remove_suffix(1);
    int index = FindField(key);
    if (index < 0) continue;
    double v = static_cast<double>(*value);
    if (n == 3 && !kMeminfoFields[index].raw) v *= 1024;
    out->value[index] = v;
    out->present.set(index);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewMeminfoCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<MeminfoCollector>(ctx));
}

}  // namespace nodex::collectors
