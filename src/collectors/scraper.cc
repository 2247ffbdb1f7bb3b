#include "collectors/scraper.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace nodex::collectors {
namespace {

constexpr expo::Desc kDurationDesc{"node_scrape_collector_duration_seconds",
                                   "Seconds a collector took in this scrape.", expo::MetricType::kGauge};
constexpr expo::Desc kSuccessDesc{"node_scrape_collector_success",
                                  "1 if the collector succeeded in this scrape, 0 if it failed.",
                                  expo::MetricType::kGauge};

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Scraper::Scraper(std::vector<Entry> collectors, Logger* log)
    : collectors_(std::move(collectors)), last_error_(collectors_.size()), log_(log) {
  std::sort(collectors_.begin(), collectors_.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
}

StatusOr<std::unique_ptr<Scraper>> Scraper::Create(const std::vector<std::string>& enabled, const Context& ctx) {
  std::vector<Entry> entries;
  for (const std::string& name : enabled) {
    const CollectorInfo* info = FindCollector(name);
    if (info == nullptr) return Status::Error("unknown collector: " + name);
    auto collector = info->create(ctx);
    if (!collector.ok()) {
      return Status::Error("collector " + name + ": " + collector.status().message());
    }
    entries.push_back(Entry{name, std::move(collector.value())});
  }
  return std::make_unique<Scraper>(std::move(entries), ctx.log);
}

std::vector<std::string> Scraper::Names() const {
  std::vector<std::string> names;
  names.reserve(collectors_.size());
  for (const Entry& e : collectors_) names.push_back(e.name);
  return names;
}

bool Scraper::Has(std::string_view name) const {
  return std::any_of(collectors_.begin(), collectors_.end(), [&](const Entry& e) { return e.name == name; });
}

void Scraper::Scrape(const std::vector<std::string>& only, expo::MetricSet* out) {
  std::lock_guard<std::mutex> lock(mu_);
  out->Clear();
  for (Entry& entry : collectors_) {
    if (!only.empty() && !Contains(only, entry.name)) continue;
    try {
      entry.collector->Prepare();
    } catch (...) {
      // Collect still runs, and reports what went wrong.
    }
  }
  for (size_t i = 0; i < collectors_.size(); ++i) {
    Entry& entry = collectors_[i];
    if (!only.empty() && !Contains(only, entry.name)) continue;
    auto start = std::chrono::steady_clock::now();
    Status status;
    try {
      status = entry.collector->Collect(*out);
    } catch (const std::exception& e) {
      // Collectors must not throw; if one does (e.g. bad_alloc), only that
      // collector fails.
      status = Status::Error(std::string("exception: ") + e.what());
    } catch (...) {
      status = Status::Error("unknown exception");
    }
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    expo::Label label{"collector", entry.name};
    out->Add(kDurationDesc, elapsed.count(), {label});
    out->Add(kSuccessDesc, status.ok() ? 1.0 : 0.0, {label});
    Report(i, status);
  }
}

// Logs a collector's failure once when it starts or changes, and its recovery
// once, so a persistently broken collector does not spam every scrape.
void Scraper::Report(size_t index, const Status& status) {
  std::string& last = last_error_[index];
  const std::string& name = collectors_[index].name;
  if (status.ok()) {
    if (!last.empty()) {
      log_->Info("collector recovered", {{"collector", name}});
      last.clear();
    }
    return;
  }
  if (status.message() == last) return;
  last = status.message();
  if (last.empty()) last = "failed";
  if (status.code() == StatusCode::kNoData) {
    log_->Debug("collector returned no data", {{"collector", name}, {"err", status.message()}});
  } else {
    log_->Error("collector failed", {{"collector", name}, {"err", status.message()}});
  }
}

Status SelectCollectors(const Scraper& scraper, const std::vector<std::string>& collect,
                        const std::vector<std::string>& exclude, std::vector<std::string>* selected) {
  selected->clear();
  if (!collect.empty() && !exclude.empty()) {
    return Status::Error("collect[] and exclude[] cannot be used together");
  }
  const std::vector<std::string>& names = collect.empty() ? exclude : collect;
  for (const std::string& name : names) {
    if (FindCollector(name) == nullptr) return Status::Error("unknown collector: " + name);
    if (!scraper.Has(name)) return Status::Error("disabled collector: " + name);
  }
  if (!collect.empty()) {
    *selected = collect;
  } else if (!exclude.empty()) {
    for (const std::string& name : scraper.Names()) {
      if (!Contains(exclude, name)) selected->push_back(name);
    }
    // Excluding every collector must not turn into "no filter".
    if (selected->empty()) selected->push_back(std::string());
  }
  return Status::Ok();
}

}  // namespace nodex::collectors
