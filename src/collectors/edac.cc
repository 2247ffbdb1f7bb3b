#include "collectors/edac.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kCounter = expo::MetricType::kCounter;
constexpr expo::Desc kCe{"node_edac_correctable_errors_total",
                         "Correctable memory errors reported by the memory controller.", kCounter};
constexpr expo::Desc kUe{"node_edac_uncorrectable_errors_total",
                         "Uncorrectable memory errors reported by the memory controller.", kCounter};
constexpr expo::Desc kCsrowCe{"node_edac_csrow_correctable_errors_total",
                              "Correctable memory errors per chip-select row (csrow=\"unknown\": not attributable).",
                              kCounter};
constexpr expo::Desc kCsrowUe{"node_edac_csrow_uncorrectable_errors_total",
                              "Uncorrectable memory errors per chip-select row (csrow=\"unknown\": not attributable).",
                              kCounter};
constexpr expo::Desc kChannelCe{"node_edac_channel_correctable_errors_total",
                                "Correctable memory errors per csrow channel.", kCounter};
constexpr expo::Desc kChannelUe{"node_edac_channel_uncorrectable_errors_total",
                                "Uncorrectable memory errors per csrow channel.", kCounter};

constexpr std::string_view kChannelSuffix = "_ce_count";

// The digits right after `prefix` in a name that matched "<prefix>[0-9]*".
std::string_view LeadingNumber(std::string_view name, std::string_view prefix) {
  std::string_view rest = name.substr(prefix.size());
  size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
  return rest.substr(0, n);
}

class EdacCollector : public Collector {
 public:
  explicit EdacCollector(const Context& ctx) : dir_(ctx.Sys("devices/system/edac/mc")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    // Like Go's filepath.Glob, an absent or unreadable directory matches
    // nothing: no EDAC is not an error.
    if (sysfs::ListDir(dir_, &controllers_, &count) != 0) count = 0;
    Status st;
    for (size_t i = 0; i < count && st.ok(); ++i) {
      const std::string& name = controllers_[i].name;
      if (!sysfs::MatchesDigitGlob(name, "mc")) continue;
      st = CollectController(out, name);
    }
    files_.Sweep();
    return st;
  }

 private:
  // Reads and parses one counter file; false with *err set on failure.
  bool ReadCount(const std::string& path, uint64_t* value, std::string* err) {
    std::string_view content;
    int e = files_.Read(path, sysfs::kAttrPageSize, &content);
    if (e != 0) {
      *err = std::strerror(e);
      return false;
    }
    StatusOr<uint64_t> v = ParseEdacCount(content);
    if (!v.ok()) {
      *err = v.status().message();
      return false;
    }
    *value = *v;
    return true;
  }

