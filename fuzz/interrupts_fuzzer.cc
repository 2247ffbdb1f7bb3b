// Fuzzes ParseInterrupts (/proc/interrupts): every accepted row has one count
// per header column, and all views stay inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/interrupts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::InterruptTable table;
  if (!nodex::collectors::ParseInterrupts(input, &table).ok()) return 0;
  if (table.values.size() != table.row_count * table.cpus) std::abort();
  for (std::string_view v : table.values) {
    if (v.empty() || v.data() < input.data() || v.data() + v.size() > input.data() + size) std::abort();
  }
  return 0;
}
