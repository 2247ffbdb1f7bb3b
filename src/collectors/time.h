// The time collector (mirrors node_exporter's time collector,
// collector/time.go + time_linux.go): node_time_seconds,
// node_time_zone_offset_seconds{time_zone} and, from sysfs,
// node_time_clocksource_available_info{clocksource,device} and
// node_time_clocksource_current_info{clocksource,device}.
#ifndef NODEX_COLLECTORS_TIME_H_
#define NODEX_COLLECTORS_TIME_H_

#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Adds the clocksource samples of one clocksource device from the contents of
// <sysfs>/devices/system/clocksource/clocksource<N>/available_clocksource and
// current_clocksource:
//   tsc hpet acpi_pm
//   tsc
// `device` is the device's position in the sorted clocksource[0-9]* listing
// (node_exporter numbers them that way, not by the directory suffix).
// available_clocksource is a space-separated list (one series per name,
// none when empty); current_clocksource is trimmed and always gives one
// series, even when empty. Neither can be malformed, so this cannot fail.
void AddClocksourceInfo(std::string_view device, std::string_view available, std::string_view current,
                        expo::MetricSet& out);

StatusOr<std::unique_ptr<Collector>> NewTimeCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_TIME_H_
