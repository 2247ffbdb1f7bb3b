#include "hostnet/proc_status.h"

#include "base/parse.h"
#include "base/split.h"

namespace nodex::hostnet {
namespace {

// The value of "Key:\tvalue" in a status file, trimmed.
std::optional<std::string_view> StatusValue(std::string_view status, std::string_view key) {
  std::string_view line;
  while (NextLine(&status, &line)) {
    std::string_view k, v;
    if (SplitOnce(line, ':', &k, &v) && k == key) return TrimSpace(v);
  }
  return std::nullopt;
}

}  // namespace

std::optional<StatHead> ParseStatHead(std::string_view stat) {
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  StatHead head;
  head.comm = stat.substr(open + 1, close - open - 1);
  std::string_view fields[2];
  if (SplitFields(stat.substr(close + 1), fields, 2) < 2) return std::nullopt;
  if (fields[0].size() != 1) return std::nullopt;
  auto ppid = ParseI64(fields[1]);
  if (!ppid) return std::nullopt;
  head.state = fields[0][0];
  head.ppid = *ppid;
  return head;
}

std::optional<size_t> ParseNsPidDepth(std::string_view status) {
  auto value = StatusValue(status, "NSpid");
  if (!value) return std::nullopt;
  size_t depth = 0;
  std::string_view rest = *value, field;
  while (NextField(&rest, &field)) {
    if (!ParseI64(field)) return std::nullopt;
    ++depth;
  }
  if (depth == 0) return std::nullopt;
  return depth;
}

std::optional<uint64_t> ParseCapEff(std::string_view status) {
  auto value = StatusValue(status, "CapEff");
  if (!value) return std::nullopt;
  return ParseInt<uint64_t>(*value, 16);
}

std::string FormatCommand(std::string_view cmdline, std::string_view comm, size_t max_size) {
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.remove_suffix(1);
  if (cmdline.empty()) return "[" + std::string(comm) + "]";
  std::string out;
  for (char c : cmdline) {
    // Control bytes would break the one-line messages this ends up in.
    out.push_back(c == '\0' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  if (out.size() > max_size) {
    // Cut at a UTF-8 character boundary: the result may end up in JSON.
    while (max_size > 0 && (static_cast<unsigned char>(out[max_size]) & 0xC0) == 0x80) --max_size;
    out.resize(max_size);
    out += "...";
  }
  return out;
}

}  // namespace nodex::hostnet
