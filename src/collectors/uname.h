// The uname collector (mirrors node_exporter's uname collector,
// collector/uname.go + uname_linux.go): node_uname_info with the fields of
// uname(2). It asks the running kernel, not --path.procfs, exactly as
// node_exporter does, so a containerised nodex reports the host kernel but
// its own UTS namespace's nodename and domainname.
#ifndef NODEX_COLLECTORS_UNAME_H_
#define NODEX_COLLECTORS_UNAME_H_

#include <sys/utsname.h>

#include "collectors/collector.h"

namespace nodex::collectors {

// Appends node_uname_info{domainname,machine,nodename,release,sysname,version} 1
// for one utsname, e.g. from uname -a:
//   Linux vm 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64
// gives sysname="Linux", nodename="vm", release="6.1.0-18-amd64",
// version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1", machine="x86_64" and
// domainname="(none)" when no NIS domain is set. Each field is read up to
// its first NUL, and never past the end of its array.
void AddUnameInfo(const struct utsname& uts, expo::MetricSet& out);

StatusOr<std::unique_ptr<Collector>> NewUnameCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_UNAME_H_
