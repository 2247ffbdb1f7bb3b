// The collector contract. A collector is a static CollectorInfo (name, default
// on/off, its flags, a factory) plus a class that owns its fds and buffers and
// appends samples to a MetricSet. Parsing lives in pure Parse...(string_view)
// functions beside each collector so tests and fuzzers can call them directly.
#ifndef NODEX_COLLECTORS_COLLECTOR_H_
#define NODEX_COLLECTORS_COLLECTOR_H_

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "expo/metric_set.h"

namespace nodex::collectors {

// Root paths, as given by --path.*. Kept exactly as the user wrote them
// (relative paths stay relative: node_exporter puts them into labels).
struct Paths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string rootfs = "/";
  std::string udev_data = "/run/udev/data";
};

// Joins a root and a relative path the way Go's filepath.Join does for the
// inputs nodex sees: exactly one '/' between non-empty parts.
std::string JoinPath(std::string_view base, std::string_view rel);

enum class FlagKind { kBool, kString, kList };

// A collector option flag such as --collector.cpu.info. `name` is without the
// leading "--". Bool flags also accept --no-<name>. kList flags repeat.
struct FlagDef {
  std::string_view name;
  FlagKind kind;
  std::string_view default_value;  // "true"/"false" for bools; "" for lists.
  std::string_view help;
};

// Values of every collector option flag after parsing the command line.
class FlagValues {
 public:
  void Set(std::string_view name, std::string value);
  void SetList(std::string_view name, std::vector<std::string> values);
  // Unset flags return "" / false / empty.
  bool GetBool(std::string_view name) const;
  const std::string& GetString(std::string_view name) const;
  const std::vector<std::string>& GetList(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// What a collector may use: paths, logger and its flags. No globals, so tests
// can build collectors against fixture trees in parallel.
struct Context {
  Paths paths;
  Logger* log = nullptr;
  const FlagValues* flags = nullptr;

  std::string Proc(std::string_view rel) const { return JoinPath(paths.procfs, rel); }
  std::string Sys(std::string_view rel) const { return JoinPath(paths.sysfs, rel); }
  std::string Root(std::string_view rel) const { return JoinPath(paths.rootfs, rel); }
};

class Collector {
 public:
  virtual ~Collector() = default;
  // Appends this scrape's samples. A non-ok Status marks the collector failed
  // for this scrape (node_scrape_collector_success 0); samples appended before
  // the failure are still served. Must not throw.
  virtual Status Collect(expo::MetricSet& out) = 0;
  // Called once a scrape, before any collector's Collect, on each collector
  // that scrape runs: for work that proceeds on its own threads, started
  // here so that it overlaps the collectors ahead of this one (filesystem's
  // statfs jobs). Collect works without it too. Must not throw.
  virtual void Prepare() {}
};

using CollectorFactory = StatusOr<std::unique_ptr<Collector>> (*)(const Context& ctx);

struct CollectorInfo {
  std::string_view name;
  bool enabled_by_default;
  std::span<const FlagDef> flags;
  CollectorFactory create;
};

// The one table of all collectors (registry.cc), sorted by name.
std::span<const CollectorInfo> AllCollectors();
const CollectorInfo* FindCollector(std::string_view name);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_COLLECTOR_H_
