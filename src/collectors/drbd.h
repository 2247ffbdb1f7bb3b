// The drbd collector (mirrors node_exporter 1.12.1's drbd collector,
// collector/drbd_linux.go): DRBD 8.x device state and counters from
// <procfs>/drbd as node_drbd_* families, labelled by device ("drbd<minor>").
//
// Families: node_drbd_connected (cs:Connected), node_drbd_node_role_is_primary
// and node_drbd_disk_state_is_up_to_date (each with node="local" and
// node="remote", from ro: and ds:), and one family per counter key:
//   ns network_sent_bytes_total (KiB -> bytes)   nr network_received_bytes_total
//   dw disk_written_bytes_total (KiB -> bytes)   dr disk_read_bytes_total (KiB)
//   al activitylog_writes_total                  bm bitmap_writes_total
//   lo local_pending   pe remote_pending   ua remote_unacknowledged
//   ap application_pending   ep epochs   oos out_of_sync_bytes (KiB -> bytes)
// node_exporter multiplies nr by 1, not 1024, although the kernel prints KiB;
// nodex keeps that so the values match.
#ifndef NODEX_COLLECTORS_DRBD_H_
#define NODEX_COLLECTORS_DRBD_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"
#include "expo/metric_set.h"

namespace nodex::collectors {

// Parses /proc/drbd and appends its samples to *out:
//   version: 8.4.3 (api:1/proto:86-101)
//    1: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----
//       ns:17324442 nr:10961011 dw:28263521 dr:118696670 al:1100 bm:221 lo:0 pe:0 ua:0 ap:0 ep:1 wo:d oos:0
// Like node_exporter, the file is read as whitespace-separated words: a word
// is used only if it splits into exactly two parts at ':'. "<n>:" starts
// device drbd<n> (words before the first one belong to device "unknown");
// known counter keys must have a decimal value (else the parse fails);
// ro:/ds: values are "<local>/<remote>" (a value without '/' fails, where
// node_exporter would panic); every other word is ignored. DRBD 9 prints
// only the version lines here, which gives no samples.
[[nodiscard]] Status ParseDrbd(std::string_view content, expo::MetricSet* out);

StatusOr<std::unique_ptr<Collector>> NewDrbdCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_DRBD_H_
