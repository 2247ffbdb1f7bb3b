#include "collectors/scraper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace nodex::collectors {
namespace {

constexpr expo::Desc kFakeDesc{"node_fake_value", "A test value.", expo::MetricType::kGauge};

// Test double: emits one sample and the configured status, or throws.
class FakeCollector : public Collector {
 public:
  FakeCollector(Status status, bool do_throw = false) : status_(std::move(status)), throw_(do_throw) {}
  Status Collect(expo::MetricSet& out) override {
    ++calls;
    out.Add(kFakeDesc, 42, {{"from", "fake"}});
    if (throw_) throw std::runtime_error("boom");
    return status_;
  }
  int calls = 0;

 private:
  Status status_;
  bool throw_;
};

class ScraperTest : public ::testing::Test {
 protected:
  Logger log_{LogLevel::kError, LogFormat::kLogfmt, -1};
};

std::vector<Scraper::Entry> Entries() {
  std::vector<Scraper::Entry> entries;
  entries.push_back({"stat", std::make_unique<FakeCollector>(Status::Ok())});
  entries.push_back({"cpu", std::make_unique<FakeCollector>(Status::Error("bad /proc/stat"))});
  entries.push_back({"loadavg", std::make_unique<FakeCollector>(Status::Ok(), /*do_throw=*/true)});
  entries.push_back({"os", std::make_unique<FakeCollector>(Status::NoData("no os-release"))});
  return entries;
}

TEST_F(ScraperTest, ReportsSuccessAndDurationPerCollector) {
  Scraper scraper(Entries(), &log_);
  EXPECT_THAT(scraper.Names(), ::testing::ElementsAre("cpu", "loadavg", "os", "stat"));
  expo::MetricSet set;
  scraper.Scrape({}, &set);
  EXPECT_EQ(set.Find("node_scrape_collector_success", {{"collector", "stat"}}), 1);
  EXPECT_EQ(set.Find("node_scrape_collector_success", {{"collector", "cpu"}}), 0);
  EXPECT_EQ(set.Find("node_scrape_collector_success", {{"collector", "loadavg"}}), 0) << "a throw fails only it";
  EXPECT_EQ(set.Find("node_scrape_collector_success", {{"collector", "os"}}), 0) << "no data is not success";
  EXPECT_EQ(set.Count("node_scrape_collector_duration_seconds"), 4u);
  double d = set.Find("node_scrape_collector_duration_seconds", {{"collector", "cpu"}});
  EXPECT_GE(d, 0);
  EXPECT_LT(d, 10);
}

TEST_F(ScraperTest, OnlyRunsSelected) {
  Scraper scraper(Entries(), &log_);
  expo::MetricSet set;
  scraper.Scrape({"stat"}, &set);
  EXPECT_EQ(set.Count("node_scrape_collector_success"), 1u);
  EXPECT_EQ(set.Find("node_scrape_collector_success", {{"collector", "stat"}}), 1);
  EXPECT_TRUE(std::isnan(set.Find("node_scrape_collector_success", {{"collector", "cpu"}})));
}

TEST_F(ScraperTest, ClearsPreviousScrape) {
  Scraper scraper(Entries(), &log_);
  expo::MetricSet set;
  scraper.Scrape({}, &set);
  scraper.Scrape({"os"}, &set);
  EXPECT_EQ(set.Count("node_scrape_collector_success"), 1u);
}

// Records the order of Prepare and Collect calls across collectors.
class OrderCollector : public Collector {
 public:
  OrderCollector(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {}
  void Prepare() override { log_->push_back("prepare " + name_); }
  Status Collect(expo::MetricSet&) override {
    log_->push_back("collect " + name_);
    return Status::Ok();
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

TEST_F(ScraperTest, PreparesEverySelectedCollectorBeforeAnyCollects) {
  std::vector<std::string> calls;
  std::vector<Scraper::Entry> entries;
  for (const char* name : {"b", "a", "c"}) entries.push_back({name, std::make_unique<OrderCollector>(name, &calls)});
  Scraper scraper(std::move(entries), &log_);
  expo::MetricSet set;
  scraper.Scrape({}, &set);
  EXPECT_THAT(calls,
              ::testing::ElementsAre("prepare a", "prepare b", "prepare c", "collect a", "collect b", "collect c"));
  calls.clear();
  scraper.Scrape({"c", "a"}, &set);
  EXPECT_THAT(calls, ::testing::ElementsAre("prepare a", "prepare c", "collect a", "collect c"));
}

TEST_F(ScraperTest, SelectCollectorsFollowsNodeExporterRules) {
  Scraper scraper(Entries(), &log_);
  std::vector<std::string> selected;
  EXPECT_TRUE(SelectCollectors(scraper, {}, {}, &selected).ok());
  EXPECT_TRUE(selected.empty());

  EXPECT_TRUE(SelectCollectors(scraper, {"cpu"}, {}, &selected).ok());
  EXPECT_THAT(selected, ::testing::ElementsAre("cpu"));

  EXPECT_TRUE(SelectCollectors(scraper, {}, {"cpu", "os"}, &selected).ok());
  EXPECT_THAT(selected, ::testing::ElementsAre("loadavg", "stat"));

  Status both = SelectCollectors(scraper, {"cpu"}, {"os"}, &selected);
  EXPECT_FALSE(both.ok());

  Status unknown = SelectCollectors(scraper, {"nonexistent"}, {}, &selected);
  EXPECT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.message(), ::testing::HasSubstr("nonexistent"));

  // "uname" is a real collector, but not one this scraper runs.
  Status disabled = SelectCollectors(scraper, {"uname"}, {}, &selected);
  EXPECT_FALSE(disabled.ok());
  EXPECT_THAT(disabled.message(), ::testing::HasSubstr("disabled"));
}

TEST_F(ScraperTest, ExcludingEverythingRunsNothing) {
  Scraper scraper(Entries(), &log_);
  std::vector<std::string> selected;
  ASSERT_TRUE(SelectCollectors(scraper, {}, {"cpu", "loadavg", "os", "stat"}, &selected).ok());
  expo::MetricSet set;
  scraper.Scrape(selected, &set);
  EXPECT_EQ(set.Count("node_scrape_collector_success"), 0u);
}

TEST_F(ScraperTest, CreateRejectsUnknownCollector) {
  FlagValues flags;
  Context ctx;
  ctx.log = &log_;
  ctx.flags = &flags;
  auto s = Scraper::Create({"no_such_collector"}, ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), ::testing::HasSubstr("no_such_collector"));
}

}  // namespace
}  // namespace nodex::collectors
