#include "http/handler.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/file_reader.h"
#include "expo/gzip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/server.h"

namespace nodex::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr expo::Desc kFakeDesc{"fake_value", "A value from a fake collector.", expo::MetricType::kGauge};

// Adds one fake_value{source="<name>"} sample.
class FakeCollector : public collectors::Collector {
 public:
  explicit FakeCollector(std::string name) : name_(std::move(name)) {}
  Status Collect(expo::MetricSet& out) override {
    out.Add(kFakeDesc, 42, {{"source", name_}});
    return Status::Ok();
  }

 private:
  std::string name_;
};

// Blocks inside Collect until released, to hold a scrape in flight.
class Gate {
 public:
  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return entered_ > 0; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

class BlockingCollector : public collectors::Collector {
 public:
  explicit BlockingCollector(Gate* gate) : gate_(gate) {}
  Status Collect(expo::MetricSet& out) override {
    gate_->Enter();
    out.Add(kFakeDesc, 1, {{"source", "slow"}});
    return Status::Ok();
  }

 private:
  Gate* gate_;
};

class NullLogger {
 public:
  NullLogger() : fd_(open("/dev/null", O_WRONLY | O_CLOEXEC)), log_(LogLevel::kDebug, LogFormat::kLogfmt, fd_.get()) {}
  Logger* Get() { return &log_; }

 private:
  UniqueFd fd_;
  Logger log_;
};

// Request filters are checked against the registry table, so the fakes borrow
// real collector names; "cpu" stays a known but disabled collector.
std::unique_ptr<collectors::Scraper> FakeScraper(Logger* log, Gate* gate = nullptr) {
  std::vector<collectors::Scraper::Entry> entries;
  entries.push_back({"loadavg", std::make_unique<FakeCollector>("loadavg")});
  entries.push_back({"meminfo", std::make_unique<FakeCollector>("meminfo")});
  if (gate != nullptr) entries.push_back({"slow", std::make_unique<BlockingCollector>(gate)});
  return std::make_unique<collectors::Scraper>(std::move(entries), log);
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.version = "1.2.3";
  options.revision = "abc123";
  return options;
}

Request Get(std::string_view path, std::vector<std::pair<std::string, std::string>> query = {}) {
  Request r;
  r.method = "GET";
  r.path = path;
  r.query = std::move(query);
  return r;
}

std::string HeaderValue(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { scraper_ = FakeScraper(log_.Get()); }

  NullLogger log_;
  std::unique_ptr<collectors::Scraper> scraper_;
};

TEST_F(HandlerTest, LandingPage) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<title>nodex</title>"));
  EXPECT_THAT(r.body, HasSubstr("1.2.3"));
  EXPECT_THAT(r.body, HasSubstr("abc123"));
  EXPECT_THAT(r.body, HasSubstr("<a href=\"/metrics\">"));
  EXPECT_THAT(r.body, HasSubstr("<li>loadavg</li>"));
  EXPECT_THAT(r.body, HasSubstr("<li>meminfo</li>"));
}

TEST_F(HandlerTest, LandingPageEscapesHtml) {
  ServerOptions options = TestOptions();
  options.version = "<script>";
  options.telemetry_path = "/m\"x";
  Handler handler(options, scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/"));
  EXPECT_THAT(r.body, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(r.body, Not(HasSubstr("<script>")));
  EXPECT_THAT(r.body, HasSubstr("href=\"/m&quot;x\""));
}

TEST_F(HandlerTest, HealthEndpoints) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  for (std::string_view path : {"/-/healthy", "/-/ready"}) {
    Response r = handler.Serve(Get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "OK") << path;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  }
}

TEST_F(HandlerTest, UnknownPathIs404) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  for (std::string_view path : {"/nope", "/metrics/", "/metricsx", "", "//", "/-/healthy/"}) {
    Response r = handler.Serve(Get(path));
    EXPECT_EQ(r.status, 404) << path;
  }
}

