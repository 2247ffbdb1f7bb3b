// Shared rtnetlink plumbing for the netdev, netclass
// (--collector.netclass.netlink), arp and network_route collectors: a kept-open NETLINK_ROUTE socket
// (libmnl) that runs one dump per call, a bounds-checked walker over the
// bytes of a dump reply (tcpstat's sock_diag decoder uses it too), and the
// one RTM_GETLINK index -> name decoder.
// netdev (src/collectors/netdev.cc) runs its dumps over Socket too but keeps
// its own decoders, which also report the netlink error code. Header-only:
// no build change.
//
// Every decoder built on WalkDump must treat the buffer as untrusted: message
// and attribute lengths are checked here before any payload is touched.
#ifndef NODEX_COLLECTORS_RTNETLINK_H_
#define NODEX_COLLECTORS_RTNETLINK_H_

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace nodex::collectors::rtnl {

// One attribute of a message: type (nested/byte-order bits masked off) and
// payload, which lies inside the walked buffer.
struct Attr {
  uint16_t type;
  std::span<const uint8_t> payload;
};

// Calls fn(Attr) for each rtattr in [p, p+len). Returns false if an
// attribute's length runs past the end (a truncated or corrupt message).
template <typename Fn>
bool ForEachAttr(const uint8_t* p, size_t len, Fn&& fn) {
  size_t off = 0;
  while (len - off >= sizeof(nlattr)) {
    nlattr a;
    std::memcpy(&a, p + off, sizeof(a));
    if (a.nla_len < sizeof(nlattr) || a.nla_len > len - off) return false;
    fn(Attr{static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK),
            {p + off + sizeof(nlattr), static_cast<size_t>(a.nla_len - sizeof(nlattr))}});
    off += std::min<size_t>(MNL_ALIGN(a.nla_len), len - off);
  }
  return true;
}

// Attribute payload helpers. A payload shorter than the type reads as 0;
// decoders that must reject short attributes check payload.size() first.
inline uint32_t AttrU32(const Attr& a) {
  uint32_t v = 0;
  if (a.payload.size() >= 4) std::memcpy(&v, a.payload.data(), 4);
  return v;
}
inline uint8_t AttrU8(const Attr& a) { return a.payload.empty() ? 0 : a.payload[0]; }
// A NUL-terminated string attribute, without the terminator.
inline std::string_view AttrString(const Attr& a) {
  const char* s = reinterpret_cast<const char*>(a.payload.data());
  return std::string_view(s, strnlen(s, a.payload.size()));
}

// Walks one recvmsg() buffer of a dump reply and calls
// fn(type, payload span) for each message of the dump (sequence `seq`, or
// any when seq is 0), where payload is everything after the nlmsghdr.
// Returns true once NLMSG_DONE is seen, false when more buffers follow; an
// NLMSG_ERROR with a non-zero code, a truncated message, trailing bytes or
// an error Status returned by fn are errors.
template <typename Fn>
StatusOr<bool> WalkDump(std::span<const uint8_t> buf, uint32_t seq, Fn&& fn) {
  size_t offset = 0;
  while (buf.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, buf.data() + offset, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > buf.size() - offset) {
      return Status::Error("truncated netlink message");
    }
    std::span<const uint8_t> payload = buf.subspan(offset + sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr));
    if (seq == 0 || h.nlmsg_seq == seq) {
      if (h.nlmsg_type == NLMSG_DONE) return true;
      if (h.nlmsg_type == NLMSG_ERROR) {
        if (payload.size() < sizeof(int32_t)) return Status::Error("truncated netlink error");
        int32_t code;
        std::memcpy(&code, payload.data(), sizeof(code));
        if (code != 0) {
          // -INT32_MIN overflows; a hostile code only needs to give some message.
          int e = code < 0 ? static_cast<int>((0u - static_cast<uint32_t>(code)) & 0x7fffffffu) : code;
          return Status::Error(std::string("netlink error: ") + std::strerror(e));
        }
      } else {
        Status st = fn(h.nlmsg_type, payload);
        if (!st.ok()) return st;
      }
    }
    offset += std::min<size_t>(MNL_ALIGN(h.nlmsg_len), buf.size() - offset);
  }
  if (offset != buf.size()) return Status::Error("truncated netlink message");
  return false;
}

// One link of an RTM_GETLINK dump: ifi_index and IFLA_IFNAME ("" when the
// attribute is absent). The name is owned: the receive buffer it came from
// is overwritten by the next recvmsg().
struct LinkName {
  int32_t ifindex = 0;
  std::string name;
};

// Decodes one recvmsg() buffer of an RTM_GETLINK dump reply:
//   nlmsghdr{type=RTM_NEWLINK(16)} ifinfomsg{family, type, index, flags,
//     change} rtattr[IFLA_IFNAME(3) "eth0\0", IFLA_MTU, ...]
// Writes each link into (*links)[*count] and increments *count, growing
// *links only when it is full; callers set *count = 0 before a dump and keep
// *links across scrapes, so steady state reuses the same strings (interface
// names fit std::string's inline buffer anyway). Slots from *count on are
// stale. Returns true once NLMSG_DONE is seen, false when more buffers
// follow; a message shorter than its ifinfomsg, a truncated message or
// attribute, trailing bytes or an NLMSG_ERROR are errors (WalkDump's rules).
// Any alignment is fine.
[[nodiscard]] inline StatusOr<bool> DecodeLinkNames(std::span<const uint8_t> buf, uint32_t seq,
                                                    std::vector<LinkName>* links, size_t* count) {
  return WalkDump(buf, seq, [links, count](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != RTM_NEWLINK) return Status::Ok();
    ifinfomsg ifi;
    if (payload.size() < sizeof(ifi)) return Status::Error("truncated RTM_NEWLINK message");
    std::memcpy(&ifi, payload.data(), sizeof(ifi));
    if (*count == links->size()) links->emplace_back();
    LinkName& link = (*links)[*count];
    link.ifindex = ifi.ifi_index;
    link.name.clear();
    const size_t off = std::min<size_t>(NLMSG_ALIGN(sizeof(ifi)), payload.size());
    bool ok = ForEachAttr(payload.data() + off, payload.size() - off, [&link](const Attr& a) {
      if (a.type == IFLA_IFNAME) link.name.assign(AttrString(a));
    });
    if (!ok) return Status::Error("truncated RTM_NEWLINK attribute");
    ++*count;
    return Status::Ok();
  });
}

