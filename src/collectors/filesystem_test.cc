#include "collectors/filesystem.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/file_reader.h"
#include "base/testing/private_mount_ns.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using std::chrono::milliseconds;
using testing::ScratchTree;

std::string ReadTestdata(const std::string& rel) {
  std::string text;
  Status st = ReadFileOnce("src/collectors/testdata/filesystem/" + rel, &text);
  EXPECT_TRUE(st.ok()) << "run from the repository root: " << st.message();
  return text;
}

// ---------------------------------------------------------------- parser

TEST(ParseMountInfoTest, RealCaptureFromThisMachine) {
  std::string text = ReadTestdata("real/mountinfo");
  std::vector<MountInfoEntry> mounts;
  ASSERT_TRUE(ParseMountInfo(text, &mounts).ok());
  ASSERT_EQ(mounts.size(), 20u);
  EXPECT_EQ(mounts[0].mount_point, "/proc");
  EXPECT_EQ(mounts[0].fs_type, "proc");
  EXPECT_EQ(mounts[0].major, 0u);
  EXPECT_EQ(mounts[0].minor, 21u);
  const MountInfoEntry& root = mounts[5];
  EXPECT_EQ(root.mount_point, "/");
  EXPECT_EQ(root.major, 254u);
  EXPECT_EQ(root.minor, 0u);
  EXPECT_EQ(root.fs_type, "ext4");
  EXPECT_EQ(root.source, "/dev/vda");
  EXPECT_EQ(root.mount_options, "rw,relatime");
  EXPECT_EQ(root.super_options, "rw,discard,resv_strict,resuid=65534,resgid=65534");
  EXPECT_EQ(mounts[6].source, "model_tools_unavailable");
  EXPECT_TRUE(IsReadOnlyMount(mounts[6].mount_options, mounts[6].super_options));
}

TEST(ParseMountInfoTest, OptionalFieldsAndEscapes) {
  std::string text = ReadTestdata("hand/mountinfo");
  std::vector<MountInfoEntry> mounts;
  ASSERT_TRUE(ParseMountInfo(text, &mounts).ok());
  ASSERT_EQ(mounts.size(), 10u);
  EXPECT_EQ(mounts[2].mount_point, "/boot");  // two optional fields
  EXPECT_EQ(mounts[2].fs_type, "ext2");
  EXPECT_EQ(mounts[2].source, "/dev/sda2");
  EXPECT_EQ(mounts[3].mount_point, "/mnt/My\\040Disk");  // still escaped
  EXPECT_EQ(mounts[3].root, "/");
  EXPECT_EQ(mounts[4].root, "/sub");
  EXPECT_EQ(mounts[6].fs_type, "tmpfs");  // three optional fields
  EXPECT_EQ(mounts[6].super_options, "rw,size=1603436k,mode=700");
  EXPECT_EQ(mounts[3].major, 8u);
  EXPECT_EQ(mounts[3].minor, 3u);
}

TEST(ParseMountInfoTest, NoOptionalFieldsIsExactlyTenFields) {
  std::vector<MountInfoEntry> mounts;
  ASSERT_TRUE(ParseMountInfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw", &mounts).ok());
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].source, "/dev/sda1");
}

TEST(ParseMountInfoTest, EmptyFileIsNoMounts) {
  std::vector<MountInfoEntry> mounts(3);
  ASSERT_TRUE(ParseMountInfo("", &mounts).ok());
  EXPECT_TRUE(mounts.empty());
}

