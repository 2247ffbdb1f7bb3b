#include "collectors/os.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kInfo{"node_os_info", "Constant 1, labelled with the identity fields of os-release.",
                           expo::MetricType::kGauge};
constexpr expo::Desc kVersion{"node_os_version", "The OS version's major.minor number, from os-release VERSION_ID.",
                              expo::MetricType::kGauge};
constexpr expo::Desc kSupportEnd{"node_os_support_end_timestamp_seconds",
                                 "End of support of the OS as a Unix timestamp, from os-release SUPPORT_END.",
                                 expo::MetricType::kGauge};

// bufio.Scanner's default limit: go-envparse fails on longer lines.
constexpr size_t kMaxLineLength = 64 * 1024 - 1;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<int> HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// Reads the 4 hex digits at s[pos..pos+4).
std::optional<uint32_t> Hex4(std::string_view s, size_t pos) {
  if (s.size() < pos + 4) return std::nullopt;
  uint32_t r = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    std::optional<int> d = HexDigit(s[i]);
    if (!d) return std::nullopt;
    r = r * 16 + static_cast<uint32_t>(*d);
  }
  return r;
}

bool IsSurrogate(uint32_t r) { return r >= 0xD800 && r < 0xE000; }

// UTF-8 encoding with Go's rule: surrogates and values past U+10FFFF become
// U+FFFD.
void AppendUtf8(uint32_t r, std::string* out) {
  if (IsSurrogate(r) || r > 0x10FFFF) r = 0xFFFD;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

bool ValidKey(std::string_view key) {
  if (key.empty()) return false;
  char c = key[0];
  if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')) return false;
  for (char k : key.substr(1)) {
    if (!((k >= 'A' && k <= 'Z') || (k >= 'a' && k <= 'z') || IsDigit(k) || k == '_')) return false;
  }
  return true;
}

// Unquotes one trimmed, non-empty value into *out (go-envparse's state
// machine).
Status ParseValue(std::string_view value, std::string* out) {
  enum class Mode { kNormal, kDouble, kSingle, kEscape };
  out->clear();
  Mode mode = Mode::kNormal;
  // Length of *out up to its last character that was not unquoted
  // whitespace: a trailing comment cuts the value there.
  size_t last_significant = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char v = static_cast<unsigned char>(value[i]);
    if (v < 32) return Status::Error("control character in value");
    if (v > 127) {
      if (mode == Mode::kEscape) return Status::Error("multi-byte character in escape sequence");
      out->push_back(static_cast<char>(v));
      last_significant = out->size();
      continue;
    }
    switch (mode) {
      case Mode::kNormal:
        if (v == '"') {
          mode = Mode::kDouble;
        } else if (v == '\'') {
          mode = Mode::kSingle;
        } else if (v == '#') {
          out->resize(last_significant);
          return Status::Ok();
        } else {
          out->push_back(static_cast<char>(v));
          if (v != ' ') last_significant = out->size();
        }
        break;
      case Mode::kDouble:
        if (v == '"') {
          mode = Mode::kNormal;
        } else if (v == '\\') {
          mode = Mode::kEscape;
        } else {
          out->push_back(static_cast<char>(v));
          last_significant = out->size();
        }
        break;
      case Mode::kSingle:
        if (v == '\'') {
          mode = Mode::kNormal;
        } else {
          out->push_back(static_cast<char>(v));
          last_significant = out->size();
        }
        break;
      case Mode::kEscape:
        switch (v) {
          case '"':
          case '\\':
          case '/': out->push_back(static_cast<char>(v)); break;
          case 'b': out->push_back('\b'); break;
          case 'f': out->push_back('\f'); break;
          case 'r': out->push_back('\r'); break;
          case 'n': out->push_back('\n'); break;
          case 't': out->push_back('\t'); break;
          case 'u': {
            std::optional<uint32_t> r = Hex4(value, i + 1);
            if (!r) return Status::Error("bad \\u escape");
            i += 4;
            if (IsSurrogate(*r)) {
              // A surrogate must be followed by a second \uXXXX; an unpaired
              // or mismatched one decodes to U+FFFD, as in Go.
              if (value.size() < i + 7 || value[i + 1] != '\\' || value[i + 2] != 'u') {
                return Status::Error("incomplete surrogate pair");
              }
              std::optional<uint32_t> r2 = Hex4(value, i + 3);
              if (!r2) return Status::Error("bad \\u escape");
              i += 6;
              if (*r < 0xDC00 && *r2 >= 0xDC00 && *r2 < 0xE000) {
                *r = 0x10000 + ((*r - 0xD800) << 10) + (*r2 - 0xDC00);
              } else {
                *r = 0xFFFD;
              }
            }
            AppendUtf8(*r, out);
            break;
          }
          default: return Status::Error("invalid escape sequence");
        }
        last_significant = out->size();
        mode = Mode::kDouble;
        break;
    }
  }
  switch (mode) {
    case Mode::kNormal: return Status::Ok();
    case Mode::kDouble: return Status::Error("unmatched \"");
    case Mode::kSingle: return Status::Error("unmatched '");
    case Mode::kEscape: return Status::Error("incomplete escape sequence");
  }
  return Status::Ok();
}

