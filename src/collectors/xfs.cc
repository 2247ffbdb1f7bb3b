#include "collectors/xfs.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::MetricType;

struct XfsMetric {
  expo::Desc desc;
  double (*value)(const XfsStats&);
};

#define NODEX_XFS(name, help, expr) \
  XfsMetric { {"node_xfs_" name, help, MetricType::kCounter}, [](const XfsStats& s) -> double { return expr; } }

const XfsMetric kXfsMetrics[] = {
    NODEX_XFS("extent_allocation_extents_allocated_total", "XFS extents allocated.", s.extent_alloc[0]),
    NODEX_XFS("extent_allocation_blocks_allocated_total", "XFS blocks allocated.", s.extent_alloc[1]),
    NODEX_XFS("extent_allocation_extents_freed_total", "XFS extents freed.", s.extent_alloc[2]),
    NODEX_XFS("extent_allocation_blocks_freed_total", "XFS blocks freed.", s.extent_alloc[3]),
    NODEX_XFS("allocation_btree_lookups_total", "XFS allocation B-tree lookups.", s.abt[0]),
    NODEX_XFS("allocation_btree_compares_total", "XFS allocation B-tree compares.", s.abt[1]),
    NODEX_XFS("allocation_btree_records_inserted_total", "XFS allocation B-tree record insertions.", s.abt[2]),
    NODEX_XFS("allocation_btree_records_deleted_total", "XFS allocation B-tree record deletions.", s.abt[3]),
    NODEX_XFS("block_mapping_reads_total", "XFS block map operations for reads.", s.blk_map[0]),
    NODEX_XFS("block_mapping_writes_total", "XFS block map operations for writes.", s.blk_map[1]),
    NODEX_XFS("block_mapping_unmaps_total", "XFS block unmaps (deletes).", s.blk_map[2]),
    NODEX_XFS("block_mapping_extent_list_insertions_total", "XFS extent list insertions.", s.blk_map[3]),
    NODEX_XFS("block_mapping_extent_list_deletions_total", "XFS extent list deletions.", s.blk_map[4]),
    NODEX_XFS("block_mapping_extent_list_lookups_total", "XFS extent list lookups.", s.blk_map[5]),
    NODEX_XFS("block_mapping_extent_list_compares_total", "XFS extent list compares.", s.blk_map[6]),
    NODEX_XFS("block_map_btree_lookups_total", "XFS block map B-tree lookups.", s.bmbt[0]),
    NODEX_XFS("block_map_btree_compares_total", "XFS block map B-tree compares.", s.bmbt[1]),
    NODEX_XFS("block_map_btree_records_inserted_total", "XFS block map B-tree record insertions.", s.bmbt[2]),
    NODEX_XFS("block_map_btree_records_deleted_total", "XFS block map B-tree record deletions.", s.bmbt[3]),
    NODEX_XFS("directory_operation_lookup_total", "XFS directory lookups that missed the dentry cache.", s.dir[0]),
    NODEX_XFS("directory_operation_create_total", "XFS directory entries created.", s.dir[1]),
    NODEX_XFS("directory_operation_remove_total", "XFS directory entries removed.", s.dir[2]),
    NODEX_XFS("directory_operation_getdents_total", "XFS getdents operations.", s.dir[3]),
    NODEX_XFS("inode_operation_attempts_total", "XFS inode cache lookup attempts.", s.ig[0]),
    NODEX_XFS("inode_operation_found_total", "XFS inode cache lookups that found the inode.", s.ig[1]),
    NODEX_XFS("inode_operation_recycled_total", "XFS inodes found in the cache while being recycled.", s.ig[2]),
    NODEX_XFS("inode_operation_missed_total", "XFS inode cache lookups that missed.", s.ig[3]),
    NODEX_XFS("inode_operation_duplicates_total", "XFS inodes inserted that another thread had added.", s.ig[4]),
    NODEX_XFS("inode_operation_reclaims_total", "XFS inodes reclaimed.", s.ig[5]),
    NODEX_XFS("inode_operation_attribute_changes_total", "XFS inode attribute changes.", s.ig[6]),
    NODEX_XFS("read_calls_total", "read(2) calls on XFS files.", s.rw[1]),
    NODEX_XFS("write_calls_total", "write(2) calls on XFS files.", s.rw[0]),
    NODEX_XFS("vnode_active_total", "XFS vnodes not on free lists.", s.vnodes[0]),
    NODEX_XFS("vnode_allocate_total", "XFS vnode allocations.", s.vnodes[1]),
    NODEX_XFS("vnode_get_total", "XFS vnode gets.", s.vnodes[2]),
    NODEX_XFS("vnode_hold_total", "XFS vnode holds.", s.vnodes[3]),
    NODEX_XFS("vnode_release_total", "XFS vnode releases.", s.vnodes[4]),
    NODEX_XFS("vnode_reclaim_total", "XFS vnode reclaims.", s.vnodes[5]),
    NODEX_XFS("vnode_remove_total", "XFS vnode removals.", s.vnodes[6]),
};

#undef NODEX_XFS