TEST(ParseMountInfoTest, CrLfLineEndingsAreAccepted) {
  std::vector<MountInfoEntry> mounts;
  ASSERT_TRUE(ParseMountInfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw\r\n", &mounts).ok());
  EXPECT_EQ(mounts[0].super_options, "rw");
}

TEST(ParseMountInfoTest, MalformedInputsFail) {
  const char* bad[] = {
      "\n",                                                // empty line
      "22 1 8:1 / / rw,relatime shared:1 - ext4",          // truncated: too few fields
      "22 1 8:1 / / rw,relatime shared:1 ext4 /dev/sda1 rw x",  // missing separator
      "22 1 8:1 / / rw - ext4 /dev/sda1 rw extra",         // separator in the wrong place
      "x 1 8:1 / / rw - ext4 /dev/sda1 rw",                // non-numeric mount id
      "22 y 8:1 / / rw - ext4 /dev/sda1 rw",               // non-numeric parent id
      "22 1 8-1 / / rw - ext4 /dev/sda1 rw",               // bad major:minor
      "22 1 a:1 / / rw - ext4 /dev/sda1 rw",
      "22 1 8: / / rw - ext4 /dev/sda1 rw",
      "22 1 99999999999:1 / / rw - ext4 /dev/sda1 rw",     // huge major
      "99999999999999999999999 1 8:1 / / rw - ext4 /dev/sda1 rw",  // huge id
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\n",           // blank line after a good one
  };
  for (const char* text : bad) {
    std::vector<MountInfoEntry> mounts;
    EXPECT_FALSE(ParseMountInfo(text, &mounts).ok()) << text;
  }
}

TEST(DecodeMountPointTest, OnlySpaceAndTabAreDecoded) {
  std::string out;
  DecodeMountPoint("/mnt/My\\040Disk", &out);
  EXPECT_EQ(out, "/mnt/My Disk");
  DecodeMountPoint("/a\\011b\\040\\040c", &out);
  EXPECT_EQ(out, "/a\tb  c");
  DecodeMountPoint("/new\\012line/back\\134slash", &out);
  EXPECT_EQ(out, "/new\\012line/back\\134slash");
  DecodeMountPoint("/trailing\\04", &out);
  EXPECT_EQ(out, "/trailing\\04");
}

TEST(StripRootfsPrefixTest, MirrorsRootfsStripPrefix) {
  EXPECT_EQ(StripRootfsPrefix("/host/boot", "/"), "/host/boot");
  EXPECT_EQ(StripRootfsPrefix("/host/boot", "/host"), "/boot");
  EXPECT_EQ(StripRootfsPrefix("/host", "/host"), "/");
  EXPECT_EQ(StripRootfsPrefix("/proc", "/host"), "/proc");
  // A plain string prefix, as in node_exporter.
  EXPECT_EQ(StripRootfsPrefix("/hostdata", "/host"), "data");
}

TEST(IsReadOnlyMountTest, MountOrSuperOptions) {
  EXPECT_TRUE(IsReadOnlyMount("ro,relatime", "rw"));
  EXPECT_TRUE(IsReadOnlyMount("rw,relatime", "ro,data=ordered"));
  EXPECT_TRUE(IsReadOnlyMount("relatime,ro", ""));
  EXPECT_FALSE(IsReadOnlyMount("rw,relatime", "rw,errors=remount-ro"));
  EXPECT_FALSE(IsReadOnlyMount("rw,proto=tcp", "rw,ro=x"));
  EXPECT_FALSE(IsReadOnlyMount("", ""));
}

TEST(ParseGoDurationTest, Forms) {
  EXPECT_EQ(ParseGoDuration("5s").value(), std::chrono::seconds(5));
  EXPECT_EQ(ParseGoDuration("1m30s").value(), std::chrono::seconds(90));
  EXPECT_EQ(ParseGoDuration("250ms").value(), milliseconds(250));
  EXPECT_EQ(ParseGoDuration("1.5h").value(), std::chrono::minutes(90));
  EXPECT_EQ(ParseGoDuration(".5s").value(), milliseconds(500));
  EXPECT_EQ(ParseGoDuration("0").value(), std::chrono::nanoseconds(0));
  EXPECT_EQ(ParseGoDuration("10us").value(), std::chrono::microseconds(10));
  for (const char* bad : {"", "5", "s", "5x", "-1s", "1.s.", "999999999999h"}) {
    EXPECT_FALSE(ParseGoDuration(bad).ok()) << bad;
  }
}

TEST(GoErrnoStringTest, MatchesGoSyscallErrno) {
  EXPECT_EQ(GoErrnoString(ENOENT), "no such file or directory");
  EXPECT_EQ(GoErrnoString(EACCES), "permission denied");
  EXPECT_EQ(GoErrnoString(EIO), "input/output error");
  EXPECT_EQ(GoErrnoString(ENOTCONN), "transport endpoint is not connected");
  EXPECT_EQ(GoErrnoString(99999), "errno 99999");
}

// ---------------------------------------------------------------- filters

struct FlagSet {
  FlagValues values;
  Context ctx;
  FlagSet() { ctx.flags = &values; }
  FlagSet& Set(std::string_view name, std::string value) {
    values.Set(name, std::move(value));
    return *this;
  }
};

TEST(FilesystemFiltersTest, Defaults) {
  Context ctx;
  auto f = FilesystemFilters::FromFlags(ctx);
  ASSERT_TRUE(f.ok()) << f.status().message();
  for (const char* mp : {"/dev", "/dev/shm", "/proc", "/sys/fs/cgroup", "/run/credentials/x.service",
                         "/var/lib/docker/overlay2/x", "/var/lib/containers/storage/overlay"}) {
    EXPECT_TRUE(f->MountPointIgnored(mp)) << mp;
  }
  for (const char* mp : {"/", "/boot", "/run", "/var/lib/docker", "/device", "/run/credentials"}) {
    EXPECT_FALSE(f->MountPointIgnored(mp)) << mp;
  }
  for (const char* t : {"cgroup", "cgroup2", "overlay", "squashfs", "erofs", "nsfs", "tracefs", "autofs"}) {
    EXPECT_TRUE(f->FsTypeIgnored(t)) << t;
  }
  for (const char* t : {"ext4", "xfs", "tmpfs", "nfs4", "fuse.sshfs", "cgroup3"}) {
    EXPECT_FALSE(f->FsTypeIgnored(t)) << t;
  }
}

TEST(FilesystemFiltersTest, IncludeAloneReplacesDefaultExclude) {
  FlagSet flags;
  flags.Set("collector.filesystem.mount-points-include", "^/(dev|boot)$")
      .Set("collector.filesystem.fs-types-include", "^ext4$");
  auto f = FilesystemFilters::FromFlags(flags.ctx);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_FALSE(f->MountPointIgnored("/dev"));  // the default exclude is gone
  EXPECT_FALSE(f->MountPointIgnored("/boot"));
  EXPECT_TRUE(f->MountPointIgnored("/"));
  EXPECT_FALSE(f->FsTypeIgnored("ext4"));
  EXPECT_TRUE(f->FsTypeIgnored("xfs"));
}

TEST(FilesystemFiltersTest, ExplicitExcludeAndIncludeConflict) {
  FlagSet flags;
  flags.Set("collector.filesystem.mount-points-exclude", "^/x").Set("collector.filesystem.mount-points-include", "^/y");
  auto f = FilesystemFilters::FromFlags(flags.ctx);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("mutually exclusive"), std::string::npos);

  FlagSet types;
  types.Set("collector.filesystem.fs-types-exclude", "^x$").Set("collector.filesystem.fs-types-include", "^y$");
  EXPECT_FALSE(FilesystemFilters::FromFlags(types.ctx).ok());
}