std::string* FieldFor(std::string_view key, OsRelease* r) {
  if (key == "NAME") return &r->name;
  if (key == "ID") return &r->id;
  if (key == "ID_LIKE") return &r->id_like;
  if (key == "PRETTY_NAME") return &r->pretty_name;
  if (key == "VARIANT") return &r->variant;
  if (key == "VARIANT_ID") return &r->variant_id;
  if (key == "VERSION") return &r->version;
  if (key == "VERSION_ID") return &r->version_id;
  if (key == "VERSION_CODENAME") return &r->version_codename;
  if (key == "BUILD_ID") return &r->build_id;
  if (key == "IMAGE_ID") return &r->image_id;
  if (key == "IMAGE_VERSION") return &r->image_version;
  if (key == "SUPPORT_END") return &r->support_end;
  return nullptr;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Identifies one version of a file: node_exporter re-parses when the mtime
// changes; size and inode are checked too because they cost nothing extra.
struct FileKey {
  int index = -1;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  bool operator==(const FileKey&) const = default;
};

class OsCollector : public Collector {
 public:
  explicit OsCollector(const Context& ctx) : paths_{ctx.Root("etc/os-release"), ctx.Root("usr/lib/os-release")} {}

  Status Collect(expo::MetricSet& out) override {
    for (int i = 0; i < 2; ++i) {
      struct stat st;
      if (::stat(paths_[i].c_str(), &st) != 0) {
        // Only a missing file falls through to the next candidate.
        if (errno == ENOENT) continue;
        return Status::Error("stat " + paths_[i] + ": " + strerror(errno));
      }
      FileKey key{i, st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
      if (!(has_cache_ && key == cached_key_)) {
        Status load = Load(i);
        if (load.code() == StatusCode::kNoData) continue;  // Removed since stat.
        if (!load.ok()) return load;
        // A parse failure is cached too: the same bytes would fail again.
        has_cache_ = true;
        cached_key_ = key;
      }
      if (!cached_status_.ok()) return cached_status_;
      Emit(out);
      return Status::Ok();
    }
    return Status::NoData("no os-release file found");
  }

 private:
  // Reads and parses paths_[index] into the cache. Returns read errors
  // (not cached); parse errors are stored in cached_status_.
  Status Load(int index) {
    Status st = ReadFileOnce(paths_[index], &buffer_);
    if (!st.ok()) return st;
    cached_status_ = Parse(paths_[index]);
    return Status::Ok();
  }

  Status Parse(const std::string& path) {
    Status st = ParseOsRelease(buffer_, &release_);
    if (!st.ok()) return Status::Error(path + ": " + st.message());
    StatusOr<double> version = ParseOsVersion(release_.version_id);
    if (!version.ok()) return Status::Error(path + ": " + version.status().message());
    version_ = *version;
    if (!release_.support_end.empty()) {
      StatusOr<int64_t> end = ParseSupportEnd(release_.support_end);
      if (!end.ok()) return Status::Error(path + ": " + end.status().message());
      support_end_ = *end;
    }
    return Status::Ok();
  }

  void Emit(expo::MetricSet& out) const {
    const OsRelease& r = release_;
    out.Add(kInfo, 1,
            {{"build_id", r.build_id},
             {"id", r.id},
             {"id_like", r.id_like},
             {"image_id", r.image_id},
             {"image_version", r.image_version},
             {"name", r.name},
             {"pretty_name", r.pretty_name},
             {"variant", r.variant},
             {"variant_id", r.variant_id},
             {"version", r.version},
             {"version_codename", r.version_codename},
             {"version_id", r.version_id}});
    if (version_ > 0) out.Add(kVersion, version_, {{"id", r.id}, {"id_like", r.id_like}, {"name", r.name}});
    if (!r.support_end.empty()) out.Add(kSupportEnd, static_cast<double>(support_end_));
  }

  std::string paths_[2];
  std::string buffer_;
  bool has_cache_ = false;
  FileKey cached_key_;
  Status cached_status_;
  OsRelease release_;
  double version_ = 0;
  int64_t support_end_ = 0;
};

}  // namespace

Status ParseOsRelease(std::string_view content, OsRelease* out) {
  *out = OsRelease();
  std::string value;
  std::string_view line;
  int line_number = 0;
  while (NextLine(&content, &line)) {
    ++line_number;
    if (line.size() > kMaxLineLength) return Status::Error("line " + std::to_string(line_number) + " too long");
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    std::string_view key, raw;
    if (!SplitOnce(line, '=', &key, &raw)) return Status::Error("line " + std::to_string(line_number) + ": missing =");
    key = TrimSpace(key);
    raw = TrimSpace(raw);
    constexpr std::string_view kExport = "export ";
    if (key.size() > kExport.size() && key.substr(0, kExport.size()) == kExport) key.remove_prefix(kExport.size());
    if (!ValidKey(key)) return Status::Error("line " + std::to_string(line_number) + ": invalid key");
    Status st = ParseValue(raw, &value);
    if (!st.ok()) return Status::Error("line " + std::to_string(line_number) + ": " + st.message());
    if (std::string* field = FieldFor(key, out)) *field = value;
  }
  return Status::Ok();
}

StatusOr<double> ParseOsVersion(std::string_view version_id) {
  size_t int_end = 0;
  while (int_end < version_id.size() && IsDigit(version_id[int_end])) ++int_end;
  if (int_end == 0) return 0.0;
  size_t end = int_end;
  if (end < version_id.size() && version_id[end] == '.') {
    ++end;
    while (end < version_id.size() && IsDigit(version_id[end])) ++end;
  }
  std::string_view number = version_id.substr(0, end);
  if (std::optional<double> v = ParseDouble(number)) return *v;
  // from_chars reports underflow as out of range; Go's ParseFloat returns 0
  // for it and fails only on overflow.
  if (number.substr(0, int_end).find_first_not_of('0') == std::string_view::npos) return 0.0;
  return Status::Error("version number out of range: " + std::string(number));
}

StatusOr<int64_t> ParseSupportEnd(std::string_view date) {
  auto bad = [&] { return Status::Error("invalid SUPPORT_END \"" + std::string(date) + "\", want YYYY-MM-DD"); };
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return bad();
  std::optional<int64_t> year = ParseI64(date.substr(0, 4));
  std::optional<int64_t> month = ParseI64(date.substr(5, 2));
  std::optional<int64_t> day = ParseI64(date.substr(8, 2));
  // ParseI64 accepts a leading '-'; Go's layout wants digits only.
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(date[i])) return bad();
  }
  if (!year || !month || !day || *month < 1 || *month > 12) return bad();
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days_in_month = kDaysInMonth[*month - 1] + (*month == 2 && IsLeapYear(*year) ? 1 : 0);
  if (*day < 1 || *day > days_in_month) return bad();
  return DaysFromCivil(*year, *month, *day) * 86400;
}

StatusOr<std::unique_ptr<Collector>> NewOsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<OsCollector>(ctx));
}

}  // namespace nodex::collectors
