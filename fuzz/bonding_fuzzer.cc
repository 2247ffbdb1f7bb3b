// Fuzzes the bonding parsers: SplitBondingNames (bonding_masters, slaves)
// and BondingSlaveUp (mii_status). Every name must be non-empty, free of
// whitespace and inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "base/split.h"
#include "collectors/bonding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> names;
  nodex::collectors::SplitBondingNames(text, &names);
  for (std::string_view n : names) {
    if (n.empty() || n.data() < text.data() || n.data() + n.size() > text.data() + text.size()) std::abort();
    for (char c : n) {
      if (nodex::IsSpace(c)) std::abort();
    }
  }
  (void)nodex::collectors::BondingSlaveUp(text);
  return 0;
}
