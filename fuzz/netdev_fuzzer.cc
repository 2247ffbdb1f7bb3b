// Fuzzes the three netdev parsers on the same input: ParseProcNetDev
// (/proc/net/dev), DecodeLinkDump (an rtnetlink RTM_GETLINK dump buffer) and
// DecodeStatsDump (an RTM_GETSTATS dump buffer), the last two on a copy in an
// aligned buffer as recv() would fill it. None may crash; every decoded link
// name must lie inside the input, and a reported netlink error is an errno.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/netdev.h"

namespace {

struct CheckingSink : nodex::collectors::LinkSink {
  const uint8_t* begin;
  const uint8_t* end;
  bool index_pending = false;
  void CheckName(std::string_view name) const {
    auto* p = reinterpret_cast<const uint8_t*>(name.data());
    if (!name.empty() && (p < begin || p + name.size() > end)) std::abort();
  }
  void OnLinkIndex(uint32_t, std::string_view name, bool has_stats) override {
    CheckName(name);
    if (index_pending) std::abort();  // the previous link's OnLink never came
    index_pending = has_stats;
  }
  void OnLink(std::string_view name, const nodex::collectors::LinkStats&) override {
    CheckName(name);
    if (!index_pending) std::abort();  // OnLink without its OnLinkIndex
    index_pending = false;
  }
};

struct CountingStatsSink : nodex::collectors::LinkStatsSink {
  size_t links = 0;
  void OnLinkStats(uint32_t, const nodex::collectors::LinkStats&) override { ++links; }
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
  // Exactly `size` bytes, so that ASan sees any read past the end; operator
  // new aligns them for nlmsghdr.
  std::vector<uint8_t> copy(data, data + size);
  const uint8_t* begin = copy.data();
  // seq 0 accepts every message; seq 1 matches the captured corpus dumps.
  for (uint32_t seq : {0u, 1u}) {
    CheckingSink sink;
    sink.begin = begin;
    sink.end = begin + size;
    (void)nodex::collectors::DecodeLinkDump({begin, size}, seq, sink);

    CountingStatsSink stats;
    int netlink_error = 0;
    auto done = nodex::collectors::DecodeStatsDump({begin, size}, seq, stats, &netlink_error);
    if (done.ok() && netlink_error != 0) std::abort();  // only a failed dump reports an error
    if (netlink_error < 0) std::abort();
    if (stats.links > size / 16) std::abort();  // each link is a message of its own
  }
  return 0;
}
