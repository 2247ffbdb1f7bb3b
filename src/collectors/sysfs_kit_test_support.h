// Test-only support for the sysfs collectors' conformance tests.
//
// The conformance kit on some machines has lost what a plain git checkout
// loses: its 92 symlinks are stored as regular files holding the link target
// (e.g. sys/class/hwmon/hwmon0 contains "../../devices/platform/coretemp.0/
// hwmon/hwmon0"), and empty directories (sys/class/watchdog/watchdog1) are
// missing. node_exporter's expected output was produced from the real tree,
// so tests copy collector/fixtures/sys into a scratch directory, turn those
// files back into symlinks and recreate the known empty directories. When the
// kit is intact the copy is unchanged.
#ifndef NODEX_COLLECTORS_SYSFS_KIT_TEST_SUPPORT_H_
#define NODEX_COLLECTORS_SYSFS_KIT_TEST_SUPPORT_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace nodex::collectors::testing {

// Returns a directory D such that D/collector/fixtures/sys is a repaired copy
// of the kit's sys tree (use it with ScopedKitDir and KitContext).
inline std::string RepairedSysfsKit(const std::string& kit_dir, const std::string& tag) {
  namespace fs = std::filesystem;
  std::string root = std::string(::testing::TempDir()) + "nodex_sysfs_kit_" + tag + "_" + std::to_string(getpid());
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::path dst = fs::path(root) / "collector/fixtures/sys";
  fs::create_directories(dst.parent_path());
  fs::copy(fs::path(kit_dir) / "collector/fixtures/sys", dst,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dst); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory()) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add);
    if (it->is_regular_file() && !it->is_symlink() && it->file_size() < 256) files.push_back(it->path());
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.rfind("../", 0) != 0 || content.find_first_of("\n \t") != std::string::npos) continue;
    fs::remove(f);
    fs::create_symlink(content, f);
  }
  // Empty directories of upstream's sys.ttar that a checkout drops.
  fs::create_directories(dst / "class/watchdog/watchdog1");
  return root;
}

}  // namespace nodex::collectors::testing

#endif  // NODEX_COLLECTORS_SYSFS_KIT_TEST_SUPPORT_H_
