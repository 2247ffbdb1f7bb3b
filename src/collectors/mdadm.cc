#include "collectors/mdadm.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr auto kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kStateDesc{"node_md_state", "Whether the md device is in the state named by the state label.",
                                kGauge};
constexpr expo::Desc kDisksDesc{"node_md_disks", "Member disks of the md device, by state (active, failed, spare).",
                                kGauge};
constexpr expo::Desc kDisksRequiredDesc{"node_md_disks_required", "Disks the md device needs to be complete.", kGauge};
constexpr expo::Desc kBlocksDesc{"node_md_blocks", "Size of the md device, in blocks.", kGauge};
constexpr expo::Desc kBlocksSyncedDesc{"node_md_blocks_synced",
                                       "Blocks of the md device in sync (all of them unless it is syncing).", kGauge};
constexpr expo::Desc kRaidDisksDesc{"node_md_raid_disks", "Devices in the md array when it is fully functional.",
                                    kGauge};
constexpr expo::Desc kDegradedDesc{"node_md_degraded", "Members missing from the md array (sysfs md/degraded).",
                                   kGauge};

// procfs' patterns. Latin-1 so that every byte is one character, like Go's
// treatment of invalid UTF-8 for these ASCII-only patterns.
struct MdRegexes {
  static RE2::Options Latin1() {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_log_errors(false);
    return o;
  }
  RE2 status{R"((\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\])", Latin1()};
  RE2 blocks{R"(\((\d+/\d+)\))", Latin1()};
  RE2 pct{R"(= (.+)%)", Latin1()};
  RE2 finish{R"(finish=(.+)min)", Latin1()};
  RE2 speed{R"(speed=(.+)[A-Z])", Latin1()};
};

const MdRegexes& Regexes() {
  static const MdRegexes* const kRegexes = new MdRegexes();
  return *kRegexes;
}

re2::StringPiece Piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }
std::string_view View(const re2::StringPiece& p) { return std::string_view(p.data(), p.size()); }