TEST(FilesystemFiltersTest, EmptyExcludeDisablesFiltering) {
  FlagSet flags;
  flags.Set("collector.filesystem.mount-points-exclude", "").Set("collector.filesystem.fs-types-exclude", "");
  auto f = FilesystemFilters::FromFlags(flags.ctx);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->MountPointIgnored("/proc"));
  EXPECT_FALSE(f->FsTypeIgnored("proc"));
}

TEST(FilesystemFiltersTest, DeprecatedFlags) {
  FlagSet flags;
  flags.Set("collector.filesystem.ignored-mount-points", "^/boot$").Set("collector.filesystem.ignored-fs-types", "^xfs$");
  auto f = FilesystemFilters::FromFlags(flags.ctx);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->MountPointIgnored("/boot"));
  EXPECT_FALSE(f->MountPointIgnored("/proc"));  // replaces the default
  EXPECT_TRUE(f->FsTypeIgnored("xfs"));
  EXPECT_FALSE(f->FsTypeIgnored("proc"));

  FlagSet both;
  both.Set("collector.filesystem.ignored-mount-points", "^/a").Set("collector.filesystem.mount-points-exclude", "^/b");
  EXPECT_FALSE(FilesystemFilters::FromFlags(both.ctx).ok());
}

TEST(FilesystemFiltersTest, BadRegexNamesTheFlag) {
  FlagSet flags;
  flags.Set("collector.filesystem.fs-types-include", "(");
  auto f = FilesystemFilters::FromFlags(flags.ctx);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("collector.filesystem.fs-types-include"), std::string::npos);
  auto c = NewFilesystemCollector(flags.ctx);
  EXPECT_FALSE(c.ok());
}

TEST(FilesystemFlagsTest, BadTimeoutAndWorkers) {
  FlagSet a;
  a.Set("collector.filesystem.mount-timeout", "5");
  auto c = NewFilesystemCollector(a.ctx);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("mount-timeout"), std::string::npos);
  FlagSet b;
  b.Set("collector.filesystem.stat-workers", "four");
  c = NewFilesystemCollector(b.ctx);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("stat-workers"), std::string::npos);
}

// ---------------------------------------------------------------- collector

// A statfs fake: fixed numbers per path, errno for listed paths, and paths
// that block until released.
class FakeStatfs {
 public:
  StatfsFunction Function() {
    return [this](const char* path, struct statfs* buf) { return Call(path, buf); };
  }
  void Fail(const std::string& path, int err) {
    std::lock_guard<std::mutex> l(mu_);
    errors_[path] = err;
  }
  void Succeed(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    errors_.erase(path);
  }
  void Block(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    blocked_.insert(path);
  }
  void Release(const std::string& path) {
    {
      std::lock_guard<std::mutex> l(mu_);
      blocked_.erase(path);
    }
    cv_.notify_all();
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  size_t CallsTo(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return static_cast<size_t>(std::count(calls_.begin(), calls_.end(), path));
  }
  void ClearCalls() {
    std::lock_guard<std::mutex> l(mu_);
    calls_.clear();
  }
  int InFlight() {
    std::lock_guard<std::mutex> l(mu_);
    return in_flight_;
  }
  ~FakeStatfs() {
    {
      std::lock_guard<std::mutex> l(mu_);
      blocked_.clear();
    }
    cv_.notify_all();
    // Wait for blocked callers to leave before the fake goes away.
    for (int i = 0; i < 500 && InFlight() > 0; ++i) std::this_thread::sleep_for(milliseconds(2));
  }

 private:
  int Call(const char* path, struct statfs* buf) {
    std::unique_lock<std::mutex> l(mu_);
    calls_.emplace_back(path);
    ++in_flight_;
    cv_.wait(l, [&] { return blocked_.count(path) == 0; });
    --in_flight_;
    auto it = errors_.find(path);
    if (it != errors_.end()) {
      errno = it->second;
      return -1;
    }
    std::memset(buf, 0, sizeof(*buf));
    buf->f_bsize = 4096;
    buf->f_blocks = 1000;
    buf->f_bfree = 600;
    buf->f_bavail = 500;
    buf->f_files = 100;
    buf->f_ffree = 40;
    return 0;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> errors_;
  std::set<std::string> blocked_;
  std::vector<std::string> calls_;
  int in_flight_ = 0;
};

struct Harness {
  explicit Harness(const std::string& name, const std::string& mountinfo, const char* file = "1/mountinfo")
      : tree(name) {
    tree.Write(std::string("proc/") + file, mountinfo);
    ctx.paths.procfs = tree.Path("proc");
    ctx.flags = &flags;
  }
  std::unique_ptr<Collector> Make() {
    auto c = NewFilesystemCollectorWithStatfs(ctx, fake.Function());
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c.value()) : nullptr;
  }
  ScratchTree tree;
  FlagValues flags;
  Context ctx;
  FakeStatfs fake;  // Declared last: destroyed first, releasing blocked workers.
};

TEST(FilesystemCollectorTest, ValuesLabelsAndFilters) {
  Harness h("fs_values", ReadTestdata("hand/mountinfo"));
  auto c = h.Make();
  h.fake.Fail("/data", EACCES);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  // /proc (proc) and the docker overlay are filtered out.
  EXPECT_EQ(set.Count("node_filesystem_device_error"), 7u);
  const expo::Label root[] = {{"device", "/dev/sda1"}, {"mountpoint", "/"}, {"fstype", "ext4"}, {"device_error", ""}};
  auto find = [&](std::string_view name, std::span<const expo::Label> labels) {
    return set.Find(name, {labels[0], labels[1], labels[2], labels[3]});
  };
  EXPECT_EQ(find("node_filesystem_size_bytes", root), 4096.0 * 1000);
  EXPECT_EQ(find("node_filesystem_free_bytes", root), 4096.0 * 600);
  EXPECT_EQ(find("node_filesystem_avail_bytes", root), 4096.0 * 500);
  EXPECT_EQ(find("node_filesystem_files", root), 100);
  EXPECT_EQ(find("node_filesystem_files_free", root), 40);
  EXPECT_EQ(find("node_filesystem_readonly", root), 0);
  EXPECT_EQ(find("node_filesystem_device_error", root), 0);
  EXPECT_EQ(set.Find("node_filesystem_mount_info",
                     {{"device", "/dev/sda1"}, {"major", "8"}, {"minor", "1"}, {"mountpoint", "/"}}),
            1);
  // Read-only by mount options (/boot) and by super options (/data).
  EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", "/boot"}}), 1);
  // statfs error: device_error label is Go's errno text; readonly still set.
  const expo::Label data[] = {
      {"device", "/dev/sda4"}, {"mountpoint", "/data"}, {"fstype", "ext4"}, {"device_error", "permission denied"}};
  EXPECT_EQ(find("node_filesystem_device_error", data), 1);
  EXPECT_EQ(find("node_filesystem_readonly", data), 1);
  EXPECT_TRUE(std::isnan(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/data"}})));
  EXPECT_TRUE(std::isnan(set.Find("node_filesystem_mount_info", {{"mountpoint", "/data"}})));
  // Escapes decoded.
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/mnt/My Disk"}}), 4096.0 * 1000);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/mnt/tab\tdir"}}), 4096.0 * 1000);
}

