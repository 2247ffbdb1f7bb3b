#include "collectors/entropy.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kAvailable{"node_entropy_available_bits",
                                "Entropy the kernel estimates it has available, in bits.", expo::MetricType::kGauge};
constexpr expo::Desc kPoolSize{"node_entropy_pool_size_bits", "Size of the kernel entropy pool, in bits.",
                               expo::MetricType::kGauge};

// Reads and parses one file. A missing file leaves *present false, as procfs
// skips files that do not exist; any other failure is an error.
Status ReadValue(KeptOpenFile& file, bool* present, uint64_t* value) {
  *present = false;
  std::string_view content;
  Status st = file.Read(&content);
  if (st.code() == StatusCode::kNoData) return Status::Ok();
  if (!st.ok()) return st;
  StatusOr<uint64_t> v = ParseEntropyValue(content);
  if (!v.ok()) return Status::Error(file.path() + ": " + v.status().message());
  *present = true;
  *value = *v;
  return Status::Ok();
}

class EntropyCollector : public Collector {
 public:
  explicit EntropyCollector(const Context& ctx)
      : avail_(ctx.Proc("sys/kernel/random/entropy_avail"), ReadEnd::OneRecord()),
        pool_size_(ctx.Proc("sys/kernel/random/poolsize"), ReadEnd::OneRecord()) {}

  Status Collect(expo::MetricSet& out) override {
    bool has_avail = false, has_pool_size = false;
    uint64_t avail = 0, pool_size = 0;
    Status st = ReadValue(avail_, &has_avail, &avail);
    if (st.ok()) st = ReadValue(pool_size_, &has_pool_size, &pool_size);
    if (!st.ok()) return Status::Error("failed to get kernel random stats: " + st.message());
    if (!has_avail) return Status::Error("couldn't get entropy_avail");
    out.Add(kAvailable, static_cast<double>(avail));
    // node_exporter still serves the available bits when only poolsize is
    // missing, but marks the scrape failed.
    if (!has_pool_size) return Status::Error("couldn't get entropy poolsize");
    out.Add(kPoolSize, static_cast<double>(pool_size));
    return Status::Ok();
  }

 private:
  KeptOpenFile avail_;
  KeptOpenFile pool_size_;
};

}  // namespace

StatusOr<uint64_t> ParseEntropyValue(std::string_view content) {
  std::string_view token = TrimSpace(content);
  std::optional<uint64_t> v = ParseU64(token);
  if (!v) return Status::Error("invalid number \"" + std::string(token) + "\"");
  return *v;
}

StatusOr<std::unique_ptr<Collector>> NewEntropyCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<EntropyCollector>(ctx));
}

}  // namespace nodex::collectors
