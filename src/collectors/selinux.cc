#include "collectors/selinux.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <charconv>
#include <optional>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::MetricType kCounter = expo::MetricType::kCounter;

constexpr expo::Desc kEnabled{"node_selinux_enabled", "Whether SELinux is enabled (1) or not (0).", kGauge};
constexpr expo::Desc kConfigMode{"node_selinux_config_mode",
                                 "SELinux mode configured for boot: 1 enforcing, 0 permissive, -1 disabled.", kGauge};
constexpr expo::Desc kCurrentMode{"node_selinux_current_mode",
                                  "SELinux mode in force now: 1 enforcing, 0 permissive, -1 unknown.", kGauge};
constexpr expo::Desc kLookups{"node_selinux_avc_lookups_total", "Access vector cache lookups.", kCounter};
constexpr expo::Desc kHits{"node_selinux_avc_hits_total", "Access vector cache hits.", kCounter};
constexpr expo::Desc kMisses{"node_selinux_avc_misses_total", "Access vector cache misses.", kCounter};
constexpr expo::Desc kAllocations{"node_selinux_avc_allocations_total", "Access vector cache entry allocations.",
                                  kCounter};
constexpr expo::Desc kReclaims{"node_selinux_avc_reclaims_total", "Access vector cache entry reclaims.", kCounter};
constexpr expo::Desc kFrees{"node_selinux_avc_frees_total", "Access vector cache entry frees.", kCounter};
constexpr expo::Desc kEntries{"node_selinux_avc_hash_entries", "Entries in the access vector cache hash table.",
                              kGauge};
constexpr expo::Desc kBucketsAvailable{"node_selinux_avc_hash_buckets_available",
                                       "Buckets of the access vector cache hash table.", kGauge};
constexpr expo::Desc kBucketsUsed{"node_selinux_avc_hash_buckets_used",
                                  "Non-empty buckets of the access vector cache hash table.", kGauge};
constexpr expo::Desc kLongestChain{"node_selinux_avc_hash_longest_chain",
                                   "Longest chain in the access vector cache hash table.", kGauge};
constexpr expo::Desc kThreshold{"node_selinux_avc_threshold", "Access vector cache reclaim threshold.", kGauge};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool WritableSelinuxfs(const std::string& path) {
  struct statfs fs;
  while (::statfs(path.c_str(), &fs) != 0) {
    if (errno != EINTR && errno != EAGAIN) return false;
  }
  if (static_cast<uint32_t>(fs.f_type) != static_cast<uint32_t>(SELINUX_MAGIC)) return false;
  return (fs.f_flags & ST_RDONLY) == 0;
}

std::string FindSelinuxfs() {
  static const std::string kDefault = "/sys/fs/selinux";
  if (WritableSelinuxfs(kDefault)) return kDefault;
  std::string text;
  if (!ReadFileOnce("/proc/filesystems", &text).ok()) return "";
  if (text.find("\tselinuxfs\n") == std::string::npos) return "";
  if (!ReadFileOnce("/proc/self/mountinfo", &text).ok()) return "";
  std::string_view rest = text;
  std::string_view line;
  while (NextLine(&rest, &line)) {
    if (line.find(" - selinuxfs ") == std::string_view::npos) continue;
    // The mount point is the fifth space-separated field.
    std::string_view f = line;
    std::string_view field;
    int i = 0;
    bool found = false;
    while (i < 5) {
      size_t sp = f.find(' ');
      if (sp == std::string_view::npos) break;
      field = f.substr(0, sp);
      f.remove_prefix(sp + 1);
      if (++i == 5) found = true;
    }
    if (!found) continue;
    std::string mnt(field);
    if (WritableSelinuxfs(mnt)) return mnt;
  }
  return "";
}