// The family header of an RTM_GETLINK dump request: ifinfomsg (AF_UNSPEC,
// all links) followed by an IFLA_EXT_MASK attribute. With
// RTEXT_FILTER_SKIP_STATS the kernel leaves out the per-link IPv6 counters
// (inet6_fill_ifla6_attrs) and VF counters, about a third of the bytes of a
// dump; IFLA_STATS and IFLA_STATS64 stay (rtnl_fill_ifinfo always adds them).
struct LinkDumpRequest {
  explicit LinkDumpRequest(bool skip_stats) {
    std::memset(bytes, 0, sizeof(bytes));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    std::memcpy(bytes, &ifi, sizeof(ifi));
    nlattr attr{};
    attr.nla_len = NLA_HDRLEN + sizeof(uint32_t);
    attr.nla_type = IFLA_EXT_MASK;
    std::memcpy(bytes + NLMSG_ALIGN(sizeof(ifi)), &attr, sizeof(attr));
    const uint32_t mask = skip_stats ? RTEXT_FILTER_SKIP_STATS : 0;
    std::memcpy(bytes + NLMSG_ALIGN(sizeof(ifi)) + NLA_HDRLEN, &mask, sizeof(mask));
  }
  std::span<const uint8_t> header() const { return bytes; }

  uint8_t bytes[NLMSG_ALIGN(sizeof(ifinfomsg)) + NLA_HDRLEN + sizeof(uint32_t)];
};

// A NETLINK_ROUTE socket kept open across scrapes. Dump() sends one dump
// request and feeds every reply buffer to a handler; any failure closes the
// socket so a half-read dump never leaks into the next scrape.
class Socket {
 public:
  Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }

  // Sends `type` (RTM_GETLINK, RTM_GETNEIGH, ...) with NLM_F_DUMP and a
  // family header of `header_len` bytes (zeroed, first byte = family), then
  // calls handle(std::span<const uint8_t> buffer, uint32_t seq) ->
  // StatusOr<bool> (true when done) for each received buffer.
  template <typename Handler>
  Status Dump(uint16_t type, size_t header_len, uint8_t family, Handler&& handle) {
    if (header_len > kMaxHeader || header_len == 0) return Status::Error("netlink request header too large");
    uint8_t header[kMaxHeader] = {};
    header[0] = family;
    return Dump(type, std::span<const uint8_t>(header, header_len), handle);
  }

  // The same with a family header given whole, for requests whose header
  // carries more than the family (RTM_GETSTATS's filter_mask).
  template <typename Handler>
  Status Dump(uint16_t type, std::span<const uint8_t> header, Handler&& handle) {
    if (header.size() > kMaxHeader || header.empty()) return Status::Error("netlink request header too large");
    if (nl_ == nullptr) {
      Status st = Open();
      if (!st.ok()) return st;
    }
    Status st = DumpOnce(type, header, handle);
    if (!st.ok()) Close();
    return st;
  }

 private:
  Status Open() {
    nl_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (nl_ == nullptr) return Status::Error(std::string("netlink socket: ") + std::strerror(errno));
    if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
      int err = errno;
      Close();
      return Status::Error(std::string("netlink bind: ") + std::strerror(err));
    }
    // A dump that never finishes must not hang the scrape forever.
    timeval tv{10, 0};
    setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return Status::Ok();
  }

  void Close() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
    nl_ = nullptr;
  }

  template <typename Handler>
  Status DumpOnce(uint16_t type, std::span<const uint8_t> header, Handler& handle) {
    alignas(nlmsghdr) uint8_t req[MNL_NLMSG_HDRLEN + MNL_ALIGN(kMaxHeader)] = {};
    nlmsghdr* nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = ++seq_ == 0 ? ++seq_ : seq_;
    std::memcpy(mnl_nlmsg_put_extra_header(nlh, header.size()), header.data(), header.size());
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
      return Status::Error(std::string("netlink send: ") + std::strerror(errno));
    }
    // The kernel fills dump skbs up to 32 KiB when the reader offers that much.
    constexpr size_t kDumpBufferSize = 32768;
    if (buf_.empty()) buf_.resize(kDumpBufferSize / sizeof(uint64_t));
    auto* buf = reinterpret_cast<uint8_t*>(buf_.data());
    const size_t cap = buf_.size() * sizeof(uint64_t);
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(nl_, buf, cap);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Error(std::string("netlink receive: ") + std::strerror(errno));
      }
      StatusOr<bool> done = handle(std::span<const uint8_t>(buf, static_cast<size_t>(n)), seq_);
      if (!done.ok()) return done.status();
      if (*done) return Status::Ok();
    }
  }

  static constexpr size_t kMaxHeader = 64;

  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 0;
  std::vector<uint64_t> buf_;  // uint64_t keeps it aligned for nlmsghdr.
};

}  // namespace nodex::collectors::rtnl

#endif  // NODEX_COLLECTORS_RTNETLINK_H_