// Parses values[] into out[]; `count` must equal `want` (or `alt`, if set).
Status FillU32(std::string_view label, const std::string_view* values, size_t count, uint32_t* out, size_t want,
               size_t alt = 0) {
  if (count != want && (alt == 0 || count != alt)) {
    return Status::Error("incorrect number of values for XFS " + std::string(label) + " stats: " +
                         std::to_string(count));
  }
  for (size_t i = 0; i < count; ++i) out[i] = 0;
  for (size_t i = 0; i < count; ++i) {
    std::optional<uint32_t> v = ParseInt<uint32_t>(values[i]);
    if (!v) return Status::Error("invalid XFS " + std::string(label) + " value '" + std::string(values[i]) + "'");
    out[i] = *v;
  }
  return Status::Ok();
}

class XfsCollector : public Collector {
 public:
  explicit XfsCollector(const Context& ctx) : dir_(ctx.Sys("fs/xfs")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    // No /sys/fs/xfs (module not loaded, or a kernel before 4.4) is not an
    // error: node_exporter's glob simply matches nothing.
    if (sysfs::ListDir(dir_, &entries_, &count) != 0) count = 0;
    size_t used = 0;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = entries_[i].name;
      path_.assign(dir_).append("/").append(name).append("/stats/stats");
      if (access(path_.c_str(), F_OK) != 0) continue;  // Not a filesystem directory (e.g. the global "stats").
      Device& dev = DeviceFor(name, used++);
      std::string_view content;
      Status st = dev.file.Read(&content);
      if (!st.ok()) return Status::Error("failed to retrieve XFS stats: " + st.message());
      dev.stats = XfsStats();
      st = ParseXfsStats(content, &dev.stats);
      if (!st.ok()) return Status::Error("failed to retrieve XFS stats: " + dev.file.path() + ": " + st.message());
    }
    devices_.resize(used);  // Closes fds of filesystems that went away.
    for (const Device& dev : devices_) {
      for (const XfsMetric& m : kXfsMetrics) out.Add(m.desc, m.value(dev.stats), {{"device", dev.name}});
    }
    return Status::Ok();
  }

 private:
  struct Device {
    std::string name;
    KeptOpenFile file;
    XfsStats stats;
  };

  // The kept-open file for `name` at position `slot`, reusing the one from
  // the previous scrape when the set of filesystems did not change.
  Device& DeviceFor(const std::string& name, size_t slot) {
    auto it = std::find_if(devices_.begin() + static_cast<std::ptrdiff_t>(slot), devices_.end(),
                           [&](const Device& d) { return d.name == name; });
    if (it == devices_.end()) {
      Device d;
      d.name = name;
      d.file = KeptOpenFile(path_);
      it = devices_.insert(devices_.begin() + static_cast<std::ptrdiff_t>(slot), std::move(d));
    } else if (it != devices_.begin() + static_cast<std::ptrdiff_t>(slot)) {
      std::rotate(devices_.begin() + static_cast<std::ptrdiff_t>(slot), it, it + 1);
    }
    return devices_[slot];
  }

  std::string dir_;
  std::string path_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<Device> devices_;
};

}  // namespace

Status ParseXfsStats(std::string_view content, XfsStats* out) {
  std::string_view line;
  while (NextLine(&content, &line)) {
    constexpr size_t kMaxValues = 32;
    std::string_view fields[kMaxValues + 1];
    size_t n = SplitFields(line, fields, kMaxValues + 1);
    if (n < 2) continue;
    std::string_view label = fields[0];
    size_t count = n - 1;  // May exceed kMaxValues: FillU32 then rejects the count.
    const std::string_view* values = fields + 1;
    if (label == "xpc") {
      if (count != 3) {
        return Status::Error("incorrect number of values for XFS extended precision stats: " +
                             std::to_string(count));
      }
      for (size_t i = 0; i < 3; ++i) {
        std::optional<uint64_t> v = ParseU64(values[i]);
        if (!v) return Status::Error("invalid XFS xpc value '" + std::string(values[i]) + "'");
        out->xpc[i] = *v;
      }
      continue;
    }
    Status st;
    if (label == "extent_alloc") {
      st = FillU32(label, values, count, out->extent_alloc, 4);
    } else if (label == "abt") {
      st = FillU32(label, values, count, out->abt, 4);
    } else if (label == "blk_map") {
      st = FillU32(label, values, count, out->blk_map, 7);
    } else if (label == "bmbt") {
      st = FillU32(label, values, count, out->bmbt, 4);
    } else if (label == "dir") {
      st = FillU32(label, values, count, out->dir, 4);
    } else if (label == "trans") {
      st = FillU32(label, values, count, out->trans, 3);
    } else if (label == "ig") {
      st = FillU32(label, values, count, out->ig, 7);
    } else if (label == "log") {
      st = FillU32(label, values, count, out->log, 5);
    } else if (label == "rw") {
      st = FillU32(label, values, count, out->rw, 2);
    } else if (label == "attr") {
      st = FillU32(label, values, count, out->attr, 4);
    } else if (label == "icluster") {
      st = FillU32(label, values, count, out->icluster, 3);
    } else if (label == "vnodes") {
      st = FillU32(label, values, count, out->vnodes, 7, 8);
    } else if (label == "buf") {
      st = FillU32(label, values, count, out->buf, 9);
    } else {
      // Unused lines are still validated, as procfs does; they may be long.
      std::string_view rest = line, value;
      NextField(&rest, &value);  // The label.
      while (NextField(&rest, &value)) {
        if (!ParseInt<uint32_t>(value)) {
          return Status::Error("invalid XFS " + std::string(label) + " value '" + std::string(value) + "'");
        }
      }
    }
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewXfsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<XfsCollector>(ctx));
}

}  // namespace nodex::collectors
