// The os collector (mirrors node_exporter's os collector,
// collector/os_release.go): node_os_info, node_os_version and
// node_os_support_end_timestamp_seconds from <rootfs>/etc/os-release, or
// <rootfs>/usr/lib/os-release when the first does not exist.
#ifndef NODEX_COLLECTORS_OS_H_
#define NODEX_COLLECTORS_OS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// The os-release keys node_exporter uses; all others are ignored.
struct OsRelease {
  std::string name;              // NAME
  std::string id;                // ID
  std::string id_like;           // ID_LIKE
  std::string pretty_name;       // PRETTY_NAME
  std::string variant;           // VARIANT
  std::string variant_id;        // VARIANT_ID
  std::string version;           // VERSION
  std::string version_id;        // VERSION_ID
  std::string version_codename;  // VERSION_CODENAME
  std::string build_id;          // BUILD_ID
  std::string image_id;          // IMAGE_ID
  std::string image_version;     // IMAGE_VERSION
  std::string support_end;       // SUPPORT_END
};

// Parses an os-release file (os-release(5)):
//   NAME="Debian GNU/Linux"
//   VERSION_ID="12"
//   ID=debian
// with the rules of hashicorp/go-envparse, which node_exporter uses, not
// shell rules: each line is trimmed; blank lines and lines starting with '#'
// are skipped; otherwise the line must be KEY=VALUE with KEY matching
// [A-Za-z_][A-Za-z0-9_]* after an optional "export " prefix. The value is
// trimmed, then read as a mix of unquoted text (ends at '#', which starts a
// comment; whitespace before the comment is dropped), '...' (taken
// literally) and "..." (with the JSON escapes \" \\ \/ \b \f \n \r \t and
// \uXXXX, surrogate pairs included). Control characters (tab included)
// anywhere in the value, unknown escapes, bad \u sequences and unclosed
// quotes fail the whole file, even on keys that are not used. A repeated key
// keeps its last value. Known differences from go-envparse: only ASCII
// whitespace is trimmed, and a multi-byte character right before a trailing
// comment is kept whole (go-envparse cuts its last byte, producing invalid
// UTF-8).
[[nodiscard]] Status ParseOsRelease(std::string_view content, OsRelease* out);

// The major.minor part of VERSION_ID as node_exporter derives it: the
// longest prefix matching ^[0-9]+\.?[0-9]* read as a float ("20.04" ->
// 20.04, "12" -> 12, "3.19.1" -> 3.19, "rolling" -> 0). 0 means "no version"
// and suppresses node_os_version. Fails only when the number overflows a
// double, as Go's ParseFloat does.
[[nodiscard]] StatusOr<double> ParseOsVersion(std::string_view version_id);

// SUPPORT_END as a Unix timestamp (UTC midnight). It must be exactly
// YYYY-MM-DD with a valid calendar date, like Go's time.Parse(time.DateOnly).
[[nodiscard]] StatusOr<int64_t> ParseSupportEnd(std::string_view date);

StatusOr<std::unique_ptr<Collector>> NewOsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_OS_H_