TEST(FilesystemCollectorTest, BindMountOfTheSameDeviceAndMountPointIsReportedOnce) {
  Harness h("fs_bind", ReadTestdata("hand/mountinfo"));
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  size_t bind_series = 0;
  for (const auto& s : set.samples()) {
    if (set.families()[s.family].name != "node_filesystem_size_bytes") continue;
    for (uint32_t i = 0; i < s.label_count; ++i) {
      const auto& l = set.labels()[s.label_begin + i];
      if (set.LabelName(l) == "mountpoint" && set.LabelValue(l) == "/srv/bind") ++bind_series;
    }
  }
  EXPECT_EQ(bind_series, 1u);
  EXPECT_EQ(set.Count("node_filesystem_mount_info"), 7u);
  // Two sources on one mount point are two series (node_exporter keys on
  // device too).
  Harness over("fs_over",
               "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /srv rw - ext4 /dev/sda2 rw\n"
               "3 2 8:3 / /srv rw - ext4 /dev/sda3 rw\n");
  auto c2 = over.Make();
  expo::MetricSet set2;
  ASSERT_TRUE(c2->Collect(set2).ok());
  EXPECT_EQ(set2.Count("node_filesystem_size_bytes"), 3u);
}

TEST(FilesystemCollectorTest, RootfsPrefixIsStrippedAndStatfsUsesTheRootedPath) {
  Harness h("fs_rootfs",
            "1 0 8:1 / /host rw - ext4 /dev/sda1 rw\n2 1 8:2 / /host/boot rw - ext2 /dev/sda2 rw\n"
            "3 0 0:5 / /run/nodex rw - tmpfs tmpfs rw\n");
  h.ctx.paths.rootfs = "/host";
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/"}, {"device", "/dev/sda1"}}), 4096.0 * 1000);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/boot"}}), 4096.0 * 1000);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/run/nodex"}}), 4096.0 * 1000);
  std::vector<std::string> calls = h.fake.Calls();
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"/host", "/host/boot", "/host/run/nodex"}));
}

TEST(FilesystemCollectorTest, FallsBackToSelfMountinfo) {
  Harness h("fs_fallback", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", "self/mountinfo");
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 1u);
}

