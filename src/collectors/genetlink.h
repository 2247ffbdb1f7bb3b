// Generic netlink (NETLINK_GENERIC) plumbing for collectors that ask a genl
// family for a dump: a kept-open libmnl socket that resolves a family name to
// its id (CTRL_CMD_GETFAMILY) and runs one dump per call, feeding each
// received buffer to a pure decoder. netclass (--collector.netclass.netlink)
// uses it for the "ethtool" family. wifi keeps its own copy (wifi.cc).
// Header-only: no build change.
//
// Reply layout of a dump:
//   nlmsghdr  {len, type=<family id>, flags=NLM_F_MULTI, seq, pid}
//   genlmsghdr{cmd, version, reserved}
//   nlattrs   (family specific)
//   ...       nlmsghdr{type=NLMSG_DONE}
// Errors arrive as NLMSG_ERROR with a negative errno; Socket reports that
// errno separately so callers can tell "family absent" (ENOENT) or "not
// supported" (EOPNOTSUPP) from real failures.
#ifndef NODEX_COLLECTORS_GENETLINK_H_
#define NODEX_COLLECTORS_GENETLINK_H_

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
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
#include "collectors/rtnetlink.h"

namespace nodex::collectors::genl {

// The errno carried by the first NLMSG_ERROR of sequence `seq` (any when 0)
// in one received buffer, or 0 when there is none (an ACK has code 0). Stops
// at the first truncated message; decoders report those.
inline int DumpErrno(std::span<const uint8_t> buf, uint32_t seq) {
  size_t off = 0;
  while (buf.size() - off >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, buf.data() + off, sizeof(h));
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > buf.size() - off) return 0;
    if ((seq == 0 || h.nlmsg_seq == seq) && h.nlmsg_type == NLMSG_ERROR &&
        h.nlmsg_len >= sizeof(nlmsghdr) + sizeof(int32_t)) {
      int32_t code;
      std::memcpy(&code, buf.data() + off + sizeof(nlmsghdr), sizeof(code));
      if (code < 0 && code > -4096) return -code;
      if (code != 0) return EPROTO;
    }
    off += std::min<size_t>(MNL_ALIGN(h.nlmsg_len), buf.size() - off);
  }
  return 0;
}

// Walks one received buffer of a genl dump reply and calls
// fn(std::span<const uint8_t> attrs) -> Status for each message of `family`
// (any when 0) and sequence `seq` (any when 0), with the attributes after
// the genlmsghdr. rtnl::WalkDump's rules otherwise: true once NLMSG_DONE is
// seen, errors for NLMSG_ERROR, truncation and trailing bytes; a message
// shorter than its genlmsghdr is an error too.
template <typename Fn>
StatusOr<bool> WalkDump(std::span<const uint8_t> buf, uint32_t seq, uint16_t family, Fn&& fn) {
  return rtnl::WalkDump(buf, seq, [&](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (family != 0 && type != family) return Status::Ok();
    if (payload.size() < GENL_HDRLEN) return Status::Error("short generic netlink message");
    return fn(payload.subspan(GENL_HDRLEN));
  });
}

// Decodes the reply to CTRL_CMD_GETFAMILY (one message, then an ACK):
//   nlmsghdr{type=GENL_ID_CTRL(16)} genlmsghdr{cmd=CTRL_CMD_NEWFAMILY}
//   nlattr[CTRL_ATTR_FAMILY_ID(1) u16, CTRL_ATTR_FAMILY_NAME(2) "ethtool\0", ...]
// Stores the id in *id when the buffer has one (a u16 attribute).
[[nodiscard]] inline StatusOr<bool> DecodeFamilyId(std::span<const uint8_t> buf, uint32_t seq, uint16_t* id) {
  return WalkDump(buf, seq, GENL_ID_CTRL, [id](std::span<const uint8_t> attrs) -> Status {
    bool bad = false;
    bool ok = rtnl::ForEachAttr(attrs.data(), attrs.size(), [&](const rtnl::Attr& a) {
      if (a.type != CTRL_ATTR_FAMILY_ID) return;
      if (a.payload.size() != sizeof(uint16_t)) {
        bad = true;
        return;
      }
      std::memcpy(id, a.payload.data(), sizeof(uint16_t));
    });
    if (!ok || bad) return Status::Error("malformed CTRL_CMD_GETFAMILY reply");
    return Status::Ok();
  });
}

