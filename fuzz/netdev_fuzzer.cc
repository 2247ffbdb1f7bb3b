// Fuzzes both netdev parsers on the same input: ParseProcNetDev
// (/proc/net/dev) and DecodeLinkDump (an rtnetlink RTM_GETLINK dump buffer,
// copied to an aligned buffer as recv() would fill it). Neither may crash;
// every decoded link name must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "collectors/netdev.h"

namespace {

struct CheckingSink : nodex::collectors::LinkSink {
  const uint8_t* begin;
  const uint8_t* end;
  void OnLink(std::string_view name, const nodex::collectors::LinkStats&) override {
    auto* p = reinterpret_cast<const uint8_t*>(name.data());
    if (!name.empty() && (p < begin || p + name.size() > end)) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::ProcNetDevLine> lines;
  if (nodex::collectors::ParseProcNetDev(text, &lines).ok()) {
    for (const auto& l : lines) {
      if (l.name.empty()) std::abort();
    }
  }
  std::vector<uint64_t> aligned(size / 8 + 1);
  if (size > 0) std::memcpy(aligned.data(), data, size);
  CheckingSink sink;
  sink.begin = reinterpret_cast<const uint8_t*>(aligned.data());
  sink.end = sink.begin + size;
  // seq 0 accepts every message; seq 1 matches the captured corpus dump.
  (void)nodex::collectors::DecodeLinkDump({sink.begin, size}, 0, sink);
  (void)nodex::collectors::DecodeLinkDump({sink.begin, size}, 1, sink);
  return 0;
}
