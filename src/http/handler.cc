#include "http/handler.h"

#include <malloc.h>

#include <utility>

namespace nodex::http {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";
constexpr std::string_view kHtml = "text/html; charset=utf-8";

constexpr Desc kBuildInfo{"nodex_build_info", "Constant 1, labelled with the version and revision of nodex.",
                          MetricType::kGauge};
constexpr Desc kRequestsInFlight{"promhttp_metric_handler_requests_in_flight",
                                 "Metrics requests being served right now.", MetricType::kGauge};
constexpr Desc kRequestsTotal{"promhttp_metric_handler_requests_total", "Metrics requests served, by HTTP status code.",
                              MetricType::kCounter};

Response TextResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = kPlainText;
  r.body = std::move(body);
  return r;
}

void AppendHtmlEscaped(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\'': *out += "&#39;"; break;
      default: *out += c;
    }
  }
}

std::string RenderLandingPage(const ServerOptions& options, const std::vector<std::string>& collectors) {
  std::string page =
      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>nodex</title>\n</head>\n<body>\n"
      "<h1>nodex</h1>\n<p>A Prometheus node_exporter compatible exporter.</p>\n<p>Version: ";
  AppendHtmlEscaped(options.version.empty() ? "unknown" : options.version, &page);
  page += " (revision ";
  AppendHtmlEscaped(options.revision.empty() ? "unknown" : options.revision, &page);
  page += ")</p>\n<p><a href=\"";
  AppendHtmlEscaped(options.telemetry_path, &page);
  page += "\">Metrics</a></p>\n<h2>Enabled collectors</h2>\n<ul>\n";
  for (const std::string& name : collectors) {
    page += "<li>";
    AppendHtmlEscaped(name, &page);
    page += "</li>\n";
  }
  page += "</ul>\n</body>\n</html>\n";
  return page;
}

// Decrements the in-flight count however ServeMetrics returns.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>* count) : count_(count), value_(count->fetch_add(1) + 1) {}
  ~InFlight() { count_->fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  int Count() const { return value_; }

 private:
  std::atomic<int>* count_;
  int value_;
};

}  // namespace

Handler::Handler(ServerOptions options, collectors::Scraper* scraper, Logger* log)
    : options_(std::move(options)),
      scraper_(scraper),
      log_(log),
      landing_page_(RenderLandingPage(options_, scraper->Names())) {}

