#include "collectors/cgroups.h"

#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kCgroups{"node_cgroups_cgroups", "Number of cgroups in the hierarchy of this controller.",
                              expo::MetricType::kGauge};
constexpr expo::Desc kEnabled{"node_cgroups_enabled", "Whether this cgroup controller is enabled (1) or not (0).",
                              expo::MetricType::kGauge};

class CgroupsCollector : public Collector {
 public:
  explicit CgroupsCollector(const Context& ctx) : file_(ctx.Proc("cgroups")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter returns the open error as is: a failure, not "no data".
    if (!st.ok()) return Status::Error(st.message());
    st = ParseCgroups(content, &summaries_);
    if (!st.ok()) return st;
    for (const CgroupSummary& s : summaries_) {
      out.Add(kCgroups, static_cast<double>(s.cgroups), {{"subsys_name", s.subsys_name}});
      out.Add(kEnabled, static_cast<double>(s.enabled), {{"subsys_name", s.subsys_name}});
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::vector<CgroupSummary> summaries_;
};

}  // namespace

Status ParseCgroups(std::string_view content, std::vector<CgroupSummary>* out) {
  out->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    if (!line.empty() && line.front() == '#') continue;
    std::string_view fields[4];
    size_t n = SplitFields(line, fields, 4);
    if (n < 4) {
      return Status::Error("4+ fields required, found " + std::to_string(n) + " in cgroup info line \"" +
                           std::string(line) + "\"");
    }
    CgroupSummary s;
    s.subsys_name = fields[0];
    int64_t* targets[3] = {&s.hierarchy, &s.cgroups, &s.enabled};
    static constexpr const char* kWhat[3] = {"hierarchy ID", "cgroup count", "enabled"};
    for (int i = 0; i < 3; ++i) {
      std::optional<int64_t> v = GoParseInt(fields[i + 1], 10, 64);
      if (!v) return Status::Error(std::string("unable to parse ") + kWhat[i] + " from \"" + std::string(fields[i + 1]) + "\"");
      *targets[i] = *v;
    }
    out->push_back(s);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewCgroupsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<CgroupsCollector>(ctx));
}

}  // namespace nodex::collectors
