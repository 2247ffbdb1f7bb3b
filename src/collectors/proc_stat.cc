#include "collectors/proc_stat.h"

#include <string>

#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

Status Malformed(std::string_view key, std::string_view token) {
  std::string msg = "malformed /proc/stat: bad ";
  msg.append(key);
  msg.append(" value \"");
  // Bound the echoed token: an intr line can be kilobytes long.
  msg.append(token.substr(0, 64));
  msg.append("\"");
  return Status::Error(std::move(msg));
}

// One "cpu"/"cpuN" line. Up to ten tick columns; later ones may be missing on
// old kernels (they stay 0) and extra ones are ignored, as procfs does.
Status ParseCpuLine(std::string_view name, std::string_view rest, ProcStat* out) {
  double ticks[10] = {};
  std::string_view field;
  for (double& t : ticks) {
    if (!NextField(&rest, &field)) break;
    auto v = ParseDouble(field);
    if (!v) return Malformed(name, field);
    t = *v / kUserHz;
  }
  CpuTimes times{ticks[0], ticks[1], ticks[2], ticks[3], ticks[4], ticks[5], ticks[6], ticks[7], ticks[8], ticks[9]};
  if (name == "cpu") {
    out->cpu_total = times;
    return Status::Ok();
  }
  auto id = ParseI64(name.substr(3));
  if (!id || *id < 0) return Malformed("cpu id", name);
  out->cpus.push_back(CpuLine{*id, times});
  return Status::Ok();
}

Status ParseSoftirqLine(std::string_view rest, ProcStat* out) {
  std::string_view field;
  if (!NextField(&rest, &field)) return Malformed("softirq", field);
  auto total = ParseU64(field);
  if (!total) return Malformed("softirq", field);
  out->softirq_total = *total;
  for (uint64_t& count : out->softirq) {
    // procfs requires every vector column; a short line is malformed.
    if (!NextField(&rest, &field)) return Malformed("softirq", "<missing column>");
    auto v = ParseU64(field);
    if (!v) return Malformed("softirq", field);
    count = *v;
  }
  return Status::Ok();
}

Status ParseCounter(std::string_view key, std::string_view value, uint64_t* out) {
  auto v = ParseU64(value);
  if (!v) return Malformed(key, value);
  *out = *v;
  return Status::Ok();
}

}  // namespace

Status ParseProcStat(std::string_view content, ProcStat* out) {
  out->cpus.clear();
  out->boot_time = out->irq_total = out->context_switches = out->processes_created = 0;
  out->procs_running = out->procs_blocked = out->softirq_total = 0;
  out->softirq.fill(0);
  out->cpu_total = CpuTimes{};

  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view rest = line;
    std::string_view key, value;
    if (!NextField(&rest, &key)) continue;
    std::string_view after_key = rest;
    if (!NextField(&rest, &value)) continue;  // Fewer than two fields: ignored.

    Status st;
    if (key == "btime") {
      st = ParseCounter(key, value, &out->boot_time);
    } else if (key == "intr") {
      st = ParseCounter(key, value, &out->irq_total);
      // Per-IRQ columns are not exported, but procfs rejects a bad one, so
      // the whole file fails the same way here.
      std::string_view irq;
      while (st.ok() && NextField(&rest, &irq)) {
        if (!ParseU64(irq)) st = Malformed(key, irq);
      }
    } else if (key == "ctxt") {
      st = ParseCounter(key, value, &out->context_switches);
    } else if (key == "processes") {
      st = ParseCounter(key, value, &out->processes_created);
    } else if (key == "procs_running") {
      st = ParseCounter(key, value, &out->procs_running);
    } else if (key == "procs_blocked") {
      st = ParseCounter(key, value, &out->procs_blocked);
    } else if (key == "softirq") {
      st = ParseSoftirqLine(after_key, out);
    } else if (key.starts_with("cpu")) {
      st = ParseCpuLine(key, after_key, out);
    }
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace nodex::collectors