TEST(FilesystemCollectorTest, MissingMountinfoFails) {
  ScratchTree tree("fs_missing");
  Context ctx;
  ctx.paths.procfs = tree.Path("proc");
  auto c = NewFilesystemCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = (*c)->Collect(set);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(FilesystemCollectorTest, MalformedMountinfoFails) {
  for (const char* text : {"garbage\n", "1 0 8:1 / / rw ext4 /dev/sda1 rw x\n", "1 0 x:y / / rw - ext4 d rw\n"}) {
    Harness h("fs_malformed", text);
    auto c = h.Make();
    expo::MetricSet set;
    EXPECT_FALSE(c->Collect(set).ok()) << text;
  }
  Harness empty("fs_empty", "");
  auto c = empty.Make();
  expo::MetricSet set;
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(FilesystemCollectorTest, RealStatfsOnThisMachine) {
  Harness h("fs_real", "1 0 8:1 / / rw - ext4 /dev/root rw\n2 1 0:9 / /nonexistent-nodex-dir rw - ext4 x rw\n");
  auto c = NewFilesystemCollector(h.ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  EXPECT_GT(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/"}}), 0);
  EXPECT_EQ(set.Find("node_filesystem_device_error",
                     {{"mountpoint", "/nonexistent-nodex-dir"}, {"device_error", "no such file or directory"}}),
            1);
}

size_t ThreadCount() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

TEST(FilesystemCollectorTest, HungMountTimesOutIsSkippedAndRecovers) {
  Harness h("fs_hang", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:50 / /mnt/hung rw - fuse.hang hang rw\n");
  h.flags.Set("collector.filesystem.mount-timeout", "200ms");
  h.fake.Block("/mnt/hung");
  auto c = h.Make();
  const expo::Label hung[] = {
      {"device", "hang"}, {"mountpoint", "/mnt/hung"}, {"fstype", "fuse.hang"}, {"device_error", "mountpoint timeout"}};
  expo::MetricSet set;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Collect(set).ok());
  auto first = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(first, milliseconds(190));
  EXPECT_LT(first, milliseconds(1200));
  EXPECT_EQ(set.Find("node_filesystem_device_error", {hung[0], hung[1], hung[2], hung[3]}), 1);
  EXPECT_EQ(set.Find("node_filesystem_readonly", {hung[0], hung[1], hung[2], hung[3]}), 0);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/"}}), 4096.0 * 1000);
  const size_t threads = ThreadCount();

  // Later scrapes skip it at once; no extra statfs, no extra threads.
  for (int i = 0; i < 20; ++i) {
    set.Clear();
    t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(150));
    EXPECT_EQ(set.Find("node_filesystem_device_error", {hung[0], hung[1], hung[2], hung[3]}), 1);
  }
  EXPECT_EQ(ThreadCount(), threads);
  size_t hung_calls = 0;
  for (const std::string& p : h.fake.Calls()) hung_calls += p == "/mnt/hung";
  EXPECT_EQ(hung_calls, 1u);

  // Once the statfs returns, the mount is statted normally again.
  h.fake.Release("/mnt/hung");
  for (int i = 0; i < 200 && h.fake.InFlight() > 0; ++i) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(20));
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_filesystem_device_error",
                     {{"mountpoint", "/mnt/hung"}, {"device_error", ""}}),
            0);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/mnt/hung"}}), 4096.0 * 1000);
}

TEST(FilesystemCollectorTest, AllWorkersStuckReportsTheRestImmediately) {
  Harness h("fs_allstuck",
            "1 0 0:50 / /mnt/a rw - nfs a rw\n2 0 0:51 / /mnt/b rw - nfs b rw\n3 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
  h.flags.Set("collector.filesystem.mount-timeout", "100ms");
  h.flags.Set("collector.filesystem.stat-workers", "1");
  h.fake.Block("/mnt/a");
  h.fake.Block("/mnt/b");
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", "/mnt/a"}, {"device_error", "mountpoint timeout"}}),
            1);
  EXPECT_EQ(set.Find("node_filesystem_device_error",
                     {{"mountpoint", "/mnt/b"}, {"device_error", "no stat worker available"}}),
            1);
  EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", "/"}, {"device_error", "no stat worker available"}}),
            1);
  // With the only worker stuck, a second scrape does not wait at all.
  set.Clear();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(50));
  EXPECT_EQ(h.fake.Calls().size(), 1u);
}

TEST(FilesystemCollectorTest, SlowQueueIsBoundedByTheScrapeDeadline) {
  // Two workers, four hung mounts: two time out, two never get a worker.
  std::string mountinfo;
  for (int i = 0; i < 4; ++i) {
    mountinfo += std::to_string(i + 1) + " 0 0:5" + std::to_string(i) + " / /mnt/h" + std::to_string(i) +
                 " rw - nfs h rw\n";
  }
  Harness h("fs_queue", mountinfo);
  h.flags.Set("collector.filesystem.mount-timeout", "100ms");
  h.flags.Set("collector.filesystem.stat-workers", "2");
  for (int i = 0; i < 4; ++i) h.fake.Block("/mnt/h" + std::to_string(i));
  auto c = h.Make();
  expo::MetricSet set;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(400));
  EXPECT_EQ(set.Count("node_filesystem_device_error"), 4u);
  EXPECT_EQ(h.fake.InFlight(), 2);
}

// Runs Collect on a thread of its own, so the test can act while a statfs
// blocks.
class BackgroundCollect {
 public:
  BackgroundCollect(Collector* c, expo::MetricSet* set) : thread_([this, c, set] { status_ = c->Collect(*set); }) {}
  Status Join() {
    thread_.join();
    return status_;
  }

 private:
  Status status_;
  std::thread thread_;
};

