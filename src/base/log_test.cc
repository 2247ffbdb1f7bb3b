#include "base/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace nodex {
namespace {

constexpr std::string_view kTs = "2024-01-02T03:04:05.678Z";

TEST(LogFormatTest, LogfmtPlain) {
  EXPECT_EQ(Logger::Format(LogFormat::kLogfmt, kTs, LogLevel::kInfo, "listening", {{"address", ":9100"}}),
            "ts=2024-01-02T03:04:05.678Z level=info msg=listening address=:9100\n");
}

TEST(LogFormatTest, LogfmtQuoting) {
  EXPECT_EQ(Logger::Format(LogFormat::kLogfmt, kTs, LogLevel::kWarn, "collector failed",
                           {{"collector", "cpu"}, {"err", "open /proc/stat: no such file"}, {"empty", ""}}),
            "ts=2024-01-02T03:04:05.678Z level=warn msg=\"collector failed\" collector=cpu "
            "err=\"open /proc/stat: no such file\" empty=\"\"\n");
  EXPECT_EQ(Logger::Format(LogFormat::kLogfmt, kTs, LogLevel::kError, "x",
                           {{"k", "a=b"}, {"q", "say \"hi\""}, {"nl", "l1\nl2\tx\\y"}}),
            "ts=2024-01-02T03:04:05.678Z level=error msg=x k=\"a=b\" q=\"say \\\"hi\\\"\" "
            "nl=\"l1\\nl2\\tx\\\\y\"\n");
}

TEST(LogFormatTest, JsonEscaping) {
  EXPECT_EQ(Logger::Format(LogFormat::kJson, kTs, LogLevel::kDebug, "a \"quoted\" msg",
                           {{"path", "C:\\x"}, {"ctl", std::string_view("\x01\n\t\r", 4)}}),
            "{\"ts\":\"2024-01-02T03:04:05.678Z\",\"level\":\"debug\",\"msg\":\"a \\\"quoted\\\" msg\","
            "\"path\":\"C:\\\\x\",\"ctl\":\"\\u0001\\n\\t\\r\"}\n");
  // Non-ASCII bytes pass through unchanged (UTF-8 is valid JSON text).
  EXPECT_EQ(Logger::Format(LogFormat::kJson, kTs, LogLevel::kInfo, "caf\xc3\xa9", {}),
            "{\"ts\":\"2024-01-02T03:04:05.678Z\",\"level\":\"info\",\"msg\":\"caf\xc3\xa9\"}\n");
}

TEST(LogLevelTest, ParseAndEnabled) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("INFO"));
  EXPECT_FALSE(ParseLogLevel(""));
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_FALSE(ParseLogFormat("text"));
  Logger logger(LogLevel::kWarn);
  EXPECT_FALSE(logger.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger.Enabled(LogLevel::kWarn));
  EXPECT_TRUE(logger.Enabled(LogLevel::kError));
}

TEST(LoggerTest, WritesWholeLinesAtOrAboveLevel) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  {
    Logger logger(LogLevel::kInfo, LogFormat::kLogfmt, fds[1]);
    logger.Debug("hidden");
    logger.Info("shown", {{"k", "v"}});
    logger.set_format(LogFormat::kJson);
    logger.Error("also shown");
  }
  close(fds[1]);
  std::string got;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  EXPECT_EQ(got.find("hidden"), std::string::npos);
  const size_t first_nl = got.find('\n');
  ASSERT_NE(first_nl, std::string::npos);
  const std::string first = got.substr(0, first_nl);
  EXPECT_EQ(first.rfind("ts=", 0), 0u);
  EXPECT_NE(first.find(" level=info msg=shown k=v"), std::string::npos);
  const std::string second = got.substr(first_nl + 1);
  EXPECT_EQ(second.rfind("{\"ts\":\"", 0), 0u);
  EXPECT_NE(second.find("\"level\":\"error\",\"msg\":\"also shown\"}\n"), std::string::npos);
}

}  // namespace
}  // namespace nodex
