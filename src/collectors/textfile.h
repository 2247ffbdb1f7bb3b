// The textfile collector (mirrors node_exporter's collector/textfile.go):
// exposes metrics written by other programs into *.prom files, in the text
// exposition format, in the directories named by
// --collector.textfile.directory (repeatable; each may be a glob).
//
//   # HELP backup_last_success_seconds Unix time of the last good backup.
//   # TYPE backup_last_success_seconds gauge
//   backup_last_success_seconds{job="db"} 1.7e+09
//
// Behaviour kept from node_exporter 1.12.1:
// - Each directory pattern goes through Go's filepath.Glob; a pattern that is
//   malformed or matches nothing is read as a plain directory. Directories
//   are read in glob order, their *.prom entries in name order.
// - A file that cannot be read or parsed (expo/text_parser.h), or that
//   carries client-side timestamps, contributes no metrics and sets
//   node_textfile_scrape_error to 1; the collector itself still succeeds.
// - Families of the same name merge across files. When a later file gives a
//   family a different HELP than the first, that file's family is dropped and
//   node_textfile_scrape_error is 1. Families without HELP get
//   "Metric read from <file>[, <file>...]" listing every file with that name.
// - Within one file, series missing some of the family's label names get
//   them with empty values. Across files, the first file's HELP and TYPE win;
//   later series with another HELP or TYPE, and repeated series, are dropped
//   (client_golang's gather checks).
// - node_textfile_mtime_seconds{file} for each file read successfully, with
//   the path as Go's filepath.Join spells it.
// Errors are logged once when they appear, not on every scrape.
#ifndef NODEX_COLLECTORS_TEXTFILE_H_
#define NODEX_COLLECTORS_TEXTFILE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kTextfileFlags[] = {
    {"collector.textfile.directory", FlagKind::kList, "",
     "Directory to read *.prom files with metrics from; glob patterns are expanded. Repeatable."},
};

// Go's filepath.Clean: the shortest lexically equivalent path.
[[nodiscard]] std::string CleanPath(std::string_view path);

enum class GlobMatch { kMatch, kNoMatch, kBadPattern };

// Go's filepath.Match for one path element name: '*', '?', '[...]' with
// '^' negation and ranges, '\' escapes; '*' and '?' never match '/'.
[[nodiscard]] GlobMatch MatchGlob(std::string_view pattern, std::string_view name);

// Go's filepath.Glob: the existing paths matching `pattern`, sorted per
// directory level. Returns false for a malformed pattern.
bool ExpandGlob(std::string_view pattern, std::vector<std::string>* out);

StatusOr<std::unique_ptr<Collector>> NewTextfileCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_TEXTFILE_H_
