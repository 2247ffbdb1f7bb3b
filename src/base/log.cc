#include "base/log.h"

#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "base/json.h"

namespace nodex {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// logfmt quotes a value when it is empty or holds a space, '=' or '"'.
void AppendLogfmtValue(std::string* out, std::string_view v) {
  bool quote = v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
  out->push_back('"');
}

std::string Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1000000);
  return buf;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "logfmt") return LogFormat::kLogfmt;
  if (s == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::string Logger::Format(LogFormat format, std::string_view timestamp, LogLevel level, std::string_view msg,
                           std::initializer_list<LogField> fields) {
  std::string line;
  if (format == LogFormat::kJson) {
    line.append("{\"ts\":");
    AppendJsonString(&line, timestamp);
    line.append(",\"level\":");
    AppendJsonString(&line, LevelName(level));
    line.append(",\"msg\":");
    AppendJsonString(&line, msg);
    for (const auto& [k, v] : fields) {
      line.push_back(',');
      AppendJsonString(&line, k);
      line.push_back(':');
      AppendJsonString(&line, v);
    }
    line.append("}\n");
    return line;
  }
  line.append("ts=");
  line.append(timestamp);
  line.append(" level=");
  line.append(LevelName(level));
  line.append(" msg=");
  AppendLogfmtValue(&line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k);
    line.push_back('=');
    AppendLogfmtValue(&line, v);
  }
  line.push_back('\n');
  return line;
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string line = Format(format_, Now(), level, msg, fields);
  std::lock_guard<std::mutex> lock(mu_);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n <= 0) break;  // Nowhere to report a failing stderr.
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace nodex