bool Contains(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

int64_t CountOf(std::string_view s, std::string_view needle) {
  int64_t n = 0;
  for (size_t pos = s.find(needle); pos != std::string_view::npos; pos = s.find(needle, pos + needle.size())) ++n;
  return n;
}

// strings.Split(s, "\n") one segment at a time: the segment starting at
// `pos`; *next is where the following one starts, or npos after the last.
std::string_view Segment(std::string_view s, size_t pos, size_t* next) {
  size_t nl = s.find('\n', pos);
  if (nl == std::string_view::npos) {
    *next = std::string_view::npos;
    return s.substr(pos);
  }
  *next = nl + 1;
  return s.substr(pos, nl - pos);
}

constexpr std::string_view kPersonalitiesPrefix = "Personalities : ";

// Whether `word` is one of the "[name]" entries of the Personalities line
// and looks like a level rather than "(auto-read-only)" or "sda[0]".
bool IsRaidType(std::string_view word, std::string_view personalities) {
  if (word.find_first_of("([") != std::string_view::npos) return false;
  std::string_view p;
  while (NextField(&personalities, &p)) {
    if (p.substr(1, p.size() - 2) == word) return true;
  }
  return false;
}

struct StatusLine {
  int64_t active = 0, total = 0, down = 0, size = 0;
};

Status EvalStatusLine(std::string_view device_line, std::string_view status_line, StatusLine* out) {
  std::string_view size_field;
  std::string_view rest = status_line;
  if (!NextField(&rest, &size_field))
    return Status::Error("unexpected status line \"" + std::string(status_line) + "\"");
  std::optional<int64_t> size = sysfs::ParseGoDecimalInt(size_field);
  if (!size) return Status::Error("unexpected status line \"" + std::string(status_line) + "\"");
  *out = StatusLine{};
  out->size = *size;
  if (Contains(device_line, "raid0") || Contains(device_line, "linear")) {
    // Only member disks carry a "[n]" on the device line.
    out->total = out->active = CountOf(device_line, "[");
    return Status::Ok();
  }
  if (Contains(device_line, "inactive")) return Status::Ok();
  re2::StringPiece m_total, m_active, m_flags;
  if (!RE2::PartialMatch(Piece(status_line), Regexes().status, nullptr, &m_total, &m_active, &m_flags)) {
    return Status::Error("could not find all substring matches in status line \"" + std::string(status_line) + "\"");
  }
  std::optional<int64_t> total = sysfs::ParseGoDecimalInt(View(m_total));
  std::optional<int64_t> active = sysfs::ParseGoDecimalInt(View(m_active));
  if (!total || !active) return Status::Error("unexpected status line \"" + std::string(status_line) + "\"");
  out->total = *total;
  out->active = *active;
  out->down = CountOf(View(m_flags), "_");
  return Status::Ok();
}

// procfs' evalRecoveryLine: every part (blocks, percentage, finish time,
// speed) must be present and numeric even though only the blocks are used.
Status EvalRecoveryLine(std::string_view line, int64_t* synced) {
  const MdRegexes& re = Regexes();
  auto bad = [&](std::string_view what) {
    return Status::Error("unexpected recovery line (" + std::string(what) + ") \"" + std::string(line) + "\"");
  };
  re2::StringPiece m;
  if (!RE2::PartialMatch(Piece(line), re.blocks, &m)) return bad("blocks");
  std::string_view done, todo;
  if (!SplitOnce(View(m), '/', &done, &todo)) return bad("blocks");
  std::optional<int64_t> synced_blocks = sysfs::ParseGoDecimalInt(done);
  if (!synced_blocks || !sysfs::ParseGoDecimalInt(todo)) return bad("blocks");
  if (!RE2::PartialMatch(Piece(line), re.pct, &m) || !sysfs::ParseGoFloat(TrimSpace(View(m)))) return bad("percentage");
  if (!RE2::PartialMatch(Piece(line), re.finish, &m) || !sysfs::ParseGoFloat(View(m))) return bad("finish");
  if (!RE2::PartialMatch(Piece(line), re.speed, &m) || !sysfs::ParseGoFloat(View(m))) return bad("speed");
  *synced = *synced_blocks;
  return Status::Ok();
}

// procfs' evalComponentDevices only fails when a member's "[n]" index does
// not fit int32; the greedy (.*)\[(\d+)\] picks the last such bracket.
Status CheckComponent(std::string_view field) {
  for (size_t close = field.rfind(']'); close != std::string_view::npos && close > 0;
       close = field.rfind(']', close - 1)) {
    size_t open = field.rfind('[', close - 1);
    if (open == std::string_view::npos) return Status::Ok();
    std::string_view digits = field.substr(open + 1, close - open - 1);
    bool all_digits = !digits.empty();
    for (char c : digits) all_digits = all_digits && c >= '0' && c <= '9';
    if (!all_digits) continue;
    if (!ParseInt<int32_t>(digits)) {
      return Status::Error("error parsing int from device \"" + std::string(digits) + "\"");
    }
    return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

Status ParseMdstat(std::string_view content, std::vector<MdStat>* out) {
  out->clear();
  std::string_view personalities;
  bool have_types = false;
  size_t next = 0;
  for (size_t pos = 0; pos != std::string_view::npos; pos = next) {
    std::string_view line = Segment(content, pos, &next);
    if (TrimSpace(line).empty() || line[0] == ' ' || line.substr(0, 6) == "unused") continue;
    if (!have_types && line.substr(0, kPersonalitiesPrefix.size()) == kPersonalitiesPrefix) {
      std::string_view words = line.substr(kPersonalitiesPrefix.size());
      std::string_view rest = words, word;
      while (NextField(&rest, &word)) {
        // procfs strips the brackets by position; a one-byte word would
        // make it panic.
        if (word.size() < 2) return Status::Error("malformed Personalities line \"" + std::string(line) + "\"");
        have_types = true;
      }
      personalities = words;
      continue;
    }

    std::string_view f[5];
    size_t nfields = SplitFields(line, f, 5);
    if (nfields < 3) return Status::Error("expected 3+ fields in md line \"" + std::string(line) + "\"");
    MdStat md;
    md.name = f[0];
    md.state = f[2];
    size_t component_start = 0;
    if (nfields > 3) {
      if (have_types && IsRaidType(f[3], personalities)) {
        component_start = 4;
      } else if (nfields > 4 && have_types && IsRaidType(f[4], personalities)) {
        component_start = 5;
      }
    }

    size_t p2 = std::string_view::npos, p3 = std::string_view::npos;
    std::string_view status_line, line2, line3;
    if (next != std::string_view::npos) status_line = Segment(content, next, &p2);
    if (p2 != std::string_view::npos) line2 = Segment(content, p2, &p3);
    if (p3 == std::string_view::npos) {
      return Status::Error("too few lines for md device \"" + std::string(md.name) + "\"");
    }
    size_t p4 = 0;
    line3 = Segment(content, p3, &p4);

    md.disks_failed = CountOf(line, "(F)");
    md.disks_spare = CountOf(line, "(S)");
    StatusLine st;
    Status status = EvalStatusLine(line, status_line, &st);
    if (!status.ok()) return Status::Error("cannot parse md device lines: " + status.message());
    md.disks_active = st.active;
    md.disks_total = st.total;
    md.disks_down = st.down;
    md.blocks_total = st.size;
    md.blocks_synced = st.size;

    std::string_view sync_line = Contains(line2, "bitmap") ? line3 : line2;
    bool recovering = Contains(sync_line, "recovery");
    bool reshaping = Contains(sync_line, "reshape");
    bool resyncing = Contains(sync_line, "resync");
    bool checking = Contains(sync_line, "check");
    if (recovering || reshaping || resyncing || checking) {
      md.state = recovering ? "recovering" : reshaping ? "reshaping" : checking ? "checking" : "resyncing";
      if (Contains(sync_line, "PENDING") || Contains(sync_line, "DELAYED")) {
        md.blocks_synced = 0;
      } else {
        status = EvalRecoveryLine(sync_line, &md.blocks_synced);
        if (!status.ok()) {
          return Status::Error("cannot parse sync line of md device \"" + std::string(md.name) +
                               "\": " + status.message());
        }
      }
    }

    std::string_view rest = line, field;
    for (size_t i = 0; NextField(&rest, &field); ++i) {
      if (i < component_start) continue;
      status = CheckComponent(field);
      if (!status.ok()) {
        return Status::Error("error parsing components in md device \"" + std::string(md.name) +
                             "\": " + status.message());
      }
    }
    out->push_back(md);
  }
  return Status::Ok();
}

std::optional<double> ParseMdSyncCompleted(std::string_view value) {
  // Sscanf("%d / %d"): verbs skip leading spaces, a space in the format needs
  // at least one space in the input, trailing input is ignored.
  auto number = [&value]() -> std::optional<uint64_t> {
    while (!value.empty() && IsSpace(value.front()) && value.front() != '\n') value.remove_prefix(1);
    size_t n = 0;
    while (n < value.size() && value[n] >= '0' && value[n] <= '9') ++n;
    std::optional<uint64_t> v = ParseU64(value.substr(0, n));
    value.remove_prefix(n);
    return v;
  };
  auto spaces = [&value]() {
    size_t n = 0;
    while (n < value.size() && IsSpace(value[n]) && value[n] != '\n') ++n;
    value.remove_prefix(n);
    return n > 0 || value.empty();
  };
  std::optional<uint64_t> a = number();
  if (!a || !spaces() || value.empty() || value.front() != '/') return std::nullopt;
  value.remove_prefix(1);
  if (!spaces()) return std::nullopt;
  std::optional<uint64_t> b = number();
  if (!b) return std::nullopt;
  return static_cast<double>(*a) / static_cast<double>(*b);
}

namespace {

class MdadmCollector : public Collector {
 public:
  explicit MdadmCollector(const Context& ctx) : mdstat_(ctx.Proc("mdstat")), sys_block_(ctx.Sys("block")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = mdstat_.Read(&content);
    if (st.code() == StatusCode::kNoData) return Status::NoData("not collecting mdstat, file does not exist");
    if (!st.ok()) return Status::Error("error parsing mdstatus: " + st.message());
    st = ParseMdstat(content, &arrays_);
    if (!st.ok()) return Status::Error("error parsing mdstatus: " + st.message());
    for (const MdStat& md : arrays_) AddMdstat(out, md);

    st = CollectSysfs(out);
    attrs_.Sweep();
    return st;
  }

 private:
  static void AddMdstat(expo::MetricSet& out, const MdStat& md) {
    const std::string_view dev = md.name;
    out.Add(kDisksRequiredDesc, static_cast<double>(md.disks_total), {{"device", dev}});
    out.Add(kDisksDesc, static_cast<double>(md.disks_active), {{"device", dev}, {"state", "active"}});
    out.Add(kDisksDesc, static_cast<double>(md.disks_failed), {{"device", dev}, {"state", "failed"}});
    out.Add(kDisksDesc, static_cast<double>(md.disks_spare), {{"device", dev}, {"state", "spare"}});
    // Label value -> the activity state procfs reports for it.
    static constexpr std::pair<std::string_view, std::string_view> kStates[] = {{"active", "active"},
                                                                                {"inactive", "inactive"},
                                                                                {"recovering", "recovering"},
                                                                                {"resync", "resyncing"},
                                                                                {"check", "checking"}};
    for (const auto& [label, state] : kStates) {
      out.Add(kStateDesc, md.state == state ? 1.0 : 0.0, {{"device", dev}, {"state", label}});
    }
    out.Add(kBlocksDesc, static_cast<double>(md.blocks_total), {{"device", dev}});
    out.Add(kBlocksSyncedDesc, static_cast<double>(md.blocks_synced), {{"device", dev}});
  }

  // Reads one attribute like procfs' SysReadFile (one read of at most 128
  // bytes, whitespace trimmed). Returns 0 or errno.
  int ReadString(std::string_view path, std::string_view* value) {
    int err = attrs_.Read(path, sysfs::kSysReadFileSize, value);
    if (err == 0) *value = TrimSpace(*value);
    return err;
  }

  // procfs' ReadUintFromFile. Returns 0, errno, or EINVAL for a bad number.
  int ReadUint(std::string_view path, uint64_t* value) {
    std::string_view text;
    int err = attrs_.Read(path, sysfs::kAttrPageSize, &text);
    if (err != 0) return err;
    std::optional<uint64_t> v = sysfs::ParseGoUint(TrimSpace(text));
    if (!v) return EINVAL;
    *value = *v;
    return 0;
  }

  Status Fail(int err, const std::string& path) {
    if (err == ENOENT) return Status::NoData("not collecting mdraids: " + path + " does not exist");
    if (err == EINVAL) return Status::Error("error parsing mdraids: invalid number in " + path);
    return Status::Error("error parsing mdraids: " + path + ": " + std::strerror(err));
  }

  // procfs' sysfs Mdraids: every array under block/md*/md; any unreadable
  // attribute discards all of them.
  Status CollectSysfs(expo::MetricSet& out) {
    size_t nblock = 0;
    if (sysfs::ListDir(sys_block_, &block_entries_, &nblock) != 0) return Status::Ok();
    size_t nraids = 0;
    for (size_t i = 0; i < nblock; ++i) {
      const std::string& name = block_entries_[i].name;
      if (name.compare(0, 2, "md") != 0) continue;
      md_dir_.assign(sys_block_).append("/").append(name);
      if (!sysfs::IsDirFollow(md_dir_)) continue;
      md_dir_.append("/md");
      struct stat st;
      if (lstat(md_dir_.c_str(), &st) != 0) continue;

      std::string_view level_value;
      uint64_t raid_disks = 0, degraded = 0, scratch = 0;
      std::string_view value;
      int err = ReadString(Attr("level"), &value);
      if (err != 0) return Fail(err, path_);
      level_.assign(value);
      for (const char* attr : {"array_state", "metadata_version"}) {
        if ((err = ReadString(Attr(attr), &value)) != 0) return Fail(err, path_);
      }
      if ((err = ReadUint(Attr("raid_disks"), &raid_disks)) != 0) return Fail(err, path_);
      if ((err = ReadString(Attr("uuid"), &value)) != 0) return Fail(err, path_);
      size_t ndev = 0;
      if (sysfs::ListDir(md_dir_, &dev_entries_, &ndev) == 0) {
        for (size_t d = 0; d < ndev; ++d) {
          const std::string& dev = dev_entries_[d].name;
          if (dev.compare(0, 4, "dev-") != 0) continue;
          path_.assign(md_dir_).append("/").append(dev).append("/state");
          if ((err = ReadString(path_, &value)) != 0) return Fail(err, path_);
        }
      }
      level_value = level_;
      if (level_value == "raid0" || level_value == "raid4" || level_value == "raid5" || level_value == "raid6" ||
          level_value == "raid10") {
        if ((err = ReadUint(Attr("chunk_size"), &scratch)) != 0) return Fail(err, path_);
      }
      if (level_value == "raid1" || level_value == "raid4" || level_value == "raid5" || level_value == "raid6" ||
          level_value == "raid10") {
        if ((err = ReadUint(Attr("degraded"), &degraded)) != 0) return Fail(err, path_);
        if ((err = ReadString(Attr("sync_action"), &value)) != 0) return Fail(err, path_);
        if ((err = ReadString(Attr("sync_completed"), &value)) != 0) return Fail(err, path_);
        if (value != "none" && !ParseMdSyncCompleted(value)) {
          return Status::Error("error parsing mdraids: unexpected sync_completed in " + path_);
        }
      }
      if (nraids == raids_.size()) raids_.emplace_back();
      raids_[nraids].device.assign(name);
      raids_[nraids].disks = raid_disks;
      raids_[nraids].degraded = degraded;
      ++nraids;
    }
    for (size_t i = 0; i < nraids; ++i) {
      out.Add(kRaidDisksDesc, static_cast<double>(raids_[i].disks), {{"device", raids_[i].device}});
      out.Add(kDegradedDesc, static_cast<double>(raids_[i].degraded), {{"device", raids_[i].device}});
    }
    return Status::Ok();
  }

  const std::string& Attr(std::string_view attr) {
    path_.assign(md_dir_).append("/").append(attr);
    return path_;
  }

  struct Raid {
    std::string device;
    uint64_t disks = 0;
    uint64_t degraded = 0;
  };

  KeptOpenFile mdstat_;
  std::string sys_block_;
  std::vector<MdStat> arrays_;
  sysfs::AttrFiles attrs_;
  std::vector<sysfs::DirEntry> block_entries_;
  std::vector<sysfs::DirEntry> dev_entries_;
  std::vector<Raid> raids_;
  std::string md_dir_;
  std::string path_;
  std::string level_;
};

}  // namespace

StatusOr<std::unique_ptr<Collector>> NewMdadmCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<MdadmCollector>(ctx));
}

}  // namespace nodex::collectors