// The label of this thread; "" when it cannot be read (go-selinux then
// still counts SELinux as enabled).
std::string CurrentLabel() {
  struct stat st;
  std::string path = (::stat("/proc/thread-self/attr", &st) == 0 && S_ISDIR(st.st_mode))
                         ? "/proc/thread-self/attr/current"
                         : "/proc/self/task/" + std::to_string(::gettid()) + "/attr/current";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  UniqueFd owner(fd);
  struct statfs fs;
  if (::fstatfs(fd, &fs) != 0 || static_cast<uint32_t>(fs.f_type) != static_cast<uint32_t>(PROC_SUPER_MAGIC)) {
    return "";
  }
  std::vector<char> buf;
  long n = ReadFdFromStart(fd, &buf);
  if (n < 0) return "";
  std::string label(buf.data(), static_cast<size_t>(n));
  if (!label.empty() && label.back() == '\0') label.pop_back();
  return label;
}

class SelinuxCollector : public Collector {
 public:
  SelinuxCollector(const Context& ctx, std::optional<SelinuxSystem> system)
      : system_(std::move(system)),
        cache_stats_(ctx.Sys("fs/selinux/avc/cache_stats")),
        hash_stats_(ctx.Sys("fs/selinux/avc/hash_stats")),
        threshold_(ctx.Sys("fs/selinux/avc/cache_threshold")) {}

  Status Collect(expo::MetricSet& out) override {
    if (!system_) system_ = DetectSelinux();
    if (system_->selinuxfs.empty()) {
      out.Add(kEnabled, 0);
      return Status::Ok();
    }
    if (!enforce_) enforce_.emplace(JoinPath(system_->selinuxfs, "enforce"));
    out.Add(kEnabled, 1);

    int config_mode = ReadFileOnce(system_->config_path, &config_).ok() ? ParseSelinuxConfigMode(config_) : -1;
    out.Add(kConfigMode, config_mode);
    std::string_view content;
    out.Add(kCurrentMode, enforce_->Read(&content).ok() ? ParseSelinuxEnforce(content) : -1);

    Status st = Read(cache_stats_, &content);
    if (!st.ok()) return st;
    AvcCacheStats cache;
    st = ParseAvcCacheStats(content, &cache);
    if (!st.ok()) return Status::Error(cache_stats_.path() + ": " + st.message());
    out.Add(kLookups, static_cast<double>(cache.lookups));
    out.Add(kHits, static_cast<double>(cache.hits));
    out.Add(kMisses, static_cast<double>(cache.misses));
    out.Add(kAllocations, static_cast<double>(cache.allocations));
    out.Add(kReclaims, static_cast<double>(cache.reclaims));
    out.Add(kFrees, static_cast<double>(cache.frees));

    st = Read(hash_stats_, &content);
    if (!st.ok()) return st;
    AvcHashStats hash;
    st = ParseAvcHashStats(content, &hash);
    if (!st.ok()) return Status::Error(hash_stats_.path() + ": " + st.message());
    out.Add(kEntries, static_cast<double>(hash.entries));
    out.Add(kBucketsAvailable, static_cast<double>(hash.buckets_available));
    out.Add(kBucketsUsed, static_cast<double>(hash.buckets_used));
    out.Add(kLongestChain, static_cast<double>(hash.longest_chain));

    st = Read(threshold_, &content);
    if (!st.ok()) return st;
    std::optional<uint64_t> threshold = ParseU64(TrimSpace(content));
    if (!threshold) return Status::Error(threshold_.path() + ": invalid threshold");
    out.Add(kThreshold, static_cast<double>(*threshold));
    return Status::Ok();
  }

 private:
  // With SELinux on, a missing AVC file is a real failure, not "no data".
  static Status Read(KeptOpenFile& file, std::string_view* content) {
    Status st = file.Read(content);
    if (!st.ok()) return Status::Error(st.message());
    return st;
  }

  std::optional<SelinuxSystem> system_;
  std::optional<KeptOpenFile> enforce_;
  std::string config_;
  KeptOpenFile cache_stats_;
  KeptOpenFile hash_stats_;
  KeptOpenFile threshold_;
};

}  // namespace

SelinuxSystem DetectSelinux() {
  SelinuxSystem system;
  std::string mount = FindSelinuxfs();
  if (!mount.empty() && CurrentLabel() != "kernel") system.selinuxfs = std::move(mount);
  return system;
}

