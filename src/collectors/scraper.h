// Scraper: runs the enabled collectors for one scrape and adds the per-
// collector node_scrape_collector_duration_seconds / _success samples.
#ifndef NODEX_COLLECTORS_SCRAPER_H_
#define NODEX_COLLECTORS_SCRAPER_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "collectors/collector.h"
#include "expo/metric_set.h"

namespace nodex::collectors {

class Scraper {
 public:
  struct Entry {
    std::string name;
    std::unique_ptr<Collector> collector;
  };

  Scraper(std::vector<Entry> collectors, Logger* log);

  // Creates every collector that is enabled: by default, unless
  // --no-collector.<name> / --collector.disable-defaults, or explicitly with
  // --collector.<name>. `enabled` lists the chosen names. Fails with a message
  // naming the collector if a factory fails (e.g. a bad regex flag).
  static StatusOr<std::unique_ptr<Scraper>> Create(const std::vector<std::string>& enabled, const Context& ctx);

  // Names of the collectors this scraper runs, sorted.
  std::vector<std::string> Names() const;
  bool Has(std::string_view name) const;

  // Runs the collectors whose names are in `only` (all when `only` is empty)
  // into *out, which is cleared first. Collectors run one scrape at a time:
  // they own their buffers.
  void Scrape(const std::vector<std::string>& only, expo::MetricSet* out);

 private:
  void Report(size_t index, const Status& status);

  std::vector<Entry> collectors_;
  std::vector<std::string> last_error_;  // Per collector: logs only on change.
  Logger* log_;
  std::mutex mu_;
};

// Validates node_exporter's per-request filter: collect[] and exclude[] may not
// both be given, and every name must be an enabled collector. On success
// *selected holds the collectors to run (empty = all).
Status SelectCollectors(const Scraper& scraper, const std::vector<std::string>& collect,
                        const std::vector<std::string>& exclude, std::vector<std::string>* selected);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SCRAPER_H_
