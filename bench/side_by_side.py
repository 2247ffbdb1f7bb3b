#!/usr/bin/env python3
"""nodex next to Debian's node_exporter on this machine, in one run.

Starts both exporters on loopback ports with the same collectors (those that
are on by default in both, from their --help), scrapes them alternately
(so a change in machine load hits both alike) and writes a markdown table to
bench/results/<date>-side-by-side.md:

  - scrape latency, median and p99, as seen by a keep-alive HTTP client, for
    gzip scrapes (what Prometheus sends) and plain ones;
  - CPU seconds per scrape: utime+stime of the whole process from
    /proc/<pid>/stat over the run, divided by the scrapes it served (so it
    includes whatever the exporter does between scrapes, e.g. Go's GC);
  - RSS before the first scrape, after the run (steady) and peak (VmHWM);
  - threads after the run;
  - response bytes, plain and gzip, and the number of samples.

It builds nothing: pass the nodex binary (default build/nodex, the Makefile's
RelWithDebInfo build). Every wait is bounded and both exporters are stopped
on every exit path.

Usage: bench/side_by_side.py [--nodex PATH] [--scrapes N] [--out FILE]
"""

import argparse
import datetime
import gzip
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
SCRAPE_TIMEOUT_S = 10
START_TIMEOUT_S = 10
# Scrapes before measuring: both exporters open files, size buffers and (Go)
# grow their heap on the first scrapes; the steady state is what a DaemonSet
# pays thousands of times.
WARMUP_SCRAPES = 10


def default_on_collectors(help_text):
    """Collector names a --help lists as enabled by default (lines may wrap)."""
    pattern = re.compile(r"--(?:\[no-\])?collector\.([a-z0-9_]+)\s+Enable the \1 collector\s+\(default:\s+(\w+)\)")
    return {m.group(1) for m in pattern.finditer(help_text) if m.group(2) == "enabled"}