TEST_F(HandlerTest, OtherMethodsAre405WithAllow) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  for (std::string_view method :
       {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get", "BREW", "\x01\xff", ""}) {
    // Unknown paths too: the method is checked first.
    for (std::string_view path : {"/metrics", "/", "/-/healthy", "/nope", "/debug/pprof/", "example.com:443", "*"}) {
      Request req = Get(path);
      req.method = method;
      Response r = handler.Serve(req);
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(HeaderValue(r, "Allow"), "GET, HEAD");
    }
  }
}

TEST_F(HandlerTest, NoDebugEndpoints) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  for (std::string_view path : {"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile", "/debug/pprof/goroutine",
                                "/debug/vars", "/debug/", "/metrics/debug/pprof/", "/-/reload", "/-/quit"}) {
    EXPECT_EQ(handler.Serve(Get(path)).status, 404) << path;
  }
}

TEST_F(HandlerTest, HeadServesLikeGet) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Request req = Get("/metrics");
  req.method = "HEAD";
  Response r = handler.Serve(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  // The body is kept so that Content-Length matches GET; server tests check
  // that it is not sent.
  EXPECT_THAT(r.body, HasSubstr("fake_value"));
}

TEST_F(HandlerTest, MetricsUnfiltered) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(HeaderValue(r, "Content-Encoding"), "");
  EXPECT_THAT(r.body, HasSubstr("fake_value{source=\"loadavg\"} 42\n"));
  EXPECT_THAT(r.body, HasSubstr("fake_value{source=\"meminfo\"} 42\n"));
  EXPECT_THAT(r.body, HasSubstr("node_scrape_collector_success{collector=\"loadavg\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("node_scrape_collector_success{collector=\"meminfo\"} 1\n"));
}

TEST_F(HandlerTest, CustomTelemetryPath) {
  ServerOptions options = TestOptions();
  options.telemetry_path = "/custom";
  Handler handler(options, scraper_.get(), log_.Get());
  EXPECT_EQ(handler.Serve(Get("/metrics")).status, 404);
  Response r = handler.Serve(Get("/custom"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("fake_value"));
  EXPECT_THAT(handler.Serve(Get("/")).body, HasSubstr("href=\"/custom\""));
}

TEST_F(HandlerTest, TelemetryPathAtRootReplacesLandingPage) {
  ServerOptions options = TestOptions();
  options.telemetry_path = "/";
  Handler handler(options, scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/"));
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("fake_value"));
}

TEST_F(HandlerTest, CollectFilter) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics", {{"collect[]", "loadavg"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("node_scrape_collector_success{collector=\"loadavg\"} 1\n"));
  EXPECT_THAT(r.body, Not(HasSubstr("collector=\"meminfo\"")));
  EXPECT_THAT(r.body, Not(HasSubstr("source=\"meminfo\"")));

  // Repeated keys all count, and unrelated parameters are ignored.
  r = handler.Serve(Get("/metrics", {{"collect[]", "loadavg"}, {"other", "x"}, {"collect[]", "meminfo"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("collector=\"loadavg\""));
  EXPECT_THAT(r.body, HasSubstr("collector=\"meminfo\""));
}

TEST_F(HandlerTest, ExcludeFilter) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics", {{"exclude[]", "loadavg"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr("collector=\"loadavg\"")));
  EXPECT_THAT(r.body, HasSubstr("node_scrape_collector_success{collector=\"meminfo\"} 1\n"));
}

TEST_F(HandlerTest, CollectAndExcludeTogetherIs400) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics", {{"collect[]", "loadavg"}, {"exclude[]", "meminfo"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_FALSE(r.body.empty());
}

TEST_F(HandlerTest, UnknownCollectorIs400) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics", {{"collect[]", "no_such_collector"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("no_such_collector"));
}

TEST_F(HandlerTest, DisabledCollectorIs400) {
  // "cpu" is a real collector, but this scraper does not run it.
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics", {{"collect[]", "cpu"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("cpu"));
  // A failed request does not poison the next one.
  EXPECT_EQ(handler.Serve(Get("/metrics")).status, 200);
}

