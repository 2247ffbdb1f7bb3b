// Fuzzes ParseMountInfo (/proc/<pid>/mountinfo) and the label helpers the
// filesystem collector applies to each entry, checking that every view the
// parser returns lies inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/filesystem.h"

namespace {

void CheckInside(std::string_view input, std::string_view field) {
  if (field.empty()) return;
  if (field.data() < input.data() || field.data() + field.size() > input.data() + input.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::MountInfoEntry> mounts;
  if (!nodex::collectors::ParseMountInfo(input, &mounts).ok()) return 0;
  std::string decoded;
  for (const auto& m : mounts) {
    for (std::string_view f : {m.root, m.mount_point, m.mount_options, m.fs_type, m.source, m.super_options}) {
      CheckInside(input, f);
    }
    nodex::collectors::DecodeMountPoint(m.mount_point, &decoded);
    if (decoded.size() > m.mount_point.size()) std::abort();
    std::string_view stripped = nodex::collectors::StripRootfsPrefix(decoded, "/host");
    if (stripped.empty()) std::abort();
    (void)nodex::collectors::IsReadOnlyMount(m.mount_options, m.super_options);
  }
  return 0;
}
