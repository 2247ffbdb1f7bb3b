#include "collectors/loadavg.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kLoad1{"node_load1", "Load average over the last minute.", expo::MetricType::kGauge};
constexpr expo::Desc kLoad5{"node_load5", "Load average over the last 5 minutes.", expo::MetricType::kGauge};
constexpr expo::Desc kLoad15{"node_load15", "Load average over the last 15 minutes.", expo::MetricType::kGauge};

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const Context& ctx) : file_(ctx.Proc("loadavg"), ReadEnd::OneRecord()) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter treats a missing /proc/loadavg as a hard failure, not as
    // "no data on this platform".
    if (!st.ok()) return Status::Error("couldn't get load: " + st.message());
    StatusOr<LoadAverages> loads = ParseLoadavg(content);
    if (!loads.ok()) return Status::Error("couldn't get load: " + loads.status().message());
    out.Add(kLoad1, loads->load1);
    out.Add(kLoad5, loads->load5);
    out.Add(kLoad15, loads->load15);
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

StatusOr<LoadAverages> ParseLoadavg(std::string_view content) {
  std::string_view fields[3];
  if (SplitFields(content, fields, 3) < 3) return Status::Error("unexpected content in loadavg");
  double values[3];
  for (int i = 0; i < 3; ++i) {
    std::optional<double> v = ParseDouble(fields[i]);
    if (!v) return Status::Error("could not parse load '" + std::string(fields[i]) + "'");
    values[i] = *v;
  }
  return LoadAverages{values[0], values[1], values[2]};
}

StatusOr<std::unique_ptr<Collector>> NewLoadavgCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<LoadavgCollector>(ctx));
}

}  // namespace nodex::collectors
