// The filesystem collector (mirrors node_exporter 1.12.1's filesystem
// collector, collector/filesystem_common.go + filesystem_linux.go): space and
// inode usage of every mounted filesystem, from statfs(2) on each mount point
// listed in <procfs>/1/mountinfo.
//
// Families (labels device, mountpoint, fstype, device_error unless noted):
//   node_filesystem_device_error   1 if statfs failed or timed out
//   node_filesystem_readonly       1 if "ro" is in the mount or super options
//   node_filesystem_size_bytes, _free_bytes, _avail_bytes, _files, _files_free
//   node_filesystem_mount_info     1, labels device, major, minor, mountpoint
// The last six are only exported for mounts whose statfs succeeded.
// statfs runs on every scrape; the mount table is parsed and filtered again
// only when the kernel reports that it changed (base/mount_table_file.h).
//
// Hung mounts (a dead NFS server, a stuck FUSE daemon) must never hang a
// scrape, and must never make nodex grow without bound. The policy:
//   - statfs runs only on a fixed pool of --collector.filesystem.stat-workers
//     threads (default 4, at least 1), started on the first scrape and reused.
//     The scrape thread only queues work and waits with a deadline. It wakes
//     one worker, which runs the jobs one after another; a statfs still
//     running after 2 ms makes it wake one more for the jobs behind it.
//     The jobs are queued in Prepare, before the scrape runs the collectors
//     ahead of this one, so that they are usually done by Collect; the
//     collector's node_scrape_collector_duration_seconds is then only the
//     wait that is left, not the statfs calls.
//   - Each statfs gets --collector.filesystem.mount-timeout (default 5s) from
//     the moment a worker starts it. A mount that misses it is reported with
//     device_error="mountpoint timeout" (node_filesystem_device_error 1) and
//     marked stuck; its worker stays blocked in the kernel.
//   - Later scrapes report a stuck mount immediately, the same way, without
//     queueing it, until its outstanding statfs returns; then it is retried
//     normally (node_exporter's stuckMounts behaviour).
//   - A queued mount that no worker has started within mount-timeout of the
//     scrape's start (every worker busy or stuck), or that is queued while all
//     workers are stuck, is reported at once with
//     device_error="no stat worker available"; it is not marked stuck.
//   So a scrape takes at most about 2 x mount-timeout, and the collector never
//   holds more than stat-workers threads and two mountinfo fds.
// Mounts that are not statted (timeouts, no worker) report readonly 0, as
// node_exporter does for its stuck mounts.
//
// Known differences from node_exporter: a flag explicitly set to its default
// value counts as "not set" for the include/exclude exclusivity rules (nodex's
// flag table has no "was given" bit); a bad regex makes the collector fail to
// start (node_exporter panics); <procfs>/self/mountinfo is used whenever
// <procfs>/1/mountinfo cannot be read, not only when it does not exist;
// mountinfo lines longer than 64 KiB are accepted (Go's scanner fails).
#ifndef NODEX_COLLECTORS_FILESYSTEM_H_
#define NODEX_COLLECTORS_FILESYSTEM_H_

#include <sys/statfs.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kFilesystemFlags[] = {
    {"collector.filesystem.mount-points-exclude", FlagKind::kString,
     "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
     "Regular expression of mount points to leave out (cannot be combined with mount-points-include)."},
    {"collector.filesystem.mount-points-include", FlagKind::kString, "",
     "Regular expression of mount points to report; all others are left out (cannot be combined with "
     "mount-points-exclude)."},
    {"collector.filesystem.fs-types-exclude", FlagKind::kString,
     "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
     "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$",
     "Regular expression of filesystem types to leave out (cannot be combined with fs-types-include)."},
    {"collector.filesystem.fs-types-include", FlagKind::kString, "",
     "Regular expression of filesystem types to report; all others are left out (cannot be combined with "
     "fs-types-exclude)."},
    {"collector.filesystem.mount-timeout", FlagKind::kString, "5s",
     "How long one statfs may take before its mount is reported with device_error and skipped until it "
     "answers (Go duration, e.g. 500ms, 5s)."},
    {"collector.filesystem.stat-workers", FlagKind::kString, "4",
     "Number of threads that run statfs; bounds the threads a hung mount can tie up."},
    {"collector.filesystem.ignored-mount-points", FlagKind::kString, "",
     "Deprecated spelling of collector.filesystem.mount-points-exclude."},
    {"collector.filesystem.ignored-fs-types", FlagKind::kString, "",
     "Deprecated spelling of collector.filesystem.fs-types-exclude."},
};

