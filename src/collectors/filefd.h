// The filefd collector (mirrors node_exporter's filefd collector,
// collector/filefd_linux.go): node_filefd_allocated and node_filefd_maximum.
#ifndef NODEX_COLLECTORS_FILEFD_H_
#define NODEX_COLLECTORS_FILEFD_H_

#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

struct FileFdStats {
  double allocated = 0;
  double maximum = 0;
};

// Parses /proc/sys/fs/file-nr, one line of three tab-separated numbers:
// allocated handles, free allocated handles, maximum:
//   1024	0	1631329
//   512	0	9223372036854775807
// The middle value has been 0 since Linux 2.6 and is ignored. Like
// node_exporter the content is trimmed and split on tabs only, so at least
// three tab-separated fields are required; the first and third must be
// decimal numbers.
[[nodiscard]] StatusOr<FileFdStats> ParseFileNr(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewFilefdCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_FILEFD_H_
