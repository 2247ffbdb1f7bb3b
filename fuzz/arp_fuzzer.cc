// Fuzzes the arp parsers on the same input: ParseProcNetArp (/proc/net/arp)
// and the rtnetlink decoders DecodeNeighDump (RTM_GETNEIGH) and
// rtnl::DecodeLinkNames (RTM_GETLINK), on the bytes as given (any
// alignment). None may crash; every device must lie inside the input, and
// every decoded link name must be a NUL-free piece no longer than it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/arp.h"
#include "collectors/rtnetlink.h"

namespace {

void CheckInside(std::string_view s, const uint8_t* begin, size_t size) {
  auto* p = reinterpret_cast<const uint8_t*>(s.data());
  if (!s.empty() && (p < begin || p + s.size() > begin + size)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> devices;
  if (nodex::collectors::ParseProcNetArp(text, &devices).ok()) {
    for (std::string_view d : devices) {
      if (d.empty()) std::abort();
      CheckInside(d, data, size);
    }
  }
  std::span<const uint8_t> bytes(data, size);
  std::vector<nodex::collectors::Neighbour> neighbours;
  (void)nodex::collectors::DecodeNeighDump(bytes, 0, &neighbours);
  (void)nodex::collectors::DecodeNeighDump(bytes, 1, &neighbours);
  std::vector<nodex::collectors::rtnl::LinkName> links;
  size_t count = 0;
  (void)nodex::collectors::rtnl::DecodeLinkNames(bytes, 0, &links, &count);
  if (count > links.size()) std::abort();
  for (size_t i = 0; i < count; ++i) {
    const std::string& name = links[i].name;
    if (name.size() > size || name.find('\0') != std::string::npos) std::abort();
  }
  return 0;
}
