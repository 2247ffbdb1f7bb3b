// The one table of every collector nodex has. Adding a collector means adding
// its header and one row here; nothing registers itself.
#include <algorithm>

#include "collectors/collector.h"
#include "collectors/arp.h"
#include "collectors/bcache.h"
#include "collectors/bcachefs.h"
#include "collectors/bonding.h"
#include "collectors/btrfs.h"
#include "collectors/buddyinfo.h"
#include "collectors/cgroups.h"
#include "collectors/conntrack.h"
#include "collectors/cpu.h"
#include "collectors/cpu_vulnerabilities.h"
#include "collectors/cpufreq.h"
#include "collectors/diskstats.h"
#include "collectors/dmi.h"
#include "collectors/dmmultipath.h"
#include "collectors/drbd.h"
#include "collectors/drm.h"
#include "collectors/edac.h"
#include "collectors/entropy.h"
#include "collectors/ethtool.h"
#include "collectors/fibrechannel.h"
#include "collectors/filefd.h"
#include "collectors/filesystem.h"
#include "collectors/hwmon.h"
#include "collectors/infiniband.h"
#include "collectors/interrupts.h"
#include "collectors/ipvs.h"
#include "collectors/kernel_hung.h"
#include "collectors/ksmd.h"
#include "collectors/lnstat.h"
#include "collectors/loadavg.h"
#include "collectors/mdadm.h"
#include "collectors/meminfo.h"
#include "collectors/meminfo_numa.h"
#include "collectors/mountstats.h"
#include "collectors/netclass.h"
#include "collectors/netdev.h"
#include "collectors/netstat.h"
#include "collectors/network_route.h"
#include "collectors/nfs.h"
#include "collectors/nfsd.h"
#include "collectors/nvme.h"
#include "collectors/nvmesubsystem.h"
#include "collectors/os.h"
#include "collectors/pcidevice.h"
#include "collectors/powersupplyclass.h"
#include "collectors/pressure.h"
#include "collectors/processes.h"
#include "collectors/qdisc.h"
#include "collectors/rapl.h"
#include "collectors/schedstat.h"
#include "collectors/selinux.h"
#include "collectors/slabinfo.h"
#include "collectors/sockstat.h"
#include "collectors/softirqs.h"
#include "collectors/softnet.h"
#include "collectors/stat.h"
#include "collectors/swap.h"
#include "collectors/sysctl.h"
#include "collectors/tapestats.h"
#include "collectors/tcpstat.h"
#include "collectors/textfile.h"
#include "collectors/thermal_zone.h"
#include "collectors/time.h"
#include "collectors/timex.h"
#include "collectors/udp_queues.h"
#include "collectors/uname.h"
#include "collectors/vmstat.h"
#include "collectors/watchdog.h"
#include "collectors/wifi.h"
#include "collectors/xfrm.h"
#include "collectors/xfs.h"
#include "collectors/zfs.h"
#include "collectors/zoneinfo.h"