TEST_F(HandlerTest, GzipNegotiation) {
  ServerOptions options = TestOptions();
  options.disable_exporter_metrics = true;
  Handler handler(options, scraper_.get(), log_.Get());

  Request req = Get("/metrics");
  req.accept_encoding = "gzip, deflate";
  Response zipped = handler.Serve(req);
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(HeaderValue(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.content_type, "text/plain; version=0.0.4; charset=utf-8");
  std::string plain;
  ASSERT_TRUE(expo::GzipDecompress(zipped.body, &plain));
  EXPECT_THAT(plain, HasSubstr("fake_value{source=\"loadavg\"} 42\n"));
  EXPECT_THAT(plain, HasSubstr("# TYPE fake_value gauge\n"));

  req.accept_encoding = "gzip;q=0";
  Response refused = handler.Serve(req);
  EXPECT_EQ(HeaderValue(refused, "Content-Encoding"), "");
  EXPECT_THAT(refused.body, HasSubstr("fake_value{source=\"loadavg\"} 42\n"));

  req.accept_encoding = "identity";
  EXPECT_EQ(HeaderValue(handler.Serve(req), "Content-Encoding"), "");
}

// The page without its collector durations, the one part that changes
// between scrapes of the fakes.
std::string WithoutDurations(std::string_view page) {
  std::string kept;
  while (!page.empty()) {
    const size_t end = page.find('\n');
    const std::string_view line = page.substr(0, end == std::string_view::npos ? page.size() : end + 1);
    page.remove_prefix(line.size());
    if (!line.starts_with("node_scrape_collector_duration_seconds{")) kept += line;
  }
  return kept;
}

// The page moves into a plain response and the gzip output is a buffer of
// its own, so every scrape, in any order of encodings, must render it whole.
TEST_F(HandlerTest, PlainAndGzipScrapesInAnyOrderRenderTheWholePage) {
  ServerOptions options = TestOptions();
  options.disable_exporter_metrics = true;  // Keeps the page the same every scrape.
  Handler handler(options, scraper_.get(), log_.Get());
  Request plain_request = Get("/metrics");
  Request gzip_request = Get("/metrics");
  gzip_request.accept_encoding = "gzip";

  const std::string page = WithoutDurations(handler.Serve(plain_request).body);
  ASSERT_THAT(page, HasSubstr("fake_value{source=\"loadavg\"} 42\n"));
  ASSERT_THAT(page, HasSubstr("node_scrape_collector_success{collector=\"meminfo\"} 1\n"));
  for (bool gzip : {false, true, true, false, false, true}) {
    Response r = handler.Serve(gzip ? gzip_request : plain_request);
    ASSERT_EQ(r.status, 200);
    if (!gzip) {
      EXPECT_EQ(HeaderValue(r, "Content-Encoding"), "");
      EXPECT_EQ(WithoutDurations(r.body), page);
      continue;
    }
    EXPECT_EQ(HeaderValue(r, "Content-Encoding"), "gzip");
    std::string unzipped;
    ASSERT_TRUE(expo::GzipDecompress(r.body, &unzipped));
    EXPECT_EQ(WithoutDurations(unzipped), page);
  }
}

TEST_F(HandlerTest, ExporterMetricsPresent) {
  Handler handler(TestOptions(), scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics"));
  for (std::string_view family :
       {"# TYPE process_cpu_seconds_total counter\n", "# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_virtual_memory_bytes gauge\n", "# TYPE process_start_time_seconds gauge\n",
        "# TYPE process_open_fds gauge\n", "# TYPE process_max_fds gauge\n", "# TYPE nodex_build_info gauge\n",
        "# TYPE promhttp_metric_handler_requests_total counter\n"}) {
    EXPECT_THAT(r.body, HasSubstr(std::string(family)));
  }
  EXPECT_THAT(r.body, HasSubstr("nodex_build_info{revision=\"abc123\",version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("promhttp_metric_handler_requests_in_flight 1\n"));
  EXPECT_THAT(r.body, HasSubstr("promhttp_metric_handler_requests_total{code=\"200\"} 0\n"));
  // The counter counts finished requests, so the second scrape sees the first.
  r = handler.Serve(Get("/metrics"));
  EXPECT_THAT(r.body, HasSubstr("promhttp_metric_handler_requests_total{code=\"200\"} 1\n"));
  // Exporter metrics are served with filtered scrapes too, as in node_exporter.
  r = handler.Serve(Get("/metrics", {{"collect[]", "loadavg"}}));
  EXPECT_THAT(r.body, HasSubstr("process_open_fds "));
}

TEST_F(HandlerTest, ExporterMetricsDisabled) {
  ServerOptions options = TestOptions();
  options.disable_exporter_metrics = true;
  Handler handler(options, scraper_.get(), log_.Get());
  Response r = handler.Serve(Get("/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, Not(HasSubstr("process_")));
  EXPECT_THAT(r.body, Not(HasSubstr("nodex_build_info")));
  EXPECT_THAT(r.body, Not(HasSubstr("promhttp_")));
  EXPECT_THAT(r.body, HasSubstr("fake_value"));
}

// Waits until `handler` counts `n` /metrics requests in flight.
void WaitInFlight(const Handler& handler, int n) {
  for (int i = 0; i < 5000 && handler.metrics_in_flight() != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(handler.metrics_in_flight(), n);
}

TEST(HandlerLimitTest, OverMaxRequestsIs503AndWaitingRequestsCount) {
  NullLogger log;
  Gate gate;
  auto scraper = FakeScraper(log.Get(), &gate);
  ServerOptions options = TestOptions();
  options.max_requests = 2;
  Handler handler(options, scraper.get(), log.Get());

  // First request: inside the blocking collector. Second: waiting for the
  // scrape lock. Both count against the limit.
  auto first = std::async(std::launch::async, [&] { return handler.Serve(Get("/metrics")); });
  gate.WaitEntered();
  auto second = std::async(std::launch::async, [&] { return handler.Serve(Get("/metrics")); });
  WaitInFlight(handler, 2);

  Response third = handler.Serve(Get("/metrics"));
  EXPECT_EQ(third.status, 503);
  EXPECT_THAT(third.body, HasSubstr("Limit of concurrent requests reached (2)"));
  // The rejected request no longer counts.
  EXPECT_EQ(handler.metrics_in_flight(), 2);
  // Other endpoints do not wait for the scrape.
  EXPECT_EQ(handler.Serve(Get("/-/healthy")).status, 200);

  gate.Open();
  EXPECT_EQ(first.get().status, 200);
  Response second_response = second.get();
  EXPECT_EQ(second_response.status, 200);
  EXPECT_EQ(handler.metrics_in_flight(), 0);
  EXPECT_THAT(handler.Serve(Get("/metrics")).body,
              HasSubstr("promhttp_metric_handler_requests_total{code=\"503\"} 1\n"));
}

TEST(HandlerLimitTest, ZeroMeansNoLimit) {
  NullLogger log;
  Gate gate;
  auto scraper = FakeScraper(log.Get(), &gate);
  ServerOptions options = TestOptions();
  options.max_requests = 0;
  Handler handler(options, scraper.get(), log.Get());

  auto first = std::async(std::launch::async, [&] { return handler.Serve(Get("/metrics")); });
  gate.WaitEntered();
  auto second = std::async(std::launch::async, [&] { return handler.Serve(Get("/metrics")); });
  WaitInFlight(handler, 2);
  gate.Open();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(second.get().status, 200);
}

// --- The real server, over a socket. ---

struct HttpReply {
  std::string head;  // Status line and headers.
  std::string body;
};

// One HTTP/1.1 exchange with Connection: close; reads until EOF.
HttpReply Fetch(uint16_t port, std::string_view method, std::string_view target, std::string_view extra_headers = "",
                std::string_view body = "") {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  UniqueFd owned(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ADD_FAILURE() << "connect: " << strerror(errno);
    return reply;
  }
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + std::string(extra_headers) + "\r\n" +
                        std::string(body);
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) all.append(buf, static_cast<size_t>(n));
  size_t split = all.find("\r\n\r\n");
  if (split == std::string::npos) {
    reply.head = all;
  } else {
    reply.head = all.substr(0, split + 2);
    reply.body = all.substr(split + 4);
  }
  return reply;
}

// What a raw client saw: everything the server sent, and whether it closed the
// connection (EOF or reset) within `wait`.
struct RawReply {
  std::string data;
  bool closed = false;
};

// Connects to 127.0.0.1:port, sends `bytes` and reads until the server closes
// or `wait` passes.
RawReply RawExchange(uint16_t port, std::string_view bytes, std::chrono::seconds wait = std::chrono::seconds(10)) {
  RawReply reply;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  UniqueFd owned(fd);
  timeval tv{static_cast<time_t>(wait.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ADD_FAILURE() << "connect: " << strerror(errno);
    return reply;
  }
  // The server may close before taking everything (that is the point of
  // some tests), so a short or failed write is not an error here.
  if (!bytes.empty()) (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      reply.data.append(buf, static_cast<size_t>(n));
      continue;
    }
    reply.closed = n == 0 || errno == ECONNRESET;
    break;
  }
  return reply;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options, Gate* gate = nullptr) {
    scraper_ = FakeScraper(log_.Get(), gate);
    options.listen_addresses = {"127.0.0.1:0"};
    auto server = Server::Start(options, scraper_.get(), log_.Get());
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server.value());
    ASSERT_EQ(server_->ports().size(), 1u);
    port_ = server_->ports()[0];
    ASSERT_NE(port_, 0);
  }

  NullLogger log_;
  std::unique_ptr<collectors::Scraper> scraper_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, ServesMetricsOverSocket) {
  StartServer(TestOptions());
  HttpReply r = Fetch(port_, "GET", "/metrics");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.head, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(r.body, HasSubstr("fake_value{source=\"loadavg\"} 42\n"));
  EXPECT_THAT(r.body, HasSubstr("process_open_fds"));
  server_->Shutdown(std::chrono::milliseconds(1000));
}

TEST_F(ServerTest, QueryArgumentsRepeatAndDecode) {
  StartServer(TestOptions());
  HttpReply r = Fetch(port_, "GET", "/metrics?collect%5B%5D=loadavg&collect[]=meminfo");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.body, HasSubstr("collector=\"loadavg\""));
  EXPECT_THAT(r.body, HasSubstr("collector=\"meminfo\""));

  r = Fetch(port_, "GET", "/metrics?collect[]=meminfo");
  EXPECT_THAT(r.body, Not(HasSubstr("collector=\"loadavg\"")));

  r = Fetch(port_, "GET", "/metrics?collect[]=loadavg&exclude[]=meminfo");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 400"));

  r = Fetch(port_, "GET", "/metrics?collect[]");  // Key without a value.
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 400"));
}

TEST_F(ServerTest, GzipOverSocket) {
  StartServer(TestOptions());
  HttpReply r = Fetch(port_, "GET", "/metrics", "Accept-Encoding: gzip\r\n");
  EXPECT_THAT(r.head, HasSubstr("Content-Encoding: gzip\r\n"));
  std::string plain;
  ASSERT_TRUE(expo::GzipDecompress(r.body, &plain));
  EXPECT_THAT(plain, HasSubstr("fake_value{source=\"meminfo\"} 42\n"));
}

// Scrapes are serialised, so the pool needs one worker besides the one stuck
// in a scrape for the rest to stay answered.
TEST_F(ServerTest, HealthIsAnsweredWhileAScrapeIsStuck) {
  Gate gate;
  StartServer(TestOptions(), &gate);
  auto scrape = std::async(std::launch::async, [&] { return Fetch(port_, "GET", "/metrics"); });
  gate.WaitEntered();
  RawReply health = RawExchange(port_, "GET /-/healthy HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                                std::chrono::seconds(5));
  gate.Open();
  EXPECT_THAT(health.data, HasSubstr("HTTP/1.1 200"));
  EXPECT_TRUE(health.closed);
  EXPECT_THAT(scrape.get().body, HasSubstr("source=\"slow\""));
}

TEST_F(ServerTest, HeadSendsNoBody) {
  StartServer(TestOptions());
  HttpReply r = Fetch(port_, "HEAD", "/-/healthy");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.head, HasSubstr("Content-Length: 2\r\n"));
  EXPECT_EQ(r.body, "");
  r = Fetch(port_, "HEAD", "/metrics");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(r.body, "");
}

TEST_F(ServerTest, MethodAndPathErrors) {
  StartServer(TestOptions());
  // Answered without reading the body.
  HttpReply r = Fetch(port_, "POST", "/metrics", "Content-Length: 3\r\n", "a=b");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 405"));
  EXPECT_THAT(r.head, HasSubstr("Allow: GET, HEAD\r\n"));
  r = Fetch(port_, "DELETE", "/metrics");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 405"));
  r = Fetch(port_, "GET", "/missing");
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 404"));
  r = Fetch(port_, "GET", "/");
  EXPECT_THAT(r.body, HasSubstr("<title>nodex</title>"));
}

TEST_F(ServerTest, BindFailureNamesTheAddress) {
  StartServer(TestOptions());
  ServerOptions options = TestOptions();
  const std::string address = "127.0.0.1:" + std::to_string(port_);
  options.listen_addresses = {address};
  auto second = Server::Start(options, scraper_.get(), log_.Get());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), "listen tcp " + address + ": bind: " + strerror(EADDRINUSE));
}

TEST_F(ServerTest, ShutdownWaitsForInFlightRequest) {
  Gate gate;
  StartServer(TestOptions(), &gate);
  auto reply = std::async(std::launch::async, [&] { return Fetch(port_, "GET", "/metrics"); });
  gate.WaitEntered();

  auto shutdown = std::async(std::launch::async, [&] { server_->Shutdown(std::chrono::seconds(10)); });
  EXPECT_EQ(shutdown.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  gate.Open();
  shutdown.get();
  HttpReply r = reply.get();
  EXPECT_THAT(r.head, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.body, HasSubstr("source=\"slow\""));

  // No longer listening.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  UniqueFd owned(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_NE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  server_->Shutdown(std::chrono::milliseconds(0));  // A second call does nothing.
}

TEST_F(ServerTest, ShutdownGraceExpires) {
  Gate gate;
  StartServer(TestOptions(), &gate);
  auto reply = std::async(std::launch::async, [&] { return Fetch(port_, "GET", "/metrics"); });
  gate.WaitEntered();
  auto start = std::chrono::steady_clock::now();
  // MHD_stop_daemon still joins the worker stuck in the collector, so open
  // the gate from another thread once the grace period has passed.
  auto opener = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    gate.Open();
  });
  server_->Shutdown(std::chrono::milliseconds(100));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  opener.get();
  reply.get();
}

