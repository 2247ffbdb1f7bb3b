// Small helpers for collectors that read many sysfs attribute files (hwmon,
// thermal_zone, rapl, powersupplyclass, watchdog, dmi, edac). Header-only so
// it needs no build change; owned by those collectors.
//
// Sysfs attributes are read the way procfs' util.SysReadFile does: one bounded
// read(2), no retry on EAGAIN (some hwmon drivers return it forever), then the
// caller trims. Attribute fds are kept open across scrapes in an AttrFiles
// cache and re-read from offset 0 with pread, which makes the kernel call the
// attribute's show() again. Directories whose contents can change (devices
// come and go) are listed again on every scrape; fds of files that disappear
// are closed by Sweep().
#ifndef NODEX_COLLECTORS_SYSFS_ATTRS_H_
#define NODEX_COLLECTORS_SYSFS_ATTRS_H_

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/file_reader.h"
#include "base/utf8.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors::sysfs {

// procfs' SysReadFile reads at most this many bytes; longer attributes are
// cut, and matching node_exporter means cutting them the same way.
inline constexpr size_t kSysReadFileSize = 128;
// The kernel never returns more than a page for one sysfs attribute.
inline constexpr size_t kAttrPageSize = 4096;

// Go's strings.Trim(s, "\n").
inline std::string_view TrimNewlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

// Go's strconv.ParseInt(s, 0, 64): optional sign, then 0x/0o/0b prefixes or
// a leading 0 for octal. Underscores (allowed by Go with base 0) are rejected:
// the kernel never prints them.
[[nodiscard]] inline std::optional<int64_t> ParseGoInt(std::string_view s) { return GoParseInt(s, 0, 64); }

// Go's strconv.ParseInt(s, 10, 64).
[[nodiscard]] inline std::optional<int64_t> ParseGoDecimalInt(std::string_view s) { return GoParseInt(s, 10, 64); }

// Go's strconv.ParseUint(s, 10, 64).
[[nodiscard]] inline std::optional<uint64_t> ParseGoUint(std::string_view s) { return GoParseUint(s, 10, 64); }

// Go's strconv.ParseFloat(s, 64) for what sysfs can contain: decimal and
// exponent forms with an optional sign, and the Inf/NaN spellings. Values out
// of range fail, as in Go. Hex floats and underscores are not accepted.
[[nodiscard]] inline std::optional<double> ParseGoFloat(std::string_view s) {
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if ((a[i] | 0x20) != b[i]) return false;
    }
    return true;
  };
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    return negative ? -__builtin_inf() : __builtin_inf();
  }
  if (iequals(body, "nan")) return __builtin_nan("");
  if (body.empty() || body.front() == '+' || body.front() == '-') return std::nullopt;
  if (body.size() >= 2 && body[0] == '0' && (body[1] | 0x20) == 'x') return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (ec != std::errc() || ptr != body.data() + body.size()) return std::nullopt;
  return negative ? -v : v;
}

// Go's strings.ToValidUTF8(s, "\uFFFD"): each run of invalid bytes becomes
// one U+FFFD. Appends to *out.
inline void AppendValidUtf8(std::string_view s, std::string* out) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  bool in_invalid = false;
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      if (!in_invalid) out->append(kReplacement);
      in_invalid = true;
      ++i;
      continue;
    }
    in_invalid = false;
    out->append(s.substr(i, len));
    i += len;
  }
}

// Reads one file with a single bounded read(2): *out views buf. Returns 0 or
// an errno value (ENOENT for a missing file).
inline int ReadOnce(int fd, char* buf, size_t cap, std::string_view* out) {
  ssize_t n = pread(fd, buf, cap, 0);
  if (n < 0) return errno;
  *out = std::string_view(buf, static_cast<size_t>(n));
  return 0;
}

// Opens, reads once (at most `cap` bytes) and closes. Returns 0 or errno.
inline int ReadFileOnceBounded(const std::string& path, char* buf, size_t cap, std::string_view* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = ReadOnce(fd, buf, cap, out);
  close(fd);
  return err;
}

// A cache of kept-open attribute fds keyed by path.
//
// Kept-open fds are a process-wide budget shared by every AttrFiles: a node
// with hundreds of disks, interfaces or hwmon sensors has thousands of
// attributes, and one fd each would exhaust RLIMIT_NOFILE. Once the budget is
// spent, further attributes are read with open/read/close: slower, never
// failing for lack of fds.
class AttrFiles {
 public:
  static constexpr size_t kKeptOpenBudget = 512;