// A NETLINK_GENERIC socket kept open across scrapes. Any failure closes it so
// that a half-read reply never leaks into the next request. *err_no is the
// errno behind a failure (from the socket or an NLMSG_ERROR), 0 when the
// failure was a decoding error.
class Socket {
 public:
  Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }

  void Close() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
    nl_ = nullptr;
  }

  // Resolves family `name` to its id. A kernel without the family answers
  // ENOENT.
  Status ResolveFamily(const char* name, uint16_t* id, int* err_no) {
    *id = 0;
    auto put = [name](nlmsghdr* nlh) { mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name); };
    auto handle = [id](std::span<const uint8_t> buf, uint32_t seq) { return DecodeFamilyId(buf, seq, id); };
    Status st = Run(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, false, put, handle, err_no);
    if (st.ok() && *id == 0) return Status::Error("no family id in CTRL_CMD_GETFAMILY reply");
    return st;
  }

  // Sends cmd with NLM_F_DUMP to `family`; put(nlmsghdr*) appends the request
  // attributes (at most ~900 bytes). handle(std::span<const uint8_t> buffer,
  // uint32_t seq) -> StatusOr<bool> (true when done) sees each received
  // buffer that holds no NLMSG_ERROR.
  template <typename Put, typename Handler>
  Status Dump(uint16_t family, uint8_t cmd, uint8_t version, Put&& put, Handler&& handle, int* err_no) {
    return Run(family, cmd, version, true, put, handle, err_no);
  }

 private:
  static Status Errno(int e, std::string_view what, int* err_no) {
    *err_no = e;
    return Status::Error(std::string(what) + ": " + std::strerror(e));
  }

  Status Open(int* err_no) {
    nl_ = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
    if (nl_ == nullptr) return Errno(errno, "generic netlink socket", err_no);
    if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
      int e = errno;
      Close();
      return Errno(e, "generic netlink bind", err_no);
    }
    // A reply that never finishes must not hang the scrape forever.
    timeval tv{10, 0};
    setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return Status::Ok();
  }

  template <typename Put, typename Handler>
  Status Run(uint16_t family, uint8_t cmd, uint8_t version, bool dump, Put& put, Handler& handle, int* err_no) {
    *err_no = 0;
    if (nl_ == nullptr) {
      Status st = Open(err_no);
      if (!st.ok()) return st;
    }
    Status st = RunOnce(family, cmd, version, dump, put, handle, err_no);
    if (!st.ok()) Close();
    return st;
  }

  template <typename Put, typename Handler>
  Status RunOnce(uint16_t family, uint8_t cmd, uint8_t version, bool dump, Put& put, Handler& handle, int* err_no) {
    if (req_.empty()) req_.resize(1024 / sizeof(uint64_t));
    std::memset(req_.data(), 0, req_.size() * sizeof(uint64_t));
    nlmsghdr* nlh = mnl_nlmsg_put_header(req_.data());
    nlh->nlmsg_type = family;
    nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
    nlh->nlmsg_seq = ++seq_ == 0 ? ++seq_ : seq_;
    auto* g = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
    g->cmd = cmd;
    g->version = version;
    put(nlh);
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return Errno(errno, "generic netlink send", err_no);
    // The kernel fills dump skbs up to 32 KiB when the reader offers that much.
    if (buf_.empty()) buf_.resize(32768 / sizeof(uint64_t));
    auto* buf = reinterpret_cast<uint8_t*>(buf_.data());
    const size_t cap = buf_.size() * sizeof(uint64_t);
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(nl_, buf, cap);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno(errno, "generic netlink receive", err_no);
      }
      std::span<const uint8_t> b(buf, static_cast<size_t>(n));
      if (int e = DumpErrno(b, seq_); e != 0) return Errno(e, "generic netlink", err_no);
      StatusOr<bool> done = handle(b, seq_);
      if (!done.ok()) return done.status();
      // A non-dump request ends with its ACK (an NLMSG_ERROR of code 0).
      if (*done || (!dump && HasAck(b))) return Status::Ok();
    }
  }

  bool HasAck(std::span<const uint8_t> b) const {
    size_t off = 0;
    while (b.size() - off >= sizeof(nlmsghdr)) {
      nlmsghdr h;
      std::memcpy(&h, b.data() + off, sizeof(h));
      if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > b.size() - off) return false;
      if (h.nlmsg_seq == seq_ && h.nlmsg_type == NLMSG_ERROR) return true;
      off += std::min<size_t>(MNL_ALIGN(h.nlmsg_len), b.size() - off);
    }
    return false;
  }

  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 0;
  std::vector<uint64_t> req_;  // uint64_t keeps both buffers aligned for nlmsghdr.
  std::vector<uint64_t> buf_;
};

}  // namespace nodex::collectors::genl

#endif  // NODEX_COLLECTORS_GENETLINK_H_
