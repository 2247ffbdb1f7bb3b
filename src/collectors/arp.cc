#include "collectors/arp.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <re2/re2.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"
#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kEntries{"node_arp_entries", "IPv4 neighbour (ARP) entries per device.", expo::MetricType::kGauge};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Go's xtoi2: two hex digits, followed by `sep` unless they end the string.
bool HexPair(std::string_view s, size_t at, char sep) {
  if (at + 2 > s.size()) return false;
  if (at + 2 < s.size() && s[at + 2] != sep) return false;
  return HexDigit(s[at]) >= 0 && HexDigit(s[at + 1]) >= 0;
}

// Go's net.ParseMAC, validation only.
bool ValidMac(std::string_view s) {
  if (s.size() < 14) return false;
  if (s[2] == ':' || s[2] == '-') {
    if ((s.size() + 1) % 3 != 0) return false;
    size_t n = (s.size() + 1) / 3;
    if (n != 6 && n != 8 && n != 20) return false;
    for (size_t i = 0; i < n; ++i) {
      if (!HexPair(s, i * 3, s[2])) return false;
    }
    return true;
  }
  if (s[4] == '.') {
    if ((s.size() + 1) % 5 != 0) return false;
    size_t n = 2 * (s.size() + 1) / 5;
    if (n != 6 && n != 8 && n != 20) return false;
    for (size_t x = 0; x + 4 <= s.size(); x += 5) {
      if (HexDigit(s[x]) < 0 || HexDigit(s[x + 1]) < 0 || !HexPair(s, x + 2, s[4])) return false;
    }
    return true;
  }
  return false;
}

// Go's strconv.ParseUint(s, 0, 8).
bool ValidFlags(std::string_view s) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  return ParseInt<uint8_t>(s, base).has_value();
}

std::string Excerpt(std::string_view s) { return std::string(s.substr(0, 64)); }

class ArpCollector : public Collector {
 public:
  ArpCollector(const Context& ctx, std::unique_ptr<RE2> include, std::unique_ptr<RE2> exclude)
      : proc_net_arp_(ctx.Proc("net/arp")),
        include_(std::move(include)),
        exclude_(std::move(exclude)),
        netlink_(procfs_helpers::BoolFlagOr(ctx, "collector.arp.netlink", true)) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = netlink_ ? GatherNetlink() : GatherProc();
    if (!st.ok()) return Status::Error("could not get ARP entries: " + st.message());
    // Count runs of equal names: sorting avoids a per-scrape hash map.
    std::sort(devices_.begin(), devices_.end());
    for (size_t i = 0; i < devices_.size();) {
      size_t j = i;
      while (j < devices_.size() && devices_[j] == devices_[i]) ++j;
      if (!Ignored(devices_[i])) out.Add(kEntries, static_cast<double>(j - i), {{"device", devices_[i]}});
      i = j;
    }
    return Status::Ok();
  }

 private:
  bool Ignored(std::string_view name) const {
    return (exclude_ && procfs_helpers::Matches(*exclude_, name)) ||
           (include_ && !procfs_helpers::Matches(*include_, name));
  }

  Status GatherProc() {
    std::string_view content;
    Status st = proc_net_arp_.Read(&content);
    if (!st.ok()) return st;
    return ParseProcNetArp(content, &devices_);
  }

  Status GatherNetlink() {
    link_count_ = 0;
    static const rtnl::LinkDumpRequest kNamesOnly(/*skip_stats=*/true);
    Status st = socket_.Dump(RTM_GETLINK, kNamesOnly.header(),
                             [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                               return rtnl::DecodeLinkNames(buf, seq, &links_, &link_count_);
                             });
    if (!st.ok()) return st;
    std::sort(links_.begin(), links_.begin() + static_cast<std::ptrdiff_t>(link_count_),
              [](const rtnl::LinkName& a, const rtnl::LinkName& b) { return a.ifindex < b.ifindex; });
    neighbours_.clear();
    st = socket_.Dump(RTM_GETNEIGH, sizeof(ndmsg), AF_INET,
                      [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                        return DecodeNeighDump(buf, seq, &neighbours_);
                      });
    if (!st.ok()) return st;
    devices_.clear();
    auto end = links_.begin() + static_cast<std::ptrdiff_t>(link_count_);
    for (const Neighbour& n : neighbours_) {
      auto it = std::lower_bound(links_.begin(), end, n.ifindex,
                                 [](const rtnl::LinkName& l, int32_t index) { return l.ifindex < index; });
      // A link removed between the two dumps takes its neighbours with it.
      if (it == end || it->ifindex != n.ifindex) continue;
      devices_.push_back(it->name);
    }
    return Status::Ok();
  }

  std::mutex mu_;
  KeptOpenFile proc_net_arp_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  const bool netlink_;
  rtnl::Socket socket_;
  std::vector<rtnl::LinkName> links_;  // [0, link_count_) hold this scrape's links.
  size_t link_count_ = 0;
  std::vector<Neighbour> neighbours_;
  std::vector<std::string_view> devices_;
};

}  // namespace

Status ParseProcNetArp(std::string_view content, std::vector<std::string_view>* devices) {
  devices->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view f[9];
    size_t n = SplitFields(line, f, 9);
    if (n == 0 || n == 9) continue;
    if (n != 6) {
      return Status::Error(std::to_string(n) + " columns found, but expected 6: " + Excerpt(line));
    }
    if (!ValidMac(f[3])) return Status::Error("Failed to parse ARP entry: invalid MAC address " + Excerpt(f[3]));
    if (!ValidFlags(f[2])) return Status::Error("Failed to parse ARP entry: invalid flags " + Excerpt(f[2]));
    devices->push_back(f[5]);
  }
  return Status::Ok();
}

StatusOr<bool> DecodeNeighDump(std::span<const uint8_t> buf, uint32_t seq, std::vector<Neighbour>* out) {
  return rtnl::WalkDump(buf, seq, [out](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != RTM_NEWNEIGH) return Status::Ok();
    if (payload.size() < sizeof(ndmsg)) return Status::Error("truncated RTM_NEWNEIGH message");
    ndmsg nd;
    std::memcpy(&nd, payload.data(), sizeof(nd));
    if (nd.ndm_family != AF_INET) return Status::Ok();
    if ((nd.ndm_state & NUD_NOARP) != 0) return Status::Ok();
    out->push_back({nd.ndm_ifindex, nd.ndm_state});
    return Status::Ok();
  });
}

StatusOr<std::unique_ptr<Collector>> NewArpCollector(const Context& ctx) {
  using procfs_helpers::StringFlagOr;
  std::string include(StringFlagOr(ctx, "collector.arp.device-include", ""));
  std::string exclude(StringFlagOr(ctx, "collector.arp.device-exclude", ""));
  std::unique_ptr<RE2> include_re, exclude_re;
  Status st = procfs_helpers::CompileFlagRegex("collector.arp.device-include", include, true, &include_re);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex("collector.arp.device-exclude", exclude, true, &exclude_re);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<ArpCollector>(ctx, std::move(include_re), std::move(exclude_re)));
}

}  // namespace nodex::collectors
