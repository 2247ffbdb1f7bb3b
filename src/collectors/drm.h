// The drm collector (mirrors node_exporter's drm collector,
// collector/drm_linux.go on top of procfs' sysfs/class_drm_amdgpu.go; off
// by default): for each amdgpu card /sys/class/drm/card[0-9],
// node_drm_card_info{card,chip,memory_vendor,power_performance_level,
// unique_id,vendor="amd"}, node_drm_gpu_busy_percent{card} and
// node_drm_memory_{gtt,vis_vram,vram}_{size,used}_bytes{card}. Other drivers
// (i915, nouveau, virtio) export nothing.
#ifndef NODEX_COLLECTORS_DRM_H_
#define NODEX_COLLECTORS_DRM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// What procfs reads from card<N>/device/ for one amdgpu card. Numbers
// default to 0 and strings to "" when their file is missing or unreadable.
struct DrmCardStats {
  uint64_t gpu_busy_percent = 0;       // gpu_busy_percent
  uint64_t memory_gtt_size = 0;        // mem_info_gtt_total
  uint64_t memory_gtt_used = 0;        // mem_info_gtt_used
  uint64_t memory_vis_vram_size = 0;   // mem_info_vis_vram_total
  uint64_t memory_vis_vram_used = 0;   // mem_info_vis_vram_used
  uint64_t memory_vram_size = 0;       // mem_info_vram_total
  uint64_t memory_vram_used = 0;       // mem_info_vram_used
  std::string memory_vram_vendor;      // mem_info_vram_vendor
  std::string power_performance_level; // power_dpm_force_performance_level
  std::string unique_id;               // unique_id
};

// The card<N>/device/ files procfs reads, in its order.
inline constexpr std::string_view kDrmCardAttributes[] = {
    "gpu_busy_percent",    "mem_info_gtt_total",   "mem_info_gtt_used",    "mem_info_vis_vram_total",
    "mem_info_vis_vram_used", "mem_info_vram_total", "mem_info_vram_used", "mem_info_vram_vendor",
    "power_dpm_force_performance_level", "unique_id"};

// Whether a card's device/uevent names the amdgpu driver:
//   DRIVER=amdgpu
//   PCI_CLASS=30000
//   PCI_ID=1002:67DF
// procfs searches for "DRIVER=amdgpu" anywhere in the file.
[[nodiscard]] bool DrmUeventIsAmdgpu(std::string_view uevent);

// Applies one card<N>/device/<attribute> file (whitespace trimmed, as procfs'
// SysReadFile) to *stats. Numeric attributes hold one unsigned integer, e.g.
//   mem_info_vram_total: 8573157376
//   gpu_busy_percent:    5
// parsed like Go's ParseUint base 0 ("0x10" is 16); a malformed number is an
// error (node_exporter would dereference nil and crash). String attributes
// ("samsung", "auto", "ab12cd34ef56") are kept as written. Unknown names are
// ignored.
[[nodiscard]] Status ApplyDrmCardAttribute(std::string_view attribute, std::string_view content, DrmCardStats* stats);

// node_exporter's chip label from the resolved card<N>/device path, e.g.
// /sys/devices/pci0000:00/0000:00:03.1/0000:0a:00.0 gives
// "0000:00:03_1_0000:0a:00_0": the parent and device directory names, each
// lowercased with every character outside [a-z0-9:_] turned into '_' and
// '_' trimmed from both ends (hwmon's cleanMetricName), joined by '_'; just
// the device name if the parent cleans to ""; "" if the device name does.
void DrmChipName(std::string_view device_path, std::string* out);

StatusOr<std::unique_ptr<Collector>> NewDrmCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_DRM_H_
