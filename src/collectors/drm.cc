#include "collectors/drm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kCardInfo{"node_drm_card_info", "DRM card identity; the value is always 1.", kGauge};
constexpr expo::Desc kBusy{"node_drm_gpu_busy_percent", "GPU busy time, in percent.", kGauge};
constexpr expo::Desc kGttSize{"node_drm_memory_gtt_size_bytes", "Size of the graphics translation table, in bytes.",
                              kGauge};
constexpr expo::Desc kGttUsed{"node_drm_memory_gtt_used_bytes", "Used graphics translation table, in bytes.", kGauge};
constexpr expo::Desc kVisVramSize{"node_drm_memory_vis_vram_size_bytes", "CPU-visible VRAM, in bytes.", kGauge};
constexpr expo::Desc kVisVramUsed{"node_drm_memory_vis_vram_used_bytes", "Used CPU-visible VRAM, in bytes.", kGauge};
constexpr expo::Desc kVramSize{"node_drm_memory_vram_size_bytes", "Total VRAM, in bytes.", kGauge};
constexpr expo::Desc kVramUsed{"node_drm_memory_vram_used_bytes", "Used VRAM, in bytes.", kGauge};

// Exactly "card" plus one digit, as procfs' glob card[0-9].
bool IsCardName(const char* name) {
  return std::strncmp(name, "card", 4) == 0 && name[4] >= '0' && name[4] <= '9' && name[5] == '\0';
}

// hwmon's cleanMetricName, appended to *out.
void AppendClean(std::string_view s, std::string* out) {
  size_t start = out->size();
  for (char c : s) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == ':' || l == '_';
    out->push_back(ok ? l : '_');
  }
  size_t b = start;
  while (b < out->size() && (*out)[b] == '_') ++b;
  out->erase(start, b - start);
  while (out->size() > start && out->back() == '_') out->pop_back();
}

// One bounded read like procfs' SysReadFile; returns 0 or the errno.
int ReadAttribute(int dir_fd, const char* name, std::vector<char>* buf, std::string_view* out) {
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  buf->resize(4096);
  ssize_t n = read(fd, buf->data(), buf->size());
  int err = n < 0 ? errno : 0;
  close(fd);
  if (n < 0) return err;
  *out = std::string_view(buf->data(), static_cast<size_t>(n));
  return 0;
}

struct Card {
  std::string name;
  DrmCardStats stats;
  std::string chip;
};

class DrmCollector : public Collector {
 public:
  explicit DrmCollector(const Context& ctx) : drm_path_(ctx.Sys("class/drm")) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = ReadCards();
    if (!st.ok()) return st;
    for (size_t i = 0; i < card_count_; ++i) {
      const Card& c = cards_[i];
      const expo::Label card{"card", c.name};
      if (!c.chip.empty()) {
        out.Add(kCardInfo, 1,
                {card, {"memory_vendor", c.stats.memory_vram_vendor},
                 {"power_performance_level", c.stats.power_performance_level}, {"unique_id", c.stats.unique_id},
                 {"chip", c.chip}, {"vendor", "amd"}});
      } else {
        out.Add(kCardInfo, 1,
                {card, {"memory_vendor", c.stats.memory_vram_vendor},
                 {"power_performance_level", c.stats.power_performance_level}, {"unique_id", c.stats.unique_id},
                 {"vendor", "amd"}});
      }
      out.Add(kBusy, static_cast<double>(c.stats.gpu_busy_percent), {card});
      out.Add(kGttSize, static_cast<double>(c.stats.memory_gtt_size), {card});
      out.Add(kGttUsed, static_cast<double>(c.stats.memory_gtt_used), {card});
      out.Add(kVramSize, static_cast<double>(c.stats.memory_vram_size), {card});
      out.Add(kVramUsed, static_cast<double>(c.stats.memory_vram_used), {card});
      out.Add(kVisVramSize, static_cast<double>(c.stats.memory_vis_vram_size), {card});
      out.Add(kVisVramUsed, static_cast<double>(c.stats.memory_vis_vram_used), {card});
    }
    return Status::Ok();
  }

 private:
  // Cards come and go with hotplug and driver binding, so the directory is
  // listed on every scrape. A missing class/drm means no cards, not an error.
  Status ReadCards() {
    card_count_ = 0;
    names_.clear();
    DIR* dir = opendir(drm_path_.c_str());
    if (dir == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
      return Status::Error(drm_path_ + ": " + std::strerror(errno));
    }
    while (dirent* e = readdir(dir)) {
      if (IsCardName(e->d_name)) names_.push_back(e->d_name[4]);
    }
    closedir(dir);
    std::sort(names_.begin(), names_.end());
    for (char digit : names_) {
      Status st = ReadCard(digit);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status ReadCard(char digit) {
    char card_name[6] = {'c', 'a', 'r', 'd', digit, '\0'};
    path_.assign(drm_path_).append("/").append(card_name).append("/device");
    int fd = open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::Error(path_ + ": " + std::strerror(errno));
    std::string_view content;
    int err = ReadAttribute(fd, "uevent", &buf_, &content);
    if (err == ENODATA) {
      close(fd);
      return Status::Ok();
    }
    if (err != 0) {
      close(fd);
      return Status::Error(path_ + "/uevent: " + std::strerror(err));
    }
    if (!DrmUeventIsAmdgpu(content)) {
      close(fd);
      return Status::Ok();
    }
    if (card_count_ == cards_.size()) cards_.emplace_back();
    Card& card = cards_[card_count_];
    card.name.assign(card_name);
    card.stats = DrmCardStats{};
    char resolved[PATH_MAX];
    if (realpath(path_.c_str(), resolved) == nullptr) {
      int e = errno;
      close(fd);
      return Status::Error("resolving " + path_ + ": " + std::strerror(e));
    }
    DrmChipName(resolved, &card.chip);
    for (std::string_view attr : kDrmCardAttributes) {
      if (ReadAttribute(fd, attr.data(), &buf_, &content) != 0) continue;  // procfs skips unreadable files
      Status st = ApplyDrmCardAttribute(attr, content, &card.stats);
      if (!st.ok()) {
        close(fd);
        return Status::Error(std::string(card_name) + ": " + st.message());
      }
    }
    close(fd);
    ++card_count_;
    return Status::Ok();
  }

  std::string drm_path_;
  std::string path_;
  std::vector<char> names_;
  std::vector<char> buf_;
  std::vector<Card> cards_;  // Reused; only the first card_count_ are current.
  size_t card_count_ = 0;
};

}  // namespace

