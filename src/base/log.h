// Structured logging to stderr in logfmt or JSON, one write(2) per line so
// lines from different threads never interleave.
#ifndef NODEX_BASE_LOG_H_
#define NODEX_BASE_LOG_H_

#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace nodex {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view s);
std::optional<LogFormat> ParseLogFormat(std::string_view s);

using LogField = std::pair<std::string_view, std::string_view>;

class Logger {
 public:
  // fd is where lines go: stderr in production, a pipe or file in tests.
  explicit Logger(LogLevel level = LogLevel::kInfo, LogFormat format = LogFormat::kLogfmt, int fd = 2)
      : level_(level), format_(format), fd_(fd) {}

  void set_level(LogLevel level) { level_ = level; }
  void set_format(LogFormat format) { format_ = format; }
  bool Enabled(LogLevel level) const { return level >= level_; }

  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kDebug, msg, fields); }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kInfo, msg, fields); }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kWarn, msg, fields); }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kError, msg, fields); }

  // Renders one line without writing it; exposed for tests.
  static std::string Format(LogFormat format, std::string_view timestamp, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields);

 private:
  LogLevel level_;
  LogFormat format_;
  int fd_;
  std::mutex mu_;
};

}  // namespace nodex

#endif  // NODEX_BASE_LOG_H_
