// Fuzzes the ZFS kstat parsers: named kstat tables, pool io, objset and
// state files, all fed the same input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/zfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)ParseZfsKstat(input, [](std::string_view name, double) {
    if (name.empty()) std::abort();
  });
  (void)ParseZfsPoolIo(input, [](std::string_view name, double) {
    if (name.empty()) std::abort();
  });
  (void)ParseZfsObjset(input, [&](std::string_view dataset, std::string_view, double) {
    // The dataset name must point into the input.
    if (!dataset.empty() && (dataset.data() < input.data() || dataset.data() + dataset.size() > input.data() + size)) {
      std::abort();
    }
  });
  std::string state;
  ParseZfsPoolState(input, &state);
  return 0;
}