  AttrFiles() = default;
  AttrFiles(const AttrFiles&) = delete;
  AttrFiles& operator=(const AttrFiles&) = delete;
  ~AttrFiles() { kept_open_.fetch_sub(files_.size(), std::memory_order_relaxed); }

  // Reads at most `cap` (<= kAttrPageSize) bytes of the attribute at `path`
  // from offset 0 with one read. *out views an internal buffer valid until the
  // next Read. Returns 0 or errno. A stale fd (device removed and re-added:
  // kernfs answers ENODEV for a removed node) is reopened once. Other read
  // errors keep the fd: attributes such as a down interface's `carrier` or
  // `speed` fail with EINVAL on every read, and reopening them each scrape
  // was an open and a close per attribute for the same answer.
  int Read(std::string_view path, size_t cap, std::string_view* out) { return ReadAt(path, -1, {}, cap, out); }

  // Read, but a file not kept open is opened as `name` relative to `dir_fd`
  // (an O_PATH or O_RDONLY fd of path's directory) when dir_fd >= 0. `path`
  // still keys the cache. On nodes with thousands of attributes past the fd
  // budget, each open otherwise walks the whole path again, through the
  // /sys/class symlink: the lookups, not the reads, were most of the cost.
  int ReadAt(std::string_view path, int dir_fd, std::string_view name, size_t cap, std::string_view* out) {
    if (cap > kAttrPageSize) cap = kAttrPageSize;
    last_error_was_open_ = false;
    auto it = files_.find(path);
    if (it != files_.end()) {
      it->second.generation = generation_;
      int err = ReadOnce(it->second.fd.get(), buffer_, cap, out);
      if (err != ENODEV) return err;
      Erase(it);
    }
    path_.assign(path);
    int fd;
    if (dir_fd >= 0) {
      name_.assign(name);
      fd = openat(dir_fd, name_.c_str(), O_RDONLY | O_CLOEXEC);
    } else {
      fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
      last_error_was_open_ = true;
      return errno;
    }
    if (kept_open_.fetch_add(1, std::memory_order_relaxed) >= kKeptOpenBudget) {
      kept_open_.fetch_sub(1, std::memory_order_relaxed);
      int err = ReadOnce(fd, buffer_, cap, out);
      close(fd);
      return err;
    }
    Entry& e = files_[path_];
    e.fd.reset(fd);
    e.generation = generation_;
    return ReadOnce(fd, buffer_, cap, out);
  }

  // Closes fds not read since the previous Sweep: their files are gone or no
  // longer interesting. Call once per scrape, after all reads.
  void Sweep() {
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->second.generation != generation_) {
        it = Erase(it);
      } else {
        ++it;
      }
    }
    ++generation_;
  }

  size_t open_count() const { return files_.size(); }
  // Whether the last failed Read failed to open the file (Go's *PathError)
  // rather than to read it (a bare errno).
  bool last_error_was_open() const { return last_error_was_open_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    UniqueFd fd;
    uint64_t generation = 0;
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;
  Map::iterator Erase(Map::iterator it) {
    kept_open_.fetch_sub(1, std::memory_order_relaxed);
    return files_.erase(it);
  }

  static inline std::atomic<size_t> kept_open_{0};
  Map files_;
  std::string path_, name_;
  uint64_t generation_ = 1;
  bool last_error_was_open_ = false;
  char buffer_[kAttrPageSize];
};

// One directory entry: its name and whether it is (or links to) a directory.
struct DirEntry {
  std::string name;
  unsigned char type = DT_UNKNOWN;  // d_type as returned by readdir.
};

// Lists `dir` (without "." and ".."), sorted by name like Go's os.ReadDir,
// into *out, reusing its strings. Returns 0 or errno.
inline int ListDir(const std::string& dir, std::vector<DirEntry>* out, size_t* count) {
  *count = 0;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return errno;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (*count == out->size()) out->emplace_back();
    DirEntry& slot = (*out)[*count];
    slot.name.assign(name);
    slot.type = e->d_type;
    ++*count;
  }
  closedir(d);
  std::sort(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(*count),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return 0;
}

// Whether `name` matches Go's filepath.Glob pattern "<prefix>[0-9]*":
// the prefix, then at least one digit, then anything.
inline bool MatchesDigitGlob(std::string_view name, std::string_view prefix) {
  return name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
         name[prefix.size()] >= '0' && name[prefix.size()] <= '9';
}

// stat(2) after following symlinks: true for a directory.
inline bool IsDirFollow(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace nodex::collectors::sysfs

#endif  // NODEX_COLLECTORS_SYSFS_ATTRS_H_