Response Handler::Serve(const Request& request) {
  // The method first, on every path: nodex serves nothing but GET and HEAD,
  // so a 405 tells any other method, on any path, the same thing.
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = TextResponse(405, "Method Not Allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const bool known = request.path == options_.telemetry_path || request.path == "/" || request.path == kHealthyPath ||
                     request.path == kReadyPath;
  if (!known) return TextResponse(404, "404 page not found\n");
  // The telemetry path wins if it is configured as "/" (node_exporter then
  // serves no landing page either).
  if (request.path == options_.telemetry_path) return ServeMetrics(request);
  if (request.path == "/") return LandingPage();
  return TextResponse(200, "OK");
}

Response Handler::LandingPage() const {
  Response r;
  r.content_type = kHtml;
  r.body = landing_page_;
  if (options_.status_text) {
    std::string status = "<h2>Status</h2>\n<pre>";
    AppendHtmlEscaped(options_.status_text(), &status);
    status += "</pre>\n";
    size_t end = r.body.rfind("</body>");
    r.body.insert(end == std::string::npos ? r.body.size() : end, status);
  }
  return r;
}

Response Handler::ServeMetrics(const Request& request) {
  std::vector<std::string> collect;
  std::vector<std::string> exclude;
  for (const auto& [key, value] : request.query) {
    if (key == "collect[]") {
      collect.push_back(value);
    } else if (key == "exclude[]") {
      exclude.push_back(value);
    }
  }
  std::vector<std::string> selected;
  Status filter = collectors::SelectCollectors(*scraper_, collect, exclude, &selected);
  if (!filter.ok()) {
    // A client error, but node_exporter logs it too: it is usually a
    // misconfigured scrape job that an operator wants to find.
    log_->Warn("Rejected filtered metrics request", {{"err", filter.message()}});
    return TextResponse(400, filter.message() + "\n");
  }

  // Counted before taking the lock, so requests queued behind a slow scrape
  // count against the limit too.
  InFlight in_flight(&in_flight_);
  if (options_.max_requests > 0 && in_flight.Count() > options_.max_requests) {
    served_503_.fetch_add(1, std::memory_order_relaxed);
    return TextResponse(503, "Limit of concurrent requests reached (" + std::to_string(options_.max_requests) +
                                 "), try again later.\n");
  }

  Response response;
  response.content_type = expo::kTextContentType;
  response.headers.emplace_back("Vary", "Accept-Encoding");
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The first scrape sizes every buffer by growing it (collectors' reads,
    // the MetricSet, the page, the first gzip output at its worst-case size)
    // and leaves the blocks it outgrew, like those start-up freed, free but
    // resident amid the heap; later scrapes reuse their buffers. By the second
    // scrape the first response has been sent, so one malloc_trim then gives
    // those pages back for good: 40-70 KiB of RSS, once in the process's life.
    if (scrapes_++ == 1) malloc_trim(0);
    ScrapeLocked(selected, expo::AcceptsGzip(request.accept_encoding), &response);
  }
  served_200_.fetch_add(1, std::memory_order_relaxed);
  return response;
}

void Handler::ScrapeLocked(const std::vector<std::string>& selected, bool gzip, Response* response) {
  scraper_->Scrape(selected, &set_);
  if (!options_.disable_exporter_metrics) AddExporterMetricsLocked();

  // After a plain scrape gave text_ away: one allocation about the size the
  // page had (malloc hands back the block just sent and freed), instead of
  // growing by doubling from nothing.
  if (text_.capacity() < text_size_) text_.reserve(text_size_ + text_size_ / 16);
  expo::WriteResult written = writer_.Write(set_, &text_);
  text_size_ = text_.size();
  if (!written.duplicates.empty() && written.duplicates.front() != last_duplicate_) {
    last_duplicate_ = written.duplicates.front();
    log_->Error("Dropped duplicate series",
                {{"series", last_duplicate_}, {"count", std::to_string(written.duplicates.size())}});
  }
  if (!written.invalid_utf8.empty() && written.invalid_utf8.front() != last_invalid_utf8_) {
    last_invalid_utf8_ = written.invalid_utf8.front();
    log_->Error("Dropped series with a label value that is not UTF-8",
                {{"series", last_invalid_utf8_}, {"count", std::to_string(written.invalid_utf8.size())}});
  }

  // Either buffer moves into the response, which the transport frees once
  // sent: one copy of the page at a time, and no memcpy of it.
  if (gzip) {
    std::string compressed;
    if (gzip_.Compress(text_, &compressed)) {
      response->headers.emplace_back("Content-Encoding", "gzip");
      response->body = std::move(compressed);
      return;
    }
    log_->Error("gzip compression failed; sending the scrape uncompressed");
  }
  response->body = std::move(text_);
  text_.clear();
}

void Handler::AddExporterMetricsLocked() {
  Status process = process_.Collect(&set_);
  if (process.message() != last_process_error_) {
    if (process.ok()) {
      log_->Info("Process metrics available again");
    } else {
      log_->Error("Reading process metrics failed", {{"err", process.message()}});
    }
    last_process_error_ = process.message();
  }

  set_.Add(kBuildInfo, 1, {{"version", options_.version}, {"revision", options_.revision}});
  if (options_.extra_metrics) options_.extra_metrics(set_);

  set_.Add(kRequestsInFlight, in_flight_.load(std::memory_order_relaxed));
  set_.Add(kRequestsTotal, static_cast<double>(served_200_.load(std::memory_order_relaxed)), {{"code", "200"}});
  // promhttp answers 500 when gathering fails; nodex serves partial results
  // instead, like node_exporter's ContinueOnError, so the series stays 0.
  set_.Add(kRequestsTotal, 0, {{"code", "500"}});
  set_.Add(kRequestsTotal, static_cast<double>(served_503_.load(std::memory_order_relaxed)), {{"code", "503"}});
}

}  // namespace nodex::http
