// The bonding collector (mirrors node_exporter's bonding collector,
// collector/bonding_linux.go): configured and active (MII "up") slaves of
// each Linux bonding master, from /sys/class/net.
#ifndef NODEX_COLLECTORS_BONDING_H_
#define NODEX_COLLECTORS_BONDING_H_

#include <memory>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// Splits /sys/class/net/bonding_masters or /sys/class/net/<master>/bonding/
// slaves into interface names, like Go's strings.Fields:
//   bond0 dmz int
//   eth0 eth4
// Both files are one line of space-separated names (an empty line when
// there are none). *out is cleared first; the views point into `content`.
void SplitBondingNames(std::string_view content, std::vector<std::string_view>* out);

// Whether a slave's bonding_slave/mii_status attribute says the link is up:
//   up
//   down
// (surrounding whitespace ignored; anything else, e.g. "going back", is not up).
[[nodiscard]] bool BondingSlaveUp(std::string_view mii_status);

StatusOr<std::unique_ptr<Collector>> NewBondingCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_BONDING_H_
