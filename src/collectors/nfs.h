// The nfs collector (mirrors node_exporter's nfs collector,
// collector/nfs_linux.go, with procfs' nfs.ParseClientRPCStats): NFS client
// RPC statistics from /proc/net/rpc/nfs as node_nfs_* families.
#ifndef NODEX_COLLECTORS_NFS_H_
#define NODEX_COLLECTORS_NFS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// Procedure names in kernel order, as node_exporter labels them (the field
// names of procfs' V2Stats/V3Stats/ClientV4Stats).
inline constexpr std::array<std::string_view, 18> kNfsV2Procedures = {
    "Null",   "GetAttr", "SetAttr", "Root", "Lookup",  "ReadLink", "Read",  "WrCache", "Write",
    "Create", "Remove",  "Rename",  "Link", "SymLink", "MkDir",    "RmDir", "ReadDir", "FsStat"};
inline constexpr std::array<std::string_view, 22> kNfsV3Procedures = {
    "Null",    "GetAttr",     "SetAttr", "Lookup", "Access",   "ReadLink", "Read",   "Write",
    "Create",  "MkDir",       "SymLink", "MkNod",  "Remove",   "RmDir",    "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat",  "FsInfo", "PathConf", "Commit"};
inline constexpr std::array<std::string_view, 59> kNfsV4ClientProcedures = {"Null",
                                                                            "Read",
                                                                            "Write",
                                                                            "Commit",
                                                                            "Open",
                                                                            "OpenConfirm",
                                                                            "OpenNoattr",
                                                                            "OpenDowngrade",
                                                                            "Close",
                                                                            "Setattr",
                                                                            "FsInfo",
                                                                            "Renew",
                                                                            "SetClientID",
                                                                            "SetClientIDConfirm",
                                                                            "Lock",
                                                                            "Lockt",
                                                                            "Locku",
                                                                            "Access",
                                                                            "Getattr",
                                                                            "Lookup",
                                                                            "LookupRoot",
                                                                            "Remove",
                                                                            "Rename",
                                                                            "Link",
                                                                            "Symlink",
                                                                            "Create",
                                                                            "Pathconf",
                                                                            "StatFs",
                                                                            "ReadLink",
                                                                            "ReadDir",
                                                                            "ServerCaps",
                                                                            "DelegReturn",
                                                                            "GetACL",
                                                                            "SetACL",
                                                                            "FsLocations",
                                                                            "ReleaseLockowner",
                                                                            "Secinfo",
                                                                            "FsidPresent",
                                                                            "ExchangeID",
                                                                            "CreateSession",
                                                                            "DestroySession",
                                                                            "Sequence",
                                                                            "GetLeaseTime",
                                                                            "ReclaimComplete",
                                                                            "GetDeviceInfo",
                                                                            "LayoutGet",
                                                                            "LayoutCommit",
                                                                            "LayoutReturn",
                                                                            "SecinfoNoName",
                                                                            "TestStateID",
                                                                            "FreeStateID",
                                                                            "GetDeviceList",
                                                                            "BindConnToSession",
                                                                            "DestroyClientID",
                                                                            "Seek",
                                                                            "Allocate",
                                                                            "DeAllocate",
                                                                            "LayoutStats",
                                                                            "Clone"};

// Everything node_exporter exports from /proc/net/rpc/nfs. Lines that are
// absent leave their fields at zero, as procfs does.
struct NfsClientStats {
  // "net": packets, udp packets, tcp packets, tcp connections.
  uint64_t net_count = 0, udp_count = 0, tcp_count = 0, tcp_connect = 0;
  // "rpc": calls, retransmissions, authentication refreshes.
  uint64_t rpc_count = 0, retransmissions = 0, auth_refreshes = 0;
  std::array<uint64_t, kNfsV2Procedures.size()> v2{};
  std::array<uint64_t, kNfsV3Procedures.size()> v3{};
  std::array<uint64_t, kNfsV4ClientProcedures.size()> v4{};
};

// Parses /proc/net/rpc/nfs:
//   net 70 70 69 45
//   rpc 1218785755 374636 1218815394
//   proc3 22 0 1061909262 48906 4077635 117661341 5 29391916 ...
// procN lines start with their value count, which must match the values that
// follow (at least 18 for proc2 and 22 for proc3). Quirks kept from procfs:
// proc4 may carry fewer than 59 values (older kernels) and is zero-padded;
// extra proc4 values are ignored; an empty file is valid and all zero; a
// blank line in the middle, an unknown key, a non-numeric or out-of-range
// value, or a line longer than Go's 64 KiB scanner limit is an error.
[[nodiscard]] Status ParseNfsClient(std::string_view content, NfsClientStats* out);

StatusOr<std::unique_ptr<Collector>> NewNfsCollector(const Context& ctx);

namespace nfs_internal {

// The unsigned values of one /proc/net/rpc line (after its key). The first
// kMaxStored are kept; `count` is the real number, so callers can check it.
struct RpcValues {
  static constexpr size_t kMaxStored = 128;
  std::array<uint64_t, kMaxStored> v{};
  size_t count = 0;
  uint64_t at(size_t i) const { return i < count && i < kMaxStored ? v[i] : 0; }
};

// Go's bufio.ScanLines over `content`: takes the next line off *rest
// (without '\n' and one trailing '\r'). A final empty segment after the last
// '\n' is not a line. Returns false at the end; sets *too_long for a line
// Go's scanner would reject (64 KiB).
inline bool NextScannerLine(std::string_view* rest, std::string_view* line, bool* too_long) {
  if (rest->empty()) return false;
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) {
    *line = *rest;
    *rest = {};
  } else {
    *line = rest->substr(0, nl);
    rest->remove_prefix(nl + 1);
  }
  *too_long = line->size() >= 64 * 1024;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

// Parses up to `limit` whitespace-separated tokens of `rest` as Go's
// strconv.ParseUint(s, 10, 64) would; false if one of them is not a valid
// unsigned 64-bit decimal.
bool ParseRpcValues(std::string_view rest, size_t limit, RpcValues* out);

}  // namespace nfs_internal
}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NFS_H_
