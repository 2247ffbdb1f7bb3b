// The edac collector (mirrors node_exporter's edac collector,
// collector/edac_linux.go): memory error counters of the EDAC memory
// controllers under /sys/devices/system/edac/mc.
//
//   mc/mc0/ce_count, ue_count              -> node_edac_{,un}correctable_errors_total
//   mc/mc0/ce_noinfo_count, ue_noinfo_count -> node_edac_csrow_*{csrow="unknown"}
//   mc/mc0/csrow0/ce_count, ue_count       -> node_edac_csrow_{,un}correctable_errors_total
//   mc/mc0/csrow0/ch0_ce_count, ch0_ue_count, ch0_dimm_label
//                                          -> node_edac_channel_{,un}correctable_errors_total
//
// Quirks kept from node_exporter: a machine without EDAC (no mc directory)
// is a success with no samples; every controller and csrow counter is
// required (a missing or malformed one fails the collector), as is each
// ch<N>_ce_count, but a missing or malformed ch<N>_ue_count only drops that
// channel's uncorrectable series (many drivers expose CE counts only). Newer
// kernels may lack csrow directories altogether (dimm<N> layout); those
// controllers then only get their controller-level series.
#ifndef NODEX_COLLECTORS_EDAC_H_
#define NODEX_COLLECTORS_EDAC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Parses one EDAC counter file, e.g. "0\n" or "17\n", like node_exporter's
// readUintFromFile: whitespace-trimmed, then a decimal uint64 (no sign, no
// prefix); anything else is an error.
[[nodiscard]] StatusOr<uint64_t> ParseEdacCount(std::string_view content);

// Turns the content of a ch<N>_dimm_label file (e.g. "CPU_SrcID#0_Ha#0_Chan#0_DIMM#0\n"
// or "mc0csrow0channel0\n") into the dimm_label label value the way
// node_exporter does: trim whitespace, drop every '#', and put '_' before each
// "csrow" and "channel". Writes into *out (reused).
void FormatEdacDimmLabel(std::string_view content, std::string* out);

// The channel number of a csrow file named like "ch3_ce_count": the digits
// of the first "ch<digits>_ce_count" inside `name`, or empty if there is
// none (such files are skipped).
[[nodiscard]] std::string_view EdacChannelNumber(std::string_view name);

StatusOr<std::unique_ptr<Collector>> NewEdacCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_EDAC_H_
