// Micro-benchmarks of the scrape path's hot functions, on captured inputs from
// src/collectors/testdata and on synthetic ones sized like a large node:
//   - the exposition writer on a MetricSet of about 3000 samples, reused as
//     in steady state and sorting afresh, and filling that MetricSet (what
//     collectors do every scrape);
//   - FormatSampleValue on a mix of counters, gauges and fractions;
//   - gzip of that exposition at several levels (the level is a trade-off
//     between CPU per scrape and bytes on the wire);
//   - ParseProcStat, ParseMeminfo, ParseProcNetDev and DecodeLinkDump.
// Run: build-*/bench/micro_bench (from any directory).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/meminfo.h"
#include "collectors/netdev.h"
#include "collectors/proc_stat.h"
#include "expo/format_float.h"
#include "expo/gzip.h"
#include "expo/metric_set.h"
#include "expo/text_writer.h"

namespace nodex::bench {
namespace {

std::string Fixture(const char* rel) {
  std::string path = std::string(NODEX_SOURCE_DIR) + "/src/collectors/testdata/" + rel;
  std::string content;
  if (!ReadFileOnce(path, &content).ok()) {
    std::fprintf(stderr, "micro_bench: cannot read fixture %s\n", path.c_str());
    std::exit(1);
  }
  return content;
}

constexpr expo::Desc kCpuSeconds{"node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                                 expo::MetricType::kCounter};
constexpr expo::Desc kNetBytes{"node_network_receive_bytes_total", "Network device statistic receive_bytes.",
                               expo::MetricType::kCounter};
constexpr expo::Desc kNetPackets{"node_network_receive_packets_total", "Network device statistic receive_packets.",
                                 expo::MetricType::kCounter};
constexpr expo::Desc kMemGauge{"node_memory_MemFree_bytes", "Memory information field MemFree_bytes.",
                               expo::MetricType::kGauge};
constexpr const char* kModes[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

// About 3000 samples shaped like a 64-CPU node with 600 interfaces: 512
// cpu-mode series, 2 x 1200 interface series and a hundred unlabelled gauges.
void FillLargeNode(expo::MetricSet& set) {
  set.Clear();
  char cpu_buf[24];
  for (int cpu = 0; cpu < 64; ++cpu) {
    std::string_view cpu_label = expo::IntLabel(cpu_buf, cpu);
    for (const char* mode : kModes) {
      set.Add(kCpuSeconds, 123456.78 + cpu * 1.5, {{"cpu", cpu_label}, {"mode", mode}});
    }
  }
  char dev[32];
  for (int i = 0; i < 1200; ++i) {
    int n = std::snprintf(dev, sizeof(dev), "veth%05d", i);
    std::string_view device(dev, static_cast<size_t>(n));
    set.Add(kNetBytes, 9.876543e12 + i, {{"device", device}});
    set.Add(kNetPackets, 1234567.0 + i, {{"device", device}});
  }
  char name[64];
  for (int i = 0; i < 100; ++i) {
    std::snprintf(name, sizeof(name), "node_memory_Field%03d_bytes", i);
    set.Add(expo::Desc{name, "Memory information field.", expo::MetricType::kGauge}, 4096.0 * i);
  }
  set.Add(kMemGauge, 3.0e9);
}

void BM_MetricSetFill(benchmark::State& state) {
  expo::MetricSet set;
  FillLargeNode(set);  // First fill sizes the buffers, as the first scrape does.
  for (auto _ : state) {
    FillLargeNode(set);
    benchmark::DoNotOptimize(set.samples().data());
  }
  state.counters["samples"] = static_cast<double>(set.samples().size());
}
BENCHMARK(BM_MetricSetFill);

void BM_TextWriter(benchmark::State& state) {
  expo::MetricSet set;
  FillLargeNode(set);
  expo::TextWriter writer;
  std::string out;
  writer.Write(set, &out);
  for (auto _ : state) {
    writer.Write(set, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["samples"] = static_cast<double>(set.samples().size());
  state.counters["bytes"] = static_cast<double>(out.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_TextWriter);

// The writer when it cannot reuse the previous scrape's order (the first
// scrape, or series that changed): a fresh TextWriter sorts every time.
void BM_TextWriterSorting(benchmark::State& state) {
  expo::MetricSet set;
  FillLargeNode(set);
  std::string out;
  for (auto _ : state) {
    expo::TextWriter writer;
    writer.Write(set, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["samples"] = static_cast<double>(set.samples().size());
}
BENCHMARK(BM_TextWriterSorting);

void BM_Gzip(benchmark::State& state) {
  expo::MetricSet set;
  FillLargeNode(set);
  expo::TextWriter writer;
  std::string text;
  writer.Write(set, &text);
  expo::GzipCompressor gzip(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    gzip.Compress(text, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["in_bytes"] = static_cast<double>(text.size());
  state.counters["out_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Gzip)->Arg(1)->Arg(4)->Arg(6)->Arg(9);

void BM_FormatSampleValue(benchmark::State& state) {
  // Counters in seconds, byte counters, small gauges, 0/1 and fractions.
  const std::vector<double> values = {0,        1,         123456.78, 9.876543e12, 0.0001, 3742148.0 * 1024,
                                      1.5e-07,  42,        0.25,      18446744073709551615.0,
                                      86400.01, -1,        1e21,      3.14159};
  char buf[expo::kFloatBufferSize];
  for (auto _ : state) {
    for (double v : values) {
      size_t n = expo::FormatSampleValue(v, buf);
      benchmark::DoNotOptimize(n);
      benchmark::DoNotOptimize(buf);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * values.size()));
}
BENCHMARK(BM_FormatSampleValue);

// /proc/stat of a 2-CPU VM, and the same file with its cpu lines repeated for
// 256 CPUs (the parser's cost is mostly the cpu lines and the intr line).
std::string ProcStatWithCpus(const std::string& real, int cpus) {
  std::string cpu_line;
  std::string rest;
  size_t pos = 0;
  while (pos < real.size()) {
    size_t nl = real.find('\n', pos);
    if (nl == std::string::npos) nl = real.size();
    std::string_view line(real.data() + pos, nl - pos);
    if (line.starts_with("cpu0 ")) cpu_line = std::string(line.substr(5));
    if (!line.starts_with("cpu") || line.starts_with("cpu ")) {
      rest.append(line);
      rest.push_back('\n');
    }
    pos = nl + 1;
  }
  std::string out;
  size_t first_newline = rest.find('\n') + 1;
  out.append(rest, 0, first_newline);  // The "cpu " total line.
  for (int i = 0; i < cpus; ++i) out += "cpu" + std::to_string(i) + " " + cpu_line + "\n";
  out.append(rest, first_newline, std::string::npos);
  return out;
}

void BM_ParseProcStat(benchmark::State& state) {
  const std::string real = Fixture("proc_stat/real_x86_64_2cpu.txt");
  const std::string content = state.range(0) == 2 ? real : ProcStatWithCpus(real, static_cast<int>(state.range(0)));
  collectors::ProcStat stat;
  for (auto _ : state) {
    Status s = collectors::ParseProcStat(content, &stat);
    benchmark::DoNotOptimize(s);
  }
  if (stat.cpus.size() != static_cast<size_t>(state.range(0))) state.SkipWithError("unexpected cpu count");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseProcStat)->Arg(2)->Arg(256);

void BM_ParseMeminfo(benchmark::State& state) {
  const std::string content = Fixture("meminfo/real/meminfo");
  collectors::MeminfoValues values;
  for (auto _ : state) {
    Status s = collectors::ParseMeminfo(content, &values);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseMeminfo);

void BM_ParseProcNetDev(benchmark::State& state) {
  const std::string content = Fixture("netdev/real/net/dev");
  std::vector<collectors::ProcNetDevLine> lines;
  for (auto _ : state) {
    Status s = collectors::ParseProcNetDev(content, &lines);
    benchmark::DoNotOptimize(s);
  }
  state.counters["interfaces"] = static_cast<double>(lines.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * content.size()));
}
BENCHMARK(BM_ParseProcNetDev);

class CountingSink : public collectors::LinkSink {
 public:
  void OnLink(std::string_view name, const collectors::LinkStats& stats) override {
    links_ += 1;
    benchmark::DoNotOptimize(stats.v[0]);
  }
  size_t links_ = 0;
};

void BM_DecodeLinkDump(benchmark::State& state) {
  const std::string raw = Fixture("netdev/real/rtm_getlink_dump_seq1.bin");
  // A recv buffer is 4-byte aligned; a std::string's data need not be.
  std::vector<uint32_t> aligned((raw.size() + 3) / 4);
  std::memcpy(aligned.data(), raw.data(), raw.size());
  std::span<const uint8_t> buf(reinterpret_cast<const uint8_t*>(aligned.data()), raw.size());
  CountingSink sink;
  for (auto _ : state) {
    StatusOr<bool> done = collectors::DecodeLinkDump(buf, 1, sink);
    benchmark::DoNotOptimize(done);
  }
  state.counters["links_per_dump"] =
      state.iterations() > 0 ? static_cast<double>(sink.links_) / static_cast<double>(state.iterations()) : 0;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_DecodeLinkDump);

}  // namespace
}  // namespace nodex::bench

BENCHMARK_MAIN();
