// Fuzzes the HTTP request logic (routing, collect[]/exclude[] filtering, gzip
// negotiation) and the listen-address splitter with arbitrary bytes. The input
// is up to four '\n'-separated parts:
//   <method>\n<path>\n<Accept-Encoding>\n<query string>
// The query string is split on '&' and then at the first '=' (as the HTTP
// library hands it over, minus percent-decoding, which cannot produce anything
// the raw bytes cannot). The handler runs against two fake collectors that
// borrow real collector names, so filters can succeed as well as fail.
// Checks: only the expected status codes, 405 carries Allow, 400 only on the
// telemetry path, combined collect[]+exclude[] is always 400, a gzip body
// always decompresses to a scrape, and a split address is well formed.
#include <fcntl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/scraper.h"
#include "expo/gzip.h"
#include "http/handler.h"
#include "http/server.h"

namespace {

using nodex::Status;
using nodex::http::Handler;
using nodex::http::Request;
using nodex::http::Response;

#define CHECK(cond)                \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

constexpr nodex::expo::Desc kFake{"fuzz_value", "A fake sample.", nodex::expo::MetricType::kGauge};

class FakeCollector : public nodex::collectors::Collector {
 public:
  Status Collect(nodex::expo::MetricSet& out) override {
    out.Add(kFake, 1);
    return Status::Ok();
  }
};

struct Fixture {
  Fixture() : log(nodex::LogLevel::kError, nodex::LogFormat::kLogfmt, open("/dev/null", O_WRONLY | O_CLOEXEC)) {
    std::vector<nodex::collectors::Scraper::Entry> entries;
    entries.push_back({"loadavg", std::make_unique<FakeCollector>()});
    entries.push_back({"meminfo", std::make_unique<FakeCollector>()});
    scraper = std::make_unique<nodex::collectors::Scraper>(std::move(entries), &log);
    nodex::http::ServerOptions options;
    options.version = "fuzz";
    options.revision = "fuzz";
    // Exporter metrics read /proc on every scrape; they are tested elsewhere.
    options.disable_exporter_metrics = true;
    handler = std::make_unique<Handler>(options, scraper.get(), &log);
  }
  nodex::Logger log;
  std::unique_ptr<nodex::collectors::Scraper> scraper;
  std::unique_ptr<Handler> handler;
};

std::string_view NextPart(std::string_view* rest) {
  size_t nl = rest->find('\n');
  std::string_view part = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  return part;
}

bool HasHeader(const Response& r, std::string_view name, std::string_view value) {
  for (const auto& [k, v] : r.headers) {
    if (k == name && v == value) return true;
  }
  return false;
}

void CheckSplitHostPort(std::string_view address) {
  std::string host, port;
  if (!nodex::http::SplitHostPort(address, &host, &port).ok()) return;
  CHECK(!port.empty());
  CHECK(port.find(':') == std::string::npos);
  CHECK(host.size() + port.size() < address.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  std::string_view rest(reinterpret_cast<const char*>(data), size);

  Request request;
  request.method = NextPart(&rest);
  request.path = NextPart(&rest);
  request.accept_encoding = NextPart(&rest);
  std::string_view query = rest;
  bool collect = false;
  bool exclude = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    collect |= key == "collect[]";
    exclude |= key == "exclude[]";
    request.query.emplace_back(std::move(key), std::move(value));
  }

  CheckSplitHostPort(request.path);

  const Response r = fixture->handler->Serve(request);
  const bool metrics = request.path == fixture->handler->options().telemetry_path;
  const bool read_only = request.method == "GET" || request.method == "HEAD";
  switch (r.status) {
    case 200: CHECK(read_only); break;
    case 400: CHECK(metrics && read_only); break;
    case 404: CHECK(!metrics); break;
    case 405:
      CHECK(!read_only);
      CHECK(HasHeader(r, "Allow", "GET, HEAD"));
      break;
    default:
      // 503 needs concurrent requests; the fuzzer sends one at a time.
      CHECK(false);
  }
  if (metrics && read_only && collect && exclude) CHECK(r.status == 400);
  if (metrics && r.status == 200) {
    std::string text = r.body;
    if (HasHeader(r, "Content-Encoding", "gzip")) {
      CHECK(nodex::expo::AcceptsGzip(request.accept_encoding));
      CHECK(nodex::expo::GzipDecompress(r.body, &text));
    }
    // Excluding every collector legitimately leaves nothing to report.
    if (!exclude) CHECK(text.find("node_scrape_collector_success{collector=") != std::string::npos);
  }
  return 0;
}