def help_text(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    return out.stdout + out.stderr


def version_line(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return (out.stdout + out.stderr).splitlines()[0].strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Exporter:
    """One exporter process on a loopback port, with a keep-alive client."""

    def __init__(self, name, argv, log_dir):
        self.name = name
        self.port = free_port()
        self.log = open(os.path.join(log_dir, name + ".log"), "wb")
        self.proc = subprocess.Popen(argv + ["--web.listen-address=127.0.0.1:%d" % self.port],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s did not start listening on 127.0.0.1:%d; see %s" %
                                   (name, self.port, self.log.name))
            time.sleep(0.05)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SCRAPE_TIMEOUT_S)
        self.scrapes = 0

    def scrape(self, use_gzip):
        """Returns (seconds, body bytes as sent)."""
        headers = {"Accept-Encoding": "gzip"} if use_gzip else {"Accept-Encoding": "identity"}
        start = time.perf_counter()
        self.conn.request("GET", "/metrics", headers=headers)
        resp = self.conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter() - start
        if resp.status != 200:
            raise RuntimeError("%s answered %d" % (self.name, resp.status))
        if use_gzip and resp.getheader("Content-Encoding") != "gzip":
            raise RuntimeError("%s did not gzip its response" % self.name)
        self.scrapes += 1
        return elapsed, body

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # After the comm field: state is fields[0], utime is field 14 of the
        # file (fields[11]) and stime field 15 (fields[12]).
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def status(self):
        values = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                values[key] = rest.split()[0] if rest.split() else ""
        return values

    def pss_kib(self):
        """Proportional set size: shared library pages split among their users."""
        with open("/proc/%d/smaps_rollup" % self.proc.pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if getattr(self, "conn", None):
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def count_samples(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def common_collectors(args):
    nodex_help = help_text(args.nodex)
    ne_help = help_text(args.node_exporter)
    collectors = sorted(default_on_collectors(nodex_help) & default_on_collectors(ne_help))
    if not collectors:
        raise RuntimeError("no collector is on by default in both exporters")
    return collectors


def collector_flags(args, collectors=None):
    collectors = collectors or common_collectors(args)
    return ["--collector.disable-defaults"] + ["--collector." + c for c in collectors]


def run(args):
    collectors = common_collectors(args)
    flags = collector_flags(args, collectors)

    load_before = loadavg()
    log_dir = tempfile.mkdtemp(prefix="nodex-bench-")
    exporters = []
    try:
        exporters.append(Exporter("nodex", [args.nodex] + flags, log_dir))
        exporters.append(Exporter("node_exporter", [args.node_exporter] + flags, log_dir))
        idle_rss = {e.name: int(e.status()["VmRSS"]) for e in exporters}

        bodies = {}
        for e in exporters:
            for _ in range(WARMUP_SCRAPES):
                e.scrape(True)
            _, plain = e.scrape(False)
            _, zipped = e.scrape(True)
            bodies[e.name] = (plain, zipped)

        latency = {(e.name, z): [] for e in exporters for z in (True, False)}
        cpu_start = {e.name: e.cpu_seconds() for e in exporters}
        scrapes_start = {e.name: e.scrapes for e in exporters}
        wall_start = time.monotonic()
        for i in range(args.scrapes):
            use_gzip = i % 2 == 0  # Half gzip (Prometheus), half plain.
            for e in exporters:
                elapsed, _ = e.scrape(use_gzip)
                latency[(e.name, use_gzip)].append(elapsed)
            if time.monotonic() - wall_start > args.max_seconds:
                print("note: stopped after %d rounds (--max-seconds %d)" % (i + 1, args.max_seconds),
                      file=sys.stderr)
                break
        wall = time.monotonic() - wall_start
        cpu_end = {e.name: e.cpu_seconds() - cpu_start[e.name] for e in exporters}
        served_end = {e.name: e.scrapes for e in exporters}
        # Then each exporter alone, gzip scrapes back to back: its code and
        # data stay in the CPU caches between scrapes. The alternating rounds
        # above are the realistic case (Prometheus scrapes every 15-60 s, so
        # every scrape starts cold); this shows how much of the cost is that.
        hot_cpu = {}
        for e in exporters:
            start_cpu, start_n = e.cpu_seconds(), e.scrapes
            for _ in range(args.hot_scrapes):
                e.scrape(True)
            hot_cpu[e.name] = (e.cpu_seconds() - start_cpu) / max(1, e.scrapes - start_n)
        results = {}
        for e in exporters:
            st = e.status()
            served = served_end[e.name] - scrapes_start[e.name]
            plain, zipped = bodies[e.name]
            results[e.name] = {
                "p50_gzip": statistics.median(latency[(e.name, True)]),
                "p99_gzip": percentile(latency[(e.name, True)], 99),
                "p50_plain": statistics.median(latency[(e.name, False)]),
                "p99_plain": percentile(latency[(e.name, False)], 99),
                "cpu": cpu_end[e.name] / served,
                "cpu_hot": hot_cpu[e.name],
                "scrapes": served,
                "idle_rss": idle_rss[e.name],
                "rss": int(st["VmRSS"]),
                "hwm": int(st["VmHWM"]),
                "pss": e.pss_kib(),
                "rss_anon": int(st["RssAnon"]),
                "rss_file": int(st["RssFile"]) + int(st["RssShmem"]),
                "threads": int(st["Threads"]),
                "plain_bytes": len(plain),
                "gzip_bytes": len(zipped),
                "samples": count_samples(plain.decode("utf-8", "replace")),
            }
            # A decompressed gzip body must be the same exposition, give or take
            # values that changed between the two scrapes.
            if count_samples(gzip.decompress(zipped).decode("utf-8", "replace")) != results[e.name]["samples"]:
                print("note: %s's gzip and plain responses differ in sample count" % e.name, file=sys.stderr)
    finally:
        for e in exporters:
            e.stop()
    shutil.rmtree(log_dir)  # Kept when a run fails: the exporters' logs are in it.
    load_after = loadavg()
    return {
        "collectors": collectors,
        "results": results,
        "wall": wall,
        "load_before": load_before,
        "load_after": load_after,
        "nodex_version": version_line(args.nodex),
        "ne_version": version_line(args.node_exporter),
    }


def ratio(ne, nodex):
    return "%.1fx" % (ne / nodex) if nodex > 0 else "n/a (nodex below clock-tick resolution)"


def render(run_result, args):
    r = run_result["results"]
    n, ne = r["nodex"], r["node_exporter"]
    ms = lambda s: "%.2f ms" % (s * 1e3)
    mib = lambda kib: "%.1f MiB" % (kib / 1024.0)
    rows = [
        ("scrape latency, gzip, median", ms(n["p50_gzip"]), ms(ne["p50_gzip"]), ratio(ne["p50_gzip"], n["p50_gzip"])),
        ("scrape latency, gzip, p99", ms(n["p99_gzip"]), ms(ne["p99_gzip"]), ratio(ne["p99_gzip"], n["p99_gzip"])),
        ("scrape latency, plain, median", ms(n["p50_plain"]), ms(ne["p50_plain"]),
         ratio(ne["p50_plain"], n["p50_plain"])),
        ("scrape latency, plain, p99", ms(n["p99_plain"]), ms(ne["p99_plain"]), ratio(ne["p99_plain"], n["p99_plain"])),
        ("CPU per scrape (utime+stime)", ms(n["cpu"]), ms(ne["cpu"]), ratio(ne["cpu"], n["cpu"])),
        ("CPU per scrape, gzip, back to back (warm caches)", ms(n["cpu_hot"]), ms(ne["cpu_hot"]),
         ratio(ne["cpu_hot"], n["cpu_hot"])),
        ("RSS before the first scrape", mib(n["idle_rss"]), mib(ne["idle_rss"]), ratio(ne["idle_rss"], n["idle_rss"])),
        ("RSS steady (after the run)", mib(n["rss"]), mib(ne["rss"]), ratio(ne["rss"], n["rss"])),
        ("RSS steady: anonymous (heap, stacks)", mib(n["rss_anon"]), mib(ne["rss_anon"]),
         ratio(ne["rss_anon"], n["rss_anon"])),
        ("RSS steady: file-backed (binary, libraries)", mib(n["rss_file"]), mib(ne["rss_file"]),
         ratio(ne["rss_file"], n["rss_file"])),
        ("PSS steady (shared pages divided among users)", mib(n["pss"]), mib(ne["pss"]), ratio(ne["pss"], n["pss"])),
        ("RSS peak (VmHWM)", mib(n["hwm"]), mib(ne["hwm"]), ratio(ne["hwm"], n["hwm"])),
        ("threads", str(n["threads"]), str(ne["threads"]), ""),
        ("response bytes, plain", str(n["plain_bytes"]), str(ne["plain_bytes"]), ""),
        ("response bytes, gzip", str(n["gzip_bytes"]), str(ne["gzip_bytes"]), ""),
        ("samples in the response", str(n["samples"]), str(ne["samples"]), ""),
        ("scrapes measured", str(n["scrapes"]), str(ne["scrapes"]), ""),
    ]
    uname = os.uname()
    lines = [
        "# nodex vs node_exporter, side by side (%s)" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "",
        "- machine: %d CPUs, %s, kernel %s %s" % (os.cpu_count(), cpu_model(), uname.release, uname.machine),
        "- load average (1/5/15 min) before: %s, after: %s" % (run_result["load_before"], run_result["load_after"]),
        "- nodex: `%s` (%s)" % (os.path.relpath(args.nodex, REPO), run_result["nodex_version"]),
        "- node_exporter: `%s` (%s)" % (args.node_exporter, run_result["ne_version"]),
        "- collectors (%d, on by default in both): %s" % (len(run_result["collectors"]),
                                                          ", ".join(run_result["collectors"])),
        "- %d warm-up scrapes each, then %d alternating rounds (half gzip, half plain) in %.1f s; "
        "latency is client-side over a keep-alive connection (Python's http.client adds the same "
        "overhead to both)" % (WARMUP_SCRAPES, n["scrapes"], run_result["wall"]),
        "- CPU per scrape is the whole process's utime+stime delta (clock ticks of %d ms) over the run "
        "divided by scrapes served; it includes work between scrapes (Go's GC)" % (1000 // CLK_TCK),
        "- then %d gzip scrapes of each exporter alone, back to back (\"warm caches\" row): each scrape of "
        "the alternating rounds starts after the other exporter's, with caches cold, as every scrape does "
        "in production" % args.hot_scrapes,
        "",
        "| metric | nodex | node_exporter | node_exporter / nodex |",
        "|---|---:|---:|---:|",
    ]
    lines += ["| %s | %s | %s | %s |" % row for row in rows]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodex", default=os.path.join(REPO, "build", "nodex"))
    parser.add_argument("--node-exporter", default=NODE_EXPORTER)
    parser.add_argument("--scrapes", type=int, default=600, help="alternating rounds (at least 400: 200 per mode)")
    parser.add_argument("--max-seconds", type=int, default=300, help="stop the rounds after this long")
    parser.add_argument("--hot-scrapes", type=int, default=300,
                        help="gzip scrapes of each exporter alone, back to back, after the rounds")
    parser.add_argument("--out", help="markdown file (default bench/results/<date>-side-by-side.md)")
    parser.add_argument("--print-flags", action="store_true",
                        help="only print the collector flags both exporters get, one a line")
    args = parser.parse_args()
    args.nodex = os.path.abspath(args.nodex)
    if args.print_flags:
        print("\n".join(collector_flags(args)))
        return 0
    for path in (args.nodex, args.node_exporter):
        if not os.access(path, os.X_OK):
            print("error: %s is not an executable (build nodex first: make build; "
                  "node_exporter: apt-get install prometheus-node-exporter)" % path, file=sys.stderr)
            return 2
    result = run(args)
    text = render(result, args)
    out = args.out or os.path.join(REPO, "bench", "results",
                                   datetime.date.today().isoformat() + "-side-by-side.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    print(text)
    print("written to %s" % os.path.relpath(out, os.getcwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