TEST_F(ServerTest, AnnouncedBodyDoesNotHoldTheConnection) {
  StartServer(TestOptions());  // Idle timeout 30 s: an answer within 10 s is not the timeout.
  RawReply r = RawExchange(port_, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 405"));
  EXPECT_THAT(r.data, HasSubstr("Allow: GET, HEAD\r\n"));
  EXPECT_TRUE(r.closed);
  r = RawExchange(port_, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n");
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 200"));
  EXPECT_TRUE(r.closed);
}

TEST_F(ServerTest, OversizedRequestsGetAnAnswerBeforeTheClose) {
  ServerOptions options = TestOptions();
  options.limits.connection_memory_bytes = 8 * 1024;
  StartServer(options);
  RawReply r = RawExchange(port_, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 414"));
  EXPECT_TRUE(r.closed);
  r = RawExchange(port_, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n");
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 431"));
  EXPECT_TRUE(r.closed);
  // Headers that fit are still served.
  r = RawExchange(
      port_, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: " + std::string(2000, 'c') + "\r\n\r\n");
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 200"));
}

TEST_F(ServerTest, GarbageIsAnswered400AndClosed) {
  StartServer(TestOptions());
  for (std::string_view garbage :
       {std::string_view("\x16\x03\x01\x02\x00\r\n\r\n", 9), std::string_view("GET /metrics\r\n\r\n"),
        std::string_view("\r\n\r\n\xff\xfe\r\n\r\n")}) {
    RawReply r = RawExchange(port_, garbage);
    EXPECT_TRUE(r.closed) << garbage;
    if (!r.data.empty()) {
      EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 400")) << garbage;
    }
  }
}

TEST_F(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options = TestOptions();
  options.limits.connection_timeout_seconds = 1;
  StartServer(options);
  RawReply r = RawExchange(port_, "GET /-/healthy HTTP/1.1\r\nHo", std::chrono::seconds(20));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
}

TEST_F(ServerTest, PerIpLimitClosesExtraConnections) {
  ServerOptions options = TestOptions();
  options.limits.max_connections_per_ip = 2;
  StartServer(options);
  // Two kept-alive connections, surely accepted since each got its answer.
  std::vector<UniqueFd> held;
  for (int i = 0; i < 2; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    held.emplace_back(fd);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    std::string request = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    char buf[1024];
    ASSERT_GT(read(fd, buf, sizeof(buf)), 0);
  }
  RawReply third = RawExchange(port_, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(third.closed);
  EXPECT_EQ(third.data, "");

  // A freed slot serves again, once the server has seen the close.
  held.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = RawExchange(port_, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                 .data.find("HTTP/1.1 200") != std::string::npos;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(served);
}

TEST(SplitHostPortTest, Forms) {
  std::string host, port;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9100", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, "9100");
  ASSERT_TRUE(SplitHostPort(":9100", &host, &port).ok());
  EXPECT_EQ(host, "");
  EXPECT_EQ(port, "9100");
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, "80");
  ASSERT_TRUE(SplitHostPort("localhost:http", &host, &port).ok());
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, "http");
}

TEST(SplitHostPortTest, Errors) {
  std::string host, port;
  EXPECT_EQ(SplitHostPort("9100", &host, &port).message(), "address 9100: missing port in address");
  EXPECT_EQ(SplitHostPort("::1:80", &host, &port).message(), "address ::1:80: too many colons in address");
  EXPECT_EQ(SplitHostPort("[::1]", &host, &port).message(), "address [::1]: missing port in address");
  EXPECT_EQ(SplitHostPort("[::1:80", &host, &port).message(), "address [::1:80: missing ']' in address");
  EXPECT_FALSE(SplitHostPort("host:", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("a]b:80", &host, &port).ok());
}

TEST(ServerStartTest, BadAddressesFailWithOneLine) {
  NullLogger log;
  auto scraper = FakeScraper(log.Get());
  ServerOptions options = TestOptions();
  options.listen_addresses = {"127.0.0.1"};
  auto server = Server::Start(options, scraper.get(), log.Get());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(), "listen tcp 127.0.0.1: address 127.0.0.1: missing port in address");

  options.listen_addresses = {"127.0.0.1:notaport"};
  server = Server::Start(options, scraper.get(), log.Get());
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(server.status().message(), HasSubstr("listen tcp 127.0.0.1:notaport: "));
  EXPECT_EQ(server.status().message().find('\n'), std::string::npos);
}

TEST(ServerStartTest, SeveralAddressesAndHostnames) {
  NullLogger log;
  auto scraper = FakeScraper(log.Get());
  ServerOptions options = TestOptions();
  options.listen_addresses = {"127.0.0.1:0", "localhost:0"};
  auto server = Server::Start(options, scraper.get(), log.Get());
  ASSERT_TRUE(server.ok()) << server.status().message();
  ASSERT_EQ((*server)->ports().size(), 2u);
  for (uint16_t port : (*server)->ports()) {
    EXPECT_EQ(Fetch(port, "GET", "/-/ready").body, "OK");
  }
}

}  // namespace
}  // namespace nodex::http