  Status CollectController(expo::MetricSet& out, const std::string& name) {
    std::string_view mc = LeadingNumber(name, "mc");
    controller_path_.assign(dir_).append("/").append(name);
    struct Counter {
      std::string_view file;
      const expo::Desc* desc;
      bool unknown_csrow;
    };
    static constexpr Counter kCounters[] = {{"ce_count", &kCe, false},
                                            {"ce_noinfo_count", &kCsrowCe, true},
                                            {"ue_count", &kUe, false},
                                            {"ue_noinfo_count", &kCsrowUe, true}};
    std::string err;
    for (const Counter& c : kCounters) {
      path_.assign(controller_path_).append("/").append(c.file);
      uint64_t v = 0;
      if (!ReadCount(path_, &v, &err)) {
        return Status::Error("couldn't get " + std::string(c.file) + " for controller " + std::string(mc) + ": " + err);
      }
      if (c.unknown_csrow) {
        out.Add(*c.desc, static_cast<double>(v), {{"controller", mc}, {"csrow", "unknown"}});
      } else {
        out.Add(*c.desc, static_cast<double>(v), {{"controller", mc}});
      }
    }

    size_t count = 0;
    if (sysfs::ListDir(controller_path_, &csrows_, &count) != 0) count = 0;
    // node_exporter re-matches each csrow path with a regexp that requires the
    // controller directory to be "mc" followed by digits only.
    bool controller_is_numeric = mc.size() + 2 == name.size();
    for (size_t i = 0; i < count; ++i) {
      const std::string& csrow_name = csrows_[i].name;
      if (!sysfs::MatchesDigitGlob(csrow_name, "csrow")) continue;
      csrow_path_.assign(controller_path_).append("/").append(csrow_name);
      if (!controller_is_numeric) return Status::Error("csrow string didn't match regexp: " + csrow_path_);
      std::string_view csrow = LeadingNumber(csrow_name, "csrow");
      Status st = CollectCsrow(out, mc, csrow);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status CollectCsrow(expo::MetricSet& out, std::string_view mc, std::string_view csrow) {
    std::string err;
    uint64_t v = 0;
    path_.assign(csrow_path_).append("/ce_count");
    if (!ReadCount(path_, &v, &err)) {
      return Status::Error("couldn't get ce_count for controller/csrow " + std::string(mc) + "/" + std::string(csrow) +
                           ": " + err);
    }
    out.Add(kCsrowCe, static_cast<double>(v), {{"controller", mc}, {"csrow", csrow}});
    path_.assign(csrow_path_).append("/ue_count");
    if (!ReadCount(path_, &v, &err)) {
      return Status::Error("couldn't get ue_count for controller/csrow " + std::string(mc) + "/" + std::string(csrow) +
                           ": " + err);
    }
    out.Add(kCsrowUe, static_cast<double>(v), {{"controller", mc}, {"csrow", csrow}});

    size_t count = 0;
    if (sysfs::ListDir(csrow_path_, &channels_, &count) != 0) count = 0;
    for (size_t i = 0; i < count; ++i) {
      const std::string& file = channels_[i].name;
      // Go's Glob "ch*_ce_count", then the channel regexp.
      if (file.size() < 2 + kChannelSuffix.size() || file.compare(0, 2, "ch") != 0 ||
          std::string_view(file).substr(file.size() - kChannelSuffix.size()) != kChannelSuffix) {
        continue;
      }
      std::string_view channel = EdacChannelNumber(file);
      if (channel.empty()) continue;

      path_.assign(csrow_path_).append("/ch").append(channel).append("_dimm_label");
      std::string_view content;
      if (files_.Read(path_, sysfs::kAttrPageSize, &content) == 0) {
        FormatEdacDimmLabel(content, &label_);
      } else {
        label_.assign("unknown");
      }

      path_.assign(csrow_path_).append("/").append(file);
      if (!ReadCount(path_, &v, &err)) {
        return Status::Error("couldn't get ce_count for controller/csrow/channel " + std::string(mc) + "/" +
                             std::string(csrow) + "/" + std::string(channel) + ": " + err);
      }
      out.Add(kChannelCe, static_cast<double>(v),
              {{"controller", mc}, {"csrow", csrow}, {"channel", channel}, {"dimm_label", label_}});

      path_.assign(csrow_path_).append("/ch").append(channel).append("_ue_count");
      if (ReadCount(path_, &v, &err)) {
        out.Add(kChannelUe, static_cast<double>(v),
                {{"controller", mc}, {"csrow", csrow}, {"channel", channel}, {"dimm_label", label_}});
      }
    }
    return Status::Ok();
  }

  std::string dir_;
  std::string controller_path_;
  std::string csrow_path_;
  std::string path_;
  std::string label_;
  std::vector<sysfs::DirEntry> controllers_;
  std::vector<sysfs::DirEntry> csrows_;
  std::vector<sysfs::DirEntry> channels_;
  sysfs::AttrFiles files_;
};

}  // namespace

StatusOr<uint64_t> ParseEdacCount(std::string_view content) {
  std::string_view value = TrimSpace(content);
  std::optional<uint64_t> v = sysfs::ParseGoUint(value);
  if (!v) return Status::Error("invalid counter \"" + std::string(value) + "\"");
  return *v;
}

void FormatEdacDimmLabel(std::string_view content, std::string* out) {
  // Reused across calls so a scrape does not allocate per channel.
  thread_local std::string stripped;
  stripped.clear();
  for (char c : TrimSpace(content)) {
    if (c != '#') stripped.push_back(c);
  }
  // Neither word can overlap itself or the other, so Go's two ReplaceAll
  // calls amount to one '_' before every occurrence.
  out->clear();
  std::string_view s = stripped;
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view rest = s.substr(i);
    if (rest.substr(0, 5) == "csrow" || rest.substr(0, 7) == "channel") out->push_back('_');
    out->push_back(s[i]);
  }
}

std::string_view EdacChannelNumber(std::string_view name) {
  for (size_t pos = name.find("ch"); pos != std::string_view::npos; pos = name.find("ch", pos + 1)) {
    size_t d = pos + 2;
    size_t end = d;
    while (end < name.size() && name[end] >= '0' && name[end] <= '9') ++end;
    if (end > d && name.substr(end, kChannelSuffix.size()) == kChannelSuffix) return name.substr(d, end - d);
  }
  return {};
}

StatusOr<std::unique_ptr<Collector>> NewEdacCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<EdacCollector>(ctx));
}

}  // namespace nodex::collectors