// One line of /proc/<pid>/mountinfo (see proc(5)). Every view points into the
// parsed buffer; nothing is unescaped.
struct MountInfoEntry {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string_view root;
  std::string_view mount_point;    // Octal escapes (\040 etc.) still in place.
  std::string_view mount_options;  // Per-mount options, e.g. "rw,relatime".
  std::string_view fs_type;
  std::string_view source;
  std::string_view super_options;  // Per-superblock options.
};

// Parses /proc/<pid>/mountinfo, one mount per line:
//   27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
//   36 35 98:0 /mnt1 /mnt\040two rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue
//   41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
// Fields are separated by single spaces (like procfs' parser, which splits on
// " "): mount id, parent id, major:minor, root, mount point, mount options,
// zero or more optional fields (shared:N, master:N, propagate_from:N,
// unbindable), a "-" separator, fs type, source, super options. Spaces, tabs,
// newlines and backslashes inside fields are octal-escaped by the kernel.
// Quirks mirrored from prometheus/procfs: a line needs at least 10 fields and
// the "-" must be the 4th field from the end (so a source or super-option
// field can never hold a bare space); mount and parent ids must be integers;
// major:minor must be "<int>:<int>" (node_exporter's Sscanf check). An empty
// line is an error; an empty file is zero mounts. *out is cleared first and
// keeps its capacity.
[[nodiscard]] Status ParseMountInfo(std::string_view content, std::vector<MountInfoEntry>* out);

// node_exporter decodes only "\040" (space) and "\011" (tab) in mount points,
// as fstab(5) does; other escapes stay verbatim. Writes into *out (reused).
void DecodeMountPoint(std::string_view raw, std::string* out);

// node_exporter's rootfsStripPrefix: with --path.rootfs other than "/", a
// plain prefix cut of the rootfs string ("/host/boot" -> "/boot"; a mount
// point equal to the rootfs becomes "/"; mount points outside it are kept).
[[nodiscard]] std::string_view StripRootfsPrefix(std::string_view mount_point, std::string_view rootfs);

// True if "ro" is one of the comma-separated mount options or super options.
[[nodiscard]] bool IsReadOnlyMount(std::string_view mount_options, std::string_view super_options);

// Go's time.ParseDuration for the forms kingpin accepts ("5s", "1m30s",
// "250ms", "1.5h", "0"). Negative durations are rejected.
[[nodiscard]] StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view s);

// The text Go prints for a syscall.Errno (strerror with a lower-case first
// letter), used as the device_error label value for a failed statfs.
[[nodiscard]] std::string GoErrnoString(int err);

// The include/exclude filters, built with node_exporter's flag rules: an
// include flag given without the matching exclude flag clears the exclude
// default; both given is an error; a deprecated ignored-* flag replaces the
// exclude default and conflicts with an explicit exclude.
class FilesystemFilters {
 public:
  static StatusOr<FilesystemFilters> FromFlags(const Context& ctx);
  FilesystemFilters(FilesystemFilters&&) noexcept;
  FilesystemFilters& operator=(FilesystemFilters&&) noexcept;
  ~FilesystemFilters();

  [[nodiscard]] bool MountPointIgnored(std::string_view mount_point) const;
  [[nodiscard]] bool FsTypeIgnored(std::string_view fs_type) const;

 private:
  struct Impl;
  explicit FilesystemFilters(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// statfs(2) as the collector calls it; tests substitute a fake that fails or
// blocks. Called on worker threads only.
using StatfsFunction = std::function<int(const char* path, struct statfs* buf)>;

StatusOr<std::unique_ptr<Collector>> NewFilesystemCollector(const Context& ctx);

// As NewFilesystemCollector, with `statfs_fn` in place of statfs(2) (returns
// 0 or -1 with errno set, like the system call).
StatusOr<std::unique_ptr<Collector>> NewFilesystemCollectorWithStatfs(const Context& ctx, StatfsFunction statfs_fn);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_FILESYSTEM_H_
