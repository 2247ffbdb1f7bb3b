#include "collectors/cpu_vulnerabilities.h"

#include <dirent.h>

#include <algorithm>
#include <vector>

#include "base/file_reader.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kInfo{"node_cpu_vulnerabilities_info",
                           "CPU vulnerability as reported by sysfs: state and mitigation as labels, value always 1.",
                           expo::MetricType::kGauge};

bool HasPrefixFold(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

class CpuVulnerabilitiesCollector : public Collector {
 public:
  explicit CpuVulnerabilitiesCollector(const Context& ctx) : dir_(ctx.Sys("devices/system/cpu/vulnerabilities")) {}

  Status Collect(expo::MetricSet& out) override {
    // The set of files is fixed once the kernel has booted; list it once.
    if (entries_.empty()) {
      Status st = List();
      if (!st.ok()) return st;
    }
    for (Entry& e : entries_) {
      std::string_view content;
      Status st = e.file.Read(&content);
      if (!st.ok()) return Status::Error("failed to get vulnerabilities: " + st.message());
      ParseCpuVulnerability(content, &parsed_);
      out.Add(kInfo, 1, {{"codename", e.name}, {"state", parsed_.state}, {"mitigation", parsed_.mitigation}});
    }
    return Status::Ok();
  }

 private:
  struct Entry {
    std::string name;
    KeptOpenFile file;
  };

  // Like procfs' Glob("*"): a missing directory is simply no vulnerabilities.
  Status List() {
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) return Status::Ok();
    std::vector<std::string> names;
    while (dirent* ent = ::readdir(d)) {
      if (ent->d_name[0] == '.') continue;
      names.emplace_back(ent->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    entries_.reserve(names.size());
    for (std::string& n : names) {
      std::string path = dir_ + "/" + n;
      entries_.push_back(Entry{std::move(n), KeptOpenFile(std::move(path))});
    }
    return Status::Ok();
  }

  std::string dir_;
  std::vector<Entry> entries_;
  CpuVulnerability parsed_;
};

}  // namespace

void ParseCpuVulnerability(std::string_view content, CpuVulnerability* out) {
  std::string_view text = TrimSpace(content);
  out->mitigation.clear();
  if (HasPrefixFold(text, "not affected")) {
    out->state = "not affected";
    return;
  }
  if (HasPrefixFold(text, "vulnerable")) {
    out->state = "vulnerable";
  } else if (HasPrefixFold(text, "mitigation")) {
    out->state = "mitigation";
  } else if (HasPrefixFold(text, "unknown")) {
    out->state = "unknown";
  } else {
    out->state = "unknown";
    out->mitigation.assign(text);
    return;
  }
  std::string_view rest = text;
  std::string_view word;
  NextField(&rest, &word);  // The state word itself ("Mitigation:").
  while (NextField(&rest, &word)) {
    if (!out->mitigation.empty()) out->mitigation.push_back(' ');
    out->mitigation.append(word);
  }
}

StatusOr<std::unique_ptr<Collector>> NewCpuVulnerabilitiesCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<CpuVulnerabilitiesCollector>(ctx));
}

}  // namespace nodex::collectors