// Waits (up to a generous bound, never for timing) until every path in
// `paths` has been statted.
bool WaitForCalls(FakeStatfs& fake, const std::vector<std::string>& paths) {
  for (int i = 0; i < 2500; ++i) {
    bool all = true;
    for (const std::string& p : paths) all = all && fake.CallsTo(p) > 0;
    if (all) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return false;
}

TEST(FilesystemCollectorTest, SlowMountsDoNotHoldUpTheOthersAndEveryJobIsDone) {
  // One worker runs the jobs in turn; a statfs still running after the help
  // threshold (2 ms) brings in another worker for the jobs behind it, and a
  // second slow one a third. The slow mounts are released only once every
  // fast one has been statted, so a pool that ran the jobs strictly one
  // after another would never get there.
  Harness h("fs_slow",
            "1 0 0:50 / /mnt/slow1 rw - nfs s1 rw\n2 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
            "3 0 0:51 / /mnt/slow2 rw - nfs s2 rw\n4 0 8:2 / /a rw - ext4 /dev/sda2 rw\n"
            "5 0 8:3 / /b rw - ext4 /dev/sda3 rw\n6 0 8:4 / /c rw - ext4 /dev/sda4 rw\n");
  h.flags.Set("collector.filesystem.mount-timeout", "30s");
  auto c = h.Make();
  const std::vector<std::string> fast = {"/", "/a", "/b", "/c"};
  for (int scrape = 0; scrape < 3; ++scrape) {
    h.fake.ClearCalls();
    h.fake.Block("/mnt/slow1");
    h.fake.Block("/mnt/slow2");
    expo::MetricSet set;
    BackgroundCollect collect(c.get(), &set);
    EXPECT_TRUE(WaitForCalls(h.fake, fast)) << "scrape " << scrape << ": fast mounts waited for the slow ones";
    EXPECT_TRUE(WaitForCalls(h.fake, {"/mnt/slow1", "/mnt/slow2"}));
    EXPECT_EQ(h.fake.InFlight(), 2);
    h.fake.Release("/mnt/slow1");
    h.fake.Release("/mnt/slow2");
    ASSERT_TRUE(collect.Join().ok());
    // Every job done, each mount statted once, none timed out.
    EXPECT_EQ(h.fake.Calls().size(), 6u);
    EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 6u);
    for (const char* mp : {"/", "/a", "/b", "/c", "/mnt/slow1", "/mnt/slow2"}) {
      EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", mp}, {"device_error", ""}}), 0) << mp;
      EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", mp}}), 4096.0 * 1000) << mp;
    }
  }
}

TEST(FilesystemCollectorTest, SlowMountWithOneWorkerDelaysButDoesNotLoseJobs) {
  Harness h("fs_slow_one", "1 0 0:50 / /mnt/slow rw - nfs s rw\n2 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
                           "3 0 8:2 / /a rw - ext4 /dev/sda2 rw\n");
  h.flags.Set("collector.filesystem.mount-timeout", "30s");
  h.flags.Set("collector.filesystem.stat-workers", "1");
  h.fake.Block("/mnt/slow");
  auto c = h.Make();
  expo::MetricSet set;
  BackgroundCollect collect(c.get(), &set);
  EXPECT_TRUE(WaitForCalls(h.fake, {"/mnt/slow"}));
  std::this_thread::sleep_for(milliseconds(20));  // Well past the help threshold.
  EXPECT_EQ(h.fake.Calls().size(), 1u) << "the only worker is busy";
  h.fake.Release("/mnt/slow");
  ASSERT_TRUE(collect.Join().ok());
  EXPECT_EQ(h.fake.Calls().size(), 3u);
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 3u);
}

TEST(FilesystemCollectorTest, PrepareStartsTheStatfsCallsBeforeCollect) {
  Harness h("fs_prepare", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /a rw - ext4 /dev/sda2 rw\n");
  auto c = h.Make();
  for (int scrape = 0; scrape < 3; ++scrape) {
    h.fake.ClearCalls();
    c->Prepare();
    // The workers stat both mounts with no Collect running.
    EXPECT_TRUE(WaitForCalls(h.fake, {"/", "/a"})) << "scrape " << scrape;
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(h.fake.Calls().size(), 2u) << "Collect reuses Prepare's results";
    EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/a"}}), 4096.0 * 1000);
  }
  // Prepare twice before one Collect: the first round is resolved and
  // dropped, the second one's results are reported.
  h.fake.ClearCalls();
  c->Prepare();
  h.fake.Fail("/a", EACCES);
  ASSERT_TRUE(WaitForCalls(h.fake, {"/", "/a"}));
  c->Prepare();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(h.fake.Calls().size(), 4u);
  EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", "/a"}, {"device_error", "permission denied"}}), 1);
  // A Collect without Prepare still stats everything itself.
  h.fake.ClearCalls();
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(h.fake.Calls().size(), 2u);
}

TEST(FilesystemCollectorTest, PreparedHungMountStillTimesOut) {
  Harness h("fs_prepare_hang", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:50 / /mnt/hung rw - fuse.hang hang rw\n");
  h.flags.Set("collector.filesystem.mount-timeout", "200ms");
  h.fake.Block("/mnt/hung");
  auto c = h.Make();
  c->Prepare();
  expo::MetricSet set;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1200));
  EXPECT_EQ(
      set.Find("node_filesystem_device_error", {{"mountpoint", "/mnt/hung"}, {"device_error", "mountpoint timeout"}}),
      1);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/"}}), 4096.0 * 1000);
}

