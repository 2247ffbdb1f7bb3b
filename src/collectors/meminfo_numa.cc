#include "collectors/meminfo_numa.h"

#include <dirent.h>

#include <algorithm>
#include <map>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr std::string_view kPrefix = "node_memory_numa_";

std::string Quote(std::string_view line) { return "\"" + std::string(line.substr(0, 200)) + "\""; }

// "node12" -> "12"; "node" or "nodefoo" -> "" (not a node directory).
std::string_view NodeNumber(std::string_view dir_name) {
  if (dir_name.substr(0, 4) != "node") return {};
  std::string_view rest = dir_name.substr(4);
  size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
  return rest.substr(0, n);
}

class MeminfoNumaCollector : public Collector {
 public:
  explicit MeminfoNumaCollector(const Context& ctx) : dir_(ctx.Sys("devices/system/node")) {}

  Status Collect(expo::MetricSet& out) override {
    // Nodes come and go with memory hotplug, so list them on every scrape;
    // fds are kept while the set stays the same.
    ListNodeDirs();
    if (!SameNodes()) Rebuild();
    for (Node& node : nodes_) {
      std::string_view content;
      Status st = node.meminfo.Read(&content);
      if (!st.ok()) return Fail(st.message());
      st = ParseMeminfoNuma(content, &fields_);
      if (!st.ok()) return Fail(node.meminfo.path() + ": " + st.message());
      for (const NumaField& f : fields_) {
        const expo::Desc desc{Name(f.key, false), "Memory information field of one NUMA node.",
                              expo::MetricType::kGauge};
        out.Add(desc, f.value, {{"node", f.node}});
      }
      st = node.numastat.Read(&content);
      if (!st.ok()) return Fail(st.message());
      st = ParseNumastat(content, &fields_);
      if (!st.ok()) return Fail(node.numastat.path() + ": " + st.message());
      for (const NumaField& f : fields_) {
        const expo::Desc desc{Name(f.key, true), "NUMA allocation statistic of one node, from numastat.",
                              expo::MetricType::kCounter};
        out.Add(desc, f.value, {{"node", node.number}});
      }
    }
    return Status::Ok();
  }

 private:
  struct Node {
    std::string dir_name;
    std::string number;
    KeptOpenFile meminfo;
    KeptOpenFile numastat;
  };

  static Status Fail(const std::string& message) { return Status::Error("couldn't get NUMA meminfo: " + message); }

  // Like Go's filepath.Glob("node[0-9]*"): a missing directory is no nodes.
  void ListNodeDirs() {
    listed_count_ = 0;
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) return;
    while (dirent* ent = ::readdir(d)) {
      std::string_view name(ent->d_name);
      if (name.size() < 5 || name.substr(0, 4) != "node" || name[4] < '0' || name[4] > '9') continue;
      if (listed_count_ == listed_.size()) listed_.emplace_back();
      listed_[listed_count_++].assign(name);
    }
    ::closedir(d);
    std::sort(listed_.begin(), listed_.begin() + static_cast<long>(listed_count_));
  }

  bool SameNodes() const {
    if (listed_count_ != nodes_.size()) return false;
    for (size_t i = 0; i < listed_count_; ++i) {
      if (listed_[i] != nodes_[i].dir_name) return false;
    }
    return true;
  }

  void Rebuild() {
    nodes_.clear();
    nodes_.reserve(listed_count_);
    for (size_t i = 0; i < listed_count_; ++i) {
      const std::string& name = listed_[i];
      std::string base = dir_ + "/" + name;
      nodes_.push_back(
          Node{name, std::string(NodeNumber(name)), KeptOpenFile(base + "/meminfo"), KeptOpenFile(base + "/numastat")});
    }
  }

  // Metric names are built once per key and kept, so steady-state scrapes
  // do not allocate.
  std::string_view Name(std::string_view key, bool numastat) {
    auto& cache = numastat ? stat_names_ : meminfo_names_;
    auto it = cache.find(key);
    if (it == cache.end()) {
      std::string name = numastat ? std::string(kPrefix) + std::string(key) + "_total" : MeminfoNumaMetricName(key);
      it = cache.emplace(std::string(key), std::move(name)).first;
    }
    return it->second;
  }

  std::string dir_;
  std::vector<std::string> listed_;
  size_t listed_count_ = 0;
  std::vector<Node> nodes_;
  std::vector<NumaField> fields_;
  std::map<std::string, std::string, std::less<>> meminfo_names_;
  std::map<std::string, std::string, std::less<>> stat_names_;
};

}  // namespace

Status ParseMeminfoNuma(std::string_view content, std::vector<NumaField>* out) {
  out->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view parts[5];
    size_t n = SplitFields(line, parts, 5);
    if (n == 0) continue;
    if (n < 4) return Status::Error("invalid line in meminfo: " + Quote(line));
    std::optional<double> v = ParseDouble(parts[3]);
    if (!v) return Status::Error("invalid value in meminfo: " + Quote(line));
    double value = *v;
    if (n == 5 && parts[4] == "kB") {
      value *= 1024;
    } else if (n != 4) {
      return Status::Error("invalid line in meminfo: " + Quote(line));
    }
    std::string_view key = parts[2];
    while (!key.empty() && key.back() == ':') key.remove_suffix(1);
    out->push_back(NumaField{parts[1], key, value});
  }
  return Status::Ok();
}

Status ParseNumastat(std::string_view content, std::vector<NumaField>* out) {
  out->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view parts[2];
    size_t n = SplitFields(line, parts, 2);
    if (n == 0) continue;
    if (n != 2) return Status::Error("line scan did not return 2 fields: " + Quote(line));
    std::optional<double> v = ParseDouble(parts[1]);
    if (!v) return Status::Error("invalid value in numastat: " + Quote(line));
    out->push_back(NumaField{{}, parts[0], *v});
  }
  return Status::Ok();
}

std::string MeminfoNumaMetricName(std::string_view key) {
  while (!key.empty() && key.back() == ':') key.remove_suffix(1);
  std::string name(kPrefix);
  size_t open = key.find('(');
  size_t close = key.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    name.append(key);
    return name;
  }
  name.append(key.substr(0, open));
  name.push_back('_');
  name.append(key.substr(open + 1, close - open - 1));
  name.append(key.substr(close + 1));
  return name;
}

StatusOr<std::unique_ptr<Collector>> NewMeminfoNumaCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<MeminfoNumaCollector>(ctx));
}

}  // namespace nodex::collectors