bool DrmUeventIsAmdgpu(std::string_view uevent) { return uevent.find("DRIVER=amdgpu") != std::string_view::npos; }

Status ApplyDrmCardAttribute(std::string_view attribute, std::string_view content, DrmCardStats* stats) {
  std::string_view v = TrimSpace(content);
  struct Number {
    std::string_view name;
    uint64_t DrmCardStats::*field;
  };
  static constexpr Number kNumbers[] = {
      {"gpu_busy_percent", &DrmCardStats::gpu_busy_percent},
      {"mem_info_gtt_total", &DrmCardStats::memory_gtt_size},
      {"mem_info_gtt_used", &DrmCardStats::memory_gtt_used},
      {"mem_info_vis_vram_total", &DrmCardStats::memory_vis_vram_size},
      {"mem_info_vis_vram_used", &DrmCardStats::memory_vis_vram_used},
      {"mem_info_vram_total", &DrmCardStats::memory_vram_size},
      {"mem_info_vram_used", &DrmCardStats::memory_vram_used},
  };
  for (const Number& n : kNumbers) {
    if (attribute != n.name) continue;
    std::optional<uint64_t> parsed = GoParseUint(v, 0, 64);
    if (!parsed) return Status::Error("invalid " + std::string(attribute) + " \"" + std::string(v) + "\"");
    stats->*n.field = *parsed;
    return Status::Ok();
  }
  if (attribute == "mem_info_vram_vendor") stats->memory_vram_vendor.assign(v);
  if (attribute == "power_dpm_force_performance_level") stats->power_performance_level.assign(v);
  if (attribute == "unique_id") stats->unique_id.assign(v);
  return Status::Ok();
}

void DrmChipName(std::string_view device_path, std::string* out) {
  out->clear();
  while (device_path.size() > 1 && device_path.back() == '/') device_path.remove_suffix(1);
  size_t slash = device_path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? device_path : device_path.substr(slash + 1);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : device_path.substr(0, slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  size_t pslash = prefix.rfind('/');
  std::string_view type = pslash == std::string_view::npos ? prefix : prefix.substr(pslash + 1);
  AppendClean(type, out);
  if (!out->empty()) out->push_back('_');
  size_t name_start = out->size();
  AppendClean(name, out);
  if (out->size() == name_start) out->clear();
}

StatusOr<std::unique_ptr<Collector>> NewDrmCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<DrmCollector>(ctx));
}

}  // namespace nodex::collectors