// A failed mount table read in Prepare is Collect's failure.
TEST(FilesystemCollectorTest, PrepareWithABrokenMountTableFailsCollect) {
  Harness h("fs_prepare_bad", "garbage\n");
  auto c = h.Make();
  c->Prepare();
  expo::MetricSet set;
  EXPECT_FALSE(c->Collect(set).ok());
}

TEST(FilesystemCollectorTest, ManyFastMountsOverManyScrapes) {
  std::string mountinfo;
  for (int i = 0; i < 40; ++i) {
    mountinfo += std::to_string(i + 1) + " 0 8:" + std::to_string(i) + " / /m" + std::to_string(i) + " rw - ext4 d" +
                 std::to_string(i) + " rw\n";
  }
  Harness h("fs_many", mountinfo);
  h.fake.Fail("/m7", ENOENT);
  auto c = h.Make();
  for (int scrape = 0; scrape < 50; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Count("node_filesystem_device_error"), 40u);
    EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 39u);
    EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", "/m7"}, {"device_error", "no such file or directory"}}),
              1);
  }
  EXPECT_EQ(h.fake.Calls().size(), 50u * 40u);
}

// ------------------------------------------------------ mount table reuse

TEST(FilesystemCollectorTest, FixtureChangesAreSeenOnTheNextScrape) {
  // A regular file gives no change reports, so it is parsed every scrape.
  Harness h("fs_fixture_change", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 1u);
  h.tree.Write("proc/1/mountinfo", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /srv ro - xfs /dev/sdb rw\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 2u);
  EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", "/srv"}, {"fstype", "xfs"}}), 1);
  h.tree.Write("proc/1/mountinfo", "garbage\n");
  set.Clear();
  EXPECT_FALSE(c->Collect(set).ok());
  h.tree.Write("proc/1/mountinfo", "2 1 8:2 / /srv rw - xfs /dev/sdb rw\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 1u);
  EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", "/srv"}}), 0);
  EXPECT_TRUE(std::isnan(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/"}})));
}

TEST(FilesystemCollectorTest, FallbackIsParsedEveryTimeAndPrimaryTakesOverWhenReadable) {
  Harness h("fs_fallback_switch", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", "self/mountinfo");
  auto c = h.Make();
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 1u);
  h.tree.Write("proc/self/mountinfo", "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /a rw - ext4 /dev/sda2 rw\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 2u);
  h.tree.Write("proc/1/mountinfo", "3 1 8:3 / /b rw - ext4 /dev/sda3 rw\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 1u);
  EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", "/b"}}), 4096.0 * 1000);
}

using nodex::testing::RunInPrivateMountNamespace;

TEST(FilesystemCollectorTest, RealMountTableIsReusedUntilItChanges) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs in a private mount namespace";
  ScratchTree tree("fs_real_table");
  tree.MakeDir("proc/1");
  tree.MakeDir("m1");
  tree.MakeDir("m2");
  ASSERT_EQ(::symlink("/proc/thread-self/mountinfo", tree.Path("proc/1/mountinfo").c_str()), 0) << strerror(errno);
  const std::string m1 = tree.Path("m1"), m2 = tree.Path("m2");
  FlagValues flags;
  flags.Set("collector.filesystem.mount-points-include", "^" + tree.root() + "/");
  Context ctx;
  ctx.paths.procfs = tree.Path("proc");
  ctx.flags = &flags;
  std::string why;
  const bool ran = RunInPrivateMountNamespace(
      [&] {
        FakeStatfs fake;
        auto made = NewFilesystemCollectorWithStatfs(ctx, fake.Function());
        ASSERT_TRUE(made.ok()) << made.status().message();
        std::unique_ptr<Collector> c = std::move(made.value());
        auto scrape = [&](expo::MetricSet* set) {
          set->Clear();
          Status st = c->Collect(*set);
          EXPECT_TRUE(st.ok()) << st.message();
        };
        expo::MetricSet set;
        scrape(&set);
        EXPECT_EQ(set.Count("node_filesystem_device_error"), 0u);

        ASSERT_EQ(::mount("nodex-m1", m1.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
        scrape(&set);
        EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", m1}, {"device", "nodex-m1"}}), 4096.0 * 1000);
        EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", m1}}), 0);

        // The table is reused; this scrape's statfs results are not.
        fake.Fail(m1, EACCES);
        scrape(&set);
        EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", m1}, {"device_error", "permission denied"}}),
                  1);
        EXPECT_TRUE(std::isnan(set.Find("node_filesystem_size_bytes", {{"mountpoint", m1}})));
        fake.Succeed(m1);
        scrape(&set);
        EXPECT_EQ(set.Find("node_filesystem_device_error", {{"mountpoint", m1}, {"device_error", ""}}), 0);
        EXPECT_EQ(set.Count("node_filesystem_device_error"), 1u);
        EXPECT_EQ(fake.CallsTo(m1), 3u);

        // A second mount, a read-only remount and an overmount by the same
        // device (reported once) are all seen on the next scrape.
        ASSERT_EQ(::mount("nodex-m2", m2.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
        ASSERT_EQ(::mount(nullptr, m1.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0) << strerror(errno);
        ASSERT_EQ(::mount(m2.c_str(), m2.c_str(), nullptr, MS_BIND, nullptr), 0) << strerror(errno);
        scrape(&set);
        EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", m1}}), 1);
        EXPECT_EQ(set.Find("node_filesystem_size_bytes", {{"mountpoint", m2}}), 4096.0 * 1000);
        EXPECT_EQ(set.Count("node_filesystem_size_bytes"), 2u);
        EXPECT_EQ(set.Count("node_filesystem_mount_info"), 2u);

        ASSERT_EQ(::umount2(m2.c_str(), MNT_DETACH), 0) << strerror(errno);
        ASSERT_EQ(::umount2(m2.c_str(), MNT_DETACH), 0) << strerror(errno);
        ASSERT_EQ(::umount2(m1.c_str(), MNT_DETACH), 0) << strerror(errno);
        scrape(&set);
        EXPECT_EQ(set.Count("node_filesystem_device_error"), 0u);
        c.reset();
      },
      &why);
  if (!ran) GTEST_SKIP() << "no private mount namespace: " << why;
}

// ---------------------------------------------------------------- kit

// The kit's e2e run disables filesystem, so there is no expected output to
// diff against. Instead: node_exporter's TestMountPointDetails expectations
// for the same fixture (collector/fixtures/proc/1/mountinfo), and the
// defaults applied to it.
TEST(FilesystemKitTest, MountPointDetailsLikeNodeExporter) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  Logger log;
  FlagValues flags;
  flags.Set("collector.filesystem.mount-points-exclude", "");
  flags.Set("collector.filesystem.fs-types-exclude", "");
  Context ctx = testing::KitContext(&flags, &log);
  FakeStatfs fake;
  auto c = NewFilesystemCollectorWithStatfs(ctx, fake.Function());
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  std::set<std::string> mount_points;
  for (const auto& s : set.samples()) {
    if (set.families()[s.family].name != "node_filesystem_device_error") continue;
    for (uint32_t i = 0; i < s.label_count; ++i) {
      const auto& l = set.labels()[s.label_begin + i];
      if (set.LabelName(l) == "mountpoint") mount_points.emplace(set.LabelValue(l));
    }
  }
  const std::string vmdk =
      "bafb9e5a-8856-7e6c-699c-801844e77a4a/kubernetes-dynamic-pvc-3eba5bba-48a3-11e8-89ab-005056b92113.vmdk";
  const std::set<std::string> expected = {
      "/",
      "/sys",
      "/proc",
      "/dev",
      "/dev/pts",
      "/run",
      "/sys/kernel/security",
      "/dev/shm",
      "/run/lock",
      "/sys/fs/cgroup",
      "/sys/fs/cgroup/systemd",
      "/sys/fs/pstore",
      "/sys/fs/cgroup/cpuset",
      "/sys/fs/cgroup/cpu,cpuacct",
      "/sys/fs/cgroup/devices",
      "/sys/fs/cgroup/freezer",
      "/sys/fs/cgroup/net_cls,net_prio",
      "/sys/fs/cgroup/blkio",
      "/sys/fs/cgroup/perf_event",
      "/proc/sys/fs/binfmt_misc",
      "/dev/mqueue",
      "/sys/kernel/debug",
      "/dev/hugepages",
      "/sys/fs/fuse/connections",
      "/boot",
      "/run/rpc_pipefs",
      "/run/user/1000",
      "/run/user/1000/gvfs",
      "/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore] " + vmdk,
      "/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore]\t" + vmdk,
      "/var/lib/containers/storage/overlay",
  };
  EXPECT_EQ(mount_points, expected);
  // statfs goes to --path.rootfs joined with the mount point.
  std::vector<std::string> calls = fake.Calls();
  EXPECT_NE(std::find(calls.begin(), calls.end(), "collector/fixtures/boot"), calls.end());
  // /sys/fs/cgroup is mounted "ro".
  EXPECT_EQ(set.Find("node_filesystem_readonly", {{"mountpoint", "/sys/fs/cgroup"}}), 1);
  EXPECT_EQ(set.Find("node_filesystem_mount_info",
                     {{"device", "/dev/sda3"}, {"major", "260"}, {"minor", "3"}, {"mountpoint", "/boot"}}),
            1);

  // With node_exporter's defaults, only these remain.
  FlagValues defaults;
  Context ctx2 = testing::KitContext(&defaults, &log);
  FakeStatfs fake2;
  auto c2 = NewFilesystemCollectorWithStatfs(ctx2, fake2.Function());
  ASSERT_TRUE(c2.ok());
  expo::MetricSet set2;
  ASSERT_TRUE((*c2)->Collect(set2).ok());
  std::vector<std::string> calls2 = fake2.Calls();
  std::set<std::string> statted(calls2.begin(), calls2.end());
  const std::set<std::string> expected_default = {
      "collector/fixtures",
      "collector/fixtures/run",
      "collector/fixtures/run/lock",
      "collector/fixtures/boot",
      "collector/fixtures/run/user/1000",
      "collector/fixtures/run/user/1000/gvfs",
      "collector/fixtures/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore] " + vmdk,
      "collector/fixtures/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore]\t" + vmdk,
  };
  EXPECT_EQ(statted, expected_default);
  // The kit's expected output has no filesystem families (the e2e flags pass
  // --no-collector.filesystem), and nodex agrees on that list being empty.
  EXPECT_TRUE(testing::ExpectedLines(kit, {"node_filesystem_size_bytes"}).empty());
}

}  // namespace
}  // namespace nodex::collectors
