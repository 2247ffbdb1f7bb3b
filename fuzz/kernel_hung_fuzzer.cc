// Fuzzes ParseKernelHung (/proc/sys/kernel/hung_task_detect_count): it must
// never crash, and accepted input must round-trip through the decimal form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/kernel_hung.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto count = nodex::collectors::ParseKernelHung(input);
  if (!count.ok()) return 0;
  if (input.find(std::to_string(*count)) == std::string_view::npos && *count != 0) std::abort();
  return 0;
}
