#include "collectors/uname.h"

#include <errno.h>
#include <string.h>

#include <string>
#include <string_view>

namespace nodex::collectors {
namespace {

constexpr expo::Desc kUnameInfo{"node_uname_info", "System identity as reported by the uname system call.",
                                expo::MetricType::kGauge};

template <size_t N>
std::string_view Field(const char (&field)[N]) {
  return std::string_view(field, strnlen(field, N));
}

class UnameCollector : public Collector {
 public:
  Status Collect(expo::MetricSet& out) override {
    struct utsname uts;
    if (::uname(&uts) != 0) return Status::Error(std::string("uname: ") + strerror(errno));
    AddUnameInfo(uts, out);
    return Status::Ok();
  }
};

}  // namespace

void AddUnameInfo(const struct utsname& uts, expo::MetricSet& out) {
  out.Add(kUnameInfo, 1,
          {{"sysname", Field(uts.sysname)},
           {"release", Field(uts.release)},
           {"version", Field(uts.version)},
           {"machine", Field(uts.machine)},
           {"nodename", Field(uts.nodename)},
           {"domainname", Field(uts.domainname)}});
}

StatusOr<std::unique_ptr<Collector>> NewUnameCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<UnameCollector>());
}

}  // namespace nodex::collectors
