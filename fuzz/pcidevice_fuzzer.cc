// Fuzzes the pcidevice parsers. The first line of the input names a sysfs
// attribute (or "link" for the bus/pci/devices symlink target, or "pci.ids"),
// the rest is the content; every input is also fed to ParsePciLocation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/pcidevice.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view name = input.substr(0, nl);
  std::string_view content = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

  PciLocation loc;
  if (ParsePciLocation(input, &loc).ok()) {
    if (loc.segment < 0 || loc.bus < 0 || loc.device < 0 || loc.function < 0) std::abort();
  }
  PciDevice dev;
  if (name == "link") {
    (void)ParsePciDeviceLink(content, &dev);
  } else if (name == "pci.ids") {
    PciIds ids;
    ParsePciIds(content, &ids);
  } else if (ApplyPciDeviceAttribute(name, content, &dev).ok()) {
    if (dev.power_state < -1 || dev.power_state > kPciPowerStateOther) std::abort();
  }
  return 0;
}
