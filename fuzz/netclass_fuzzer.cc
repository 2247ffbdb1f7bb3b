// Fuzzes the netclass parsers: ParseNetClassAttribute for every attribute
// name on the input as the (trimmed) value, DecodeNetClassLinkDump on the
// input as an RTM_GETLINK dump buffer, and DecodeEthtoolLinkModesDump (plus
// the genl family-id decoder) on it as an ethtool generic-netlink dump buffer
// (any alignment). None may crash; decoded names must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/split.h"
#include "collectors/genetlink.h"
#include "collectors/netclass.h"

namespace {

struct CheckingSink : nodex::collectors::NetClassLinkSink {
  const uint8_t* begin;
  size_t size;
  std::string scratch;
  void Check(std::string_view s) const {
    auto* p = reinterpret_cast<const uint8_t*>(s.data());
    if (!s.empty() && (p < begin || p + s.size() > begin + size)) std::abort();
  }
  void OnLink(const nodex::collectors::NetClassLink& l) override {
    Check(l.name);
    Check(l.address);
    Check(l.broadcast);
    Check(l.ifalias);
    scratch.clear();
    nodex::collectors::AppendHardwareAddr(l.address, &scratch);
    if (!l.address.empty() && scratch.size() != l.address.size() * 3 - 1) std::abort();
  }
};

struct CheckingModeSink : nodex::collectors::EthtoolLinkModeSink {
  const uint8_t* begin;
  size_t size;
  std::string duplex;
  void OnLinkMode(const nodex::collectors::EthtoolLinkMode& m) override {
    auto* p = reinterpret_cast<const uint8_t*>(m.name.data());
    if (!m.name.empty() && (p < begin || p + m.name.size() > begin + size)) std::abort();
    nodex::collectors::EthtoolDuplexLabel(m.duplex, &duplex);
    if (duplex.empty()) std::abort();
    if (nodex::collectors::EthtoolSpeedBytes(m.speed) < 0) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view value = nodex::TrimSpace(text.substr(0, 128));
  nodex::collectors::NetClassIface iface;
  for (std::string_view name : nodex::collectors::NetClassAttributeNames()) {
    if (!nodex::collectors::ParseNetClassAttribute(name, value, &iface)) std::abort();
  }
  CheckingSink sink;
  sink.begin = data;
  sink.size = size;
  (void)nodex::collectors::DecodeNetClassLinkDump({data, size}, 0, sink);
  (void)nodex::collectors::DecodeNetClassLinkDump({data, size}, 1, sink);
  CheckingModeSink modes;
  modes.begin = data;
  modes.size = size;
  (void)nodex::collectors::DecodeEthtoolLinkModesDump({data, size}, 0, 0, modes);
  (void)nodex::collectors::DecodeEthtoolLinkModesDump({data, size}, 2, 21, modes);
  uint16_t id = 0;
  (void)nodex::collectors::genl::DecodeFamilyId({data, size}, 0, &id);
  (void)nodex::collectors::genl::DumpErrno({data, size}, 0);
  return 0;
}