int ParseSelinuxConfigMode(std::string_view config) {
  std::string_view line;
  while (NextLine(&config, &line)) {
    line = TrimSpace(line);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    std::string_view key;
    std::string_view value;
    if (!SplitOnce(line, '=', &key, &value)) continue;
    if (key != "SELINUX") continue;
    while (!value.empty() && value.front() == '"') value.remove_prefix(1);
    while (!value.empty() && value.back() == '"') value.remove_suffix(1);
    if (value == "enforcing") return 1;
    if (value == "permissive") return 0;
    return -1;
  }
  return -1;
}

int ParseSelinuxEnforce(std::string_view content) {
  if (!content.empty() && content[0] == '+') content.remove_prefix(1);
  std::optional<int64_t> v = ParseI64(content);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return -1;
  return static_cast<int>(*v);
}

Status ParseAvcCacheStats(std::string_view content, AvcCacheStats* out) {
  *out = AvcCacheStats{};
  std::string_view line;
  NextLine(&content, &line);  // Header.
  while (NextLine(&content, &line)) {
    uint64_t values[6];
    size_t n = 0;
    for (size_t i = 0; i < line.size();) {
      if (!IsDigit(line[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < line.size() && IsDigit(line[j])) ++j;
      if (n < 6) {
        std::optional<uint64_t> v = GoParseUint(line.substr(i, j - i), 0, 64);
        if (!v) return Status::Error("could not parse AVC stat value in line \"" + std::string(line) + "\"");
        values[n] = *v;
      }
      ++n;
      i = j;
    }
    if (n != 6) return Status::Error("invalid AVC stat line: \"" + std::string(line.substr(0, 200)) + "\"");
    out->lookups += values[0];
    out->hits += values[1];
    out->misses += values[2];
    out->allocations += values[3];
    out->reclaims += values[4];
    out->frees += values[5];
  }
  return Status::Ok();
}

Status ParseAvcHashStats(std::string_view content, AvcHashStats* out) {
  std::string_view lines[3];
  for (std::string_view& l : lines) {
    if (!NextLine(&content, &l)) l = {};
  }
  auto trim_prefix = [](std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix ? s.substr(prefix.size()) : s;
  };
  std::string_view entries = trim_prefix(lines[0], "entries: ");
  constexpr std::string_view kBuckets = "buckets used: ";
  size_t pos = lines[1].find(kBuckets);
  if (pos == std::string_view::npos) return Status::Error("no \"buckets used: \" in hash stats");
  std::string_view buckets = lines[1].substr(pos + kBuckets.size());
  size_t next = buckets.find(kBuckets);  // Go's Split keeps only the text up to a second separator.
  if (next != std::string_view::npos) buckets = buckets.substr(0, next);
  size_t slash = buckets.find('/');
  if (slash == std::string_view::npos) return Status::Error("no '/' in hash stats buckets line");
  std::string_view used = buckets.substr(0, slash);
  std::string_view available = buckets.substr(slash + 1);
  available = available.substr(0, available.find('/'));
  std::string_view longest = trim_prefix(lines[2], "longest chain: ");

  std::optional<uint64_t> v[4] = {GoParseUint(entries, 0, 64), GoParseUint(used, 0, 64), GoParseUint(available, 0, 64),
                                  GoParseUint(longest, 0, 64)};
  static constexpr const char* kWhat[4] = {"hash entries", "hash buckets used", "hash buckets available",
                                           "hash longest chain"};
  for (int i = 0; i < 4; ++i) {
    if (!v[i]) return Status::Error(std::string("could not parse integer value for ") + kWhat[i]);
  }
  out->entries = *v[0];
  out->buckets_used = *v[1];
  out->buckets_available = *v[2];
  out->longest_chain = *v[3];
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSelinuxCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SelinuxCollector>(ctx, std::nullopt));
}

StatusOr<std::unique_ptr<Collector>> NewSelinuxCollectorForSystem(const Context& ctx, SelinuxSystem system) {
  return std::unique_ptr<Collector>(std::make_unique<SelinuxCollector>(ctx, std::move(system)));
}

}  // namespace nodex::collectors