namespace nodex::collectors {
namespace {

// Sorted by name. Defaults match node_exporter's.
constexpr CollectorInfo kCollectors[] = {
    {"arp", true, kArpFlags, &NewArpCollector},
    {"bcache", true, kBcacheFlags, &NewBcacheCollector},
    {"bcachefs", true, {}, &NewBcachefsCollector},
    {"bonding", true, {}, &NewBondingCollector},
    {"btrfs", true, {}, &NewBtrfsCollector},
    {"buddyinfo", false, {}, &NewBuddyinfoCollector},
    {"cgroups", false, {}, &NewCgroupsCollector},
    {"conntrack", true, {}, &NewConntrackCollector},
    {"cpu", true, kCpuFlags, &NewCpuCollector},
    {"cpu_vulnerabilities", false, {}, &NewCpuVulnerabilitiesCollector},
    {"cpufreq", true, {}, &NewCpufreqCollector},
    {"diskstats", true, kDiskstatsFlags, &NewDiskstatsCollector},
    {"dmi", true, {}, &NewDmiCollector},
    {"dmmultipath", true, {}, &NewDmmultipathCollector},
    {"drbd", false, {}, &NewDrbdCollector},
    {"drm", false, {}, &NewDrmCollector},
    {"edac", true, {}, &NewEdacCollector},
    {"entropy", true, {}, &NewEntropyCollector},
    {"ethtool", false, kEthtoolFlags, &NewEthtoolCollector},
    {"fibrechannel", true, {}, &NewFibrechannelCollector},
    {"filefd", true, {}, &NewFilefdCollector},
    {"filesystem", true, kFilesystemFlags, &NewFilesystemCollector},
    {"hwmon", true, kHwmonFlags, &NewHwmonCollector},
    {"infiniband", true, {}, &NewInfinibandCollector},
    {"interrupts", false, kInterruptsFlags, &NewInterruptsCollector},
    {"ipvs", true, kIpvsFlags, &NewIpvsCollector},
    {"kernel_hung", true, {}, &NewKernelHungCollector},
    {"ksmd", false, {}, &NewKsmdCollector},
    {"lnstat", false, {}, &NewLnstatCollector},
    {"loadavg", true, {}, &NewLoadavgCollector},
    {"mdadm", true, {}, &NewMdadmCollector},
    {"meminfo", true, {}, &NewMeminfoCollector},
    {"meminfo_numa", false, {}, &NewMeminfoNumaCollector},
    {"mountstats", false, {}, &NewMountstatsCollector},
    {"netclass", true, kNetclassFlags, &NewNetclassCollector},
    {"netdev", true, kNetdevFlags, &NewNetdevCollector},
    {"netstat", true, kNetstatFlags, &NewNetstatCollector},
    {"network_route", false, {}, &NewNetworkRouteCollector},
    {"nfs", true, {}, &NewNfsCollector},
    {"nfsd", true, {}, &NewNfsdCollector},
    {"nvme", true, {}, &NewNvmeCollector},
    {"nvmesubsystem", false, {}, &NewNvmesubsystemCollector},
    {"os", true, {}, &NewOsCollector},
    {"pcidevice", false, kPcideviceFlags, &NewPcideviceCollector},
    {"powersupplyclass", true, kPowersupplyclassFlags, &NewPowersupplyclassCollector},
    {"pressure", true, {}, &NewPressureCollector},
    {"processes", false, {}, &NewProcessesCollector},
    {"qdisc", false, kQdiscFlags, &NewQdiscCollector},
    {"rapl", true, kRaplFlags, &NewRaplCollector},
    {"schedstat", true, {}, &NewSchedstatCollector},
    {"selinux", true, {}, &NewSelinuxCollector},
    {"slabinfo", false, kSlabinfoFlags, &NewSlabinfoCollector},
    {"sockstat", true, {}, &NewSockstatCollector},
    {"softirqs", false, {}, &NewSoftirqsCollector},
    {"softnet", true, {}, &NewSoftnetCollector},
    {"stat", true, kStatFlags, &NewStatCollector},
    {"swap", false, {}, &NewSwapCollector},
    {"sysctl", false, kSysctlFlags, &NewSysctlCollector},
    {"tapestats", true, kTapestatsFlags, &NewTapestatsCollector},
    {"tcpstat", false, {}, &NewTcpstatCollector},
    {"textfile", true, kTextfileFlags, &NewTextfileCollector},
    {"thermal_zone", true, {}, &NewThermalZoneCollector},
    {"time", true, {}, &NewTimeCollector},
    {"timex", true, {}, &NewTimexCollector},
    {"udp_queues", true, {}, &NewUdpQueuesCollector},
    {"uname", true, {}, &NewUnameCollector},
    {"vmstat", true, kVmstatFlags, &NewVmstatCollector},
    {"watchdog", true, {}, &NewWatchdogCollector},
    {"wifi", false, kWifiFlags, &NewWifiCollector},
    {"xfrm", false, {}, &NewXfrmCollector},
    {"xfs", true, {}, &NewXfsCollector},
    {"zfs", true, {}, &NewZfsCollector},
    {"zoneinfo", false, {}, &NewZoneinfoCollector},
};

}  // namespace

std::span<const CollectorInfo> AllCollectors() { return kCollectors; }

const CollectorInfo* FindCollector(std::string_view name) {
  auto it = std::lower_bound(std::begin(kCollectors), std::end(kCollectors), name,
                             [](const CollectorInfo& info, std::string_view n) { return info.name < n; });
  if (it == std::end(kCollectors) || it->name != name) return nullptr;
  return &*it;
}

}  // namespace nodex::collectors
