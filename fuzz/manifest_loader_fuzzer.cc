// Fuzzes the `nodex lint` pipeline behind the manifest loader: YAML parsing
// (ParseManifests), normalisation and every rule. Any input must either load
// or fail with a file:line message, never crash or throw; findings must point
// at a line inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lint/lint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::lint::Document> docs;
  nodex::Status st = nodex::lint::ParseManifests(input, "f.yaml", &docs);
  if (!st.ok()) {
    if (st.message().rfind("f.yaml", 0) != 0) std::abort();
    return 0;
  }
  std::vector<nodex::lint::Object> objects = nodex::lint::NormaliseAll(docs, {});
  nodex::lint::EngineInput in;
  if (objects.size() <= 64) in.previous = &objects;  // HN043 compares every pair
  std::vector<nodex::lint::Finding> findings = nodex::lint::RunRules(objects, in);
  size_t lines = 1;
  for (char c : input) lines += c == '\n';
  for (const nodex::lint::Finding& f : findings) {
    if (f.line < 0 || static_cast<size_t>(f.line) > lines) std::abort();
  }
  return 0;
}
