#!/usr/bin/env python3
"""How scrape cost grows with the size of a node, nodex next to node_exporter.

Two kinds of node, both exporters on the same inputs, one run:

  synthetic  a generated procfs/sysfs/rootfs tree passed to both with
             --path.procfs/--path.sysfs/--path.rootfs: 8/64/256 CPUs (cpu,
             stat), 100/1000/5000 interfaces (netdev from /proc/net/dev,
             netclass from sysfs), 50/500 disks (diskstats), 100/2000 mounts
             (filesystem; every mount point is a real directory, so statfs
             works). Only the collectors that read the grown dimension run.
  netns      a real network namespace with 10, 100, 1000 and 2000 interfaces (veth
             pairs with both ends inside it, addresses in 198.18.0.0/15), both
             exporters started inside it with netdev (rtnetlink, the default)
             and netclass (sysfs). Needs root and iproute2.

For each point: a few warm-up scrapes, then --scrapes plain scrapes over a
keep-alive connection; median and p90 latency and CPU per scrape (utime+stime
deltas from /proc/<pid>/stat). Writes bench/results/<date>-scale.md, the data
file and a gnuplot PNG of scrape time against size (bench/results/<date>-scale.png).

This is a benchmark, never a test: nothing here asserts a time. Every wait is
bounded; exporters and namespaces are removed on every exit path.

Usage: bench/scale.py [--nodex PATH] [--scrapes N] [--only synthetic|netns] [--out-dir DIR] [--smallest]
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import side_by_side as sbs  # noqa: E402  (Exporter, percentile, cpu_model, version_line)

REPO = os.path.dirname(HERE)
NETNS = "nodexbench"
WARMUP = 3

# dimension -> (sizes, collectors both exporters run for it, extra flags)
SYNTHETIC = [
    ("cpus", [8, 64, 256], ["cpu", "stat"], []),
    ("interfaces", [100, 1000, 5000], ["netdev", "netclass"], ["--no-collector.netdev.netlink"]),
    ("disks", [50, 500], ["diskstats"], []),
    ("mounts", [100, 2000], ["filesystem"], []),
]
NETNS_SIZES = [10, 100, 1000, 2000]  # 2000: 1000 veth pairs


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def gen_cpus(root, n):
    lines = ["cpu  %d %d %d %d %d %d %d 0 0 0" % (n * 1000, n * 10, n * 500, n * 90000, n * 100, 0, n * 20)]
    for i in range(n):
        lines.append("cpu%d %d %d %d %d %d 0 %d 0 0 0" % (i, 1000 + i, 10, 500, 90000, 100, 20))
    lines += ["intr 123456 0 0", "ctxt 987654", "btime 1764288000", "processes 4242",
              "procs_running 2", "procs_blocked 0", "softirq 1000 1 2 3 4 5 6 7 8 9 10"]
    write(os.path.join(root, "proc", "stat"), "\n".join(lines) + "\n")
    cpu_dir = os.path.join(root, "sys", "devices", "system", "cpu")
    write(os.path.join(cpu_dir, "online"), "0-%d\n" % (n - 1))
    write(os.path.join(cpu_dir, "present"), "0-%d\n" % (n - 1))
    for i in range(n):
        base = os.path.join(cpu_dir, "cpu%d" % i)
        write(os.path.join(base, "topology", "core_id"), "%d\n" % (i // 2))
        write(os.path.join(base, "topology", "physical_package_id"), "%d\n" % (i // 64))
        if i:
            write(os.path.join(base, "online"), "1\n")


def gen_interfaces(root, n):
    lines = ["Inter-|   Receive                                                |  Transmit",
             " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed"]
    net = os.path.join(root, "sys", "class", "net")
    for i in range(n):
        name = "veth%05d" % i
        lines.append("%s: %d %d 0 0 0 0 0 0 %d %d 0 0 0 0 0 0" % (name, 1000 * i, i, 2000 * i, 2 * i))
        attrs = {
            "addr_assign_type": "3", "addr_len": "6", "address": "02:00:00:%02x:%02x:%02x" % (i >> 16, (i >> 8) & 255, i & 255),
            "broadcast": "ff:ff:ff:ff:ff:ff", "carrier": "1", "carrier_changes": "2", "carrier_down_count": "1",
            "carrier_up_count": "1", "dev_id": "0x0", "dev_port": "0", "dormant": "0", "duplex": "full",
            "flags": "0x1003", "ifalias": "", "ifindex": str(i + 2), "iflink": str(i + 2), "link_mode": "0",
            "mtu": "1500", "name_assign_type": "3", "netdev_group": "0", "operstate": "up", "speed": "10000",
            "tx_queue_len": "1000", "type": "1",
        }
        for key, value in attrs.items():
            write(os.path.join(net, name, key), value + "\n")
    write(os.path.join(root, "proc", "net", "dev"), "\n".join(lines) + "\n")


def disk_name(i):
    # sd + two letters: not excluded by either exporter's default device-exclude.
    return "sd" + chr(ord("a") + i // 26) + chr(ord("a") + i % 26)


def gen_disks(root, n):
    lines = []
    for i in range(n):
        lines.append("%4d %7d %s %d 0 %d %d %d 0 %d %d 0 %d %d 0 0 0 0 0 0" %
                     (8, i * 16, disk_name(i), 100 + i, 800 + i, 50, 200 + i, 1600 + i, 70, 30, 120))
    write(os.path.join(root, "proc", "diskstats"), "\n".join(lines) + "\n")


def gen_mounts(root, n):
    info, mounts = ["1 0 0:1 / / rw,relatime shared:1 - rootfs rootfs rw"], ["rootfs / rootfs rw 0 0"]
    for i in range(n):
        point = "/data/d%05d" % i
        os.makedirs(os.path.join(root, "root", point.lstrip("/")), exist_ok=True)
        info.append("%d 1 0:%d / %s rw,relatime shared:%d - ext4 /dev/fake%d rw" % (i + 2, i + 100, point, i + 2, i))
        mounts.append("/dev/fake%d %s ext4 rw,relatime 0 0" % (i, point))
    for pid in ("1", "self"):
        write(os.path.join(root, "proc", pid, "mountinfo"), "\n".join(info) + "\n")
        write(os.path.join(root, "proc", pid, "mounts"), "\n".join(mounts) + "\n")


GENERATORS = {"cpus": gen_cpus, "interfaces": gen_interfaces, "disks": gen_disks, "mounts": gen_mounts}


def measure(name, argv, scrapes, log_dir):
    e = sbs.Exporter(name, argv, log_dir)
    try:
        for _ in range(WARMUP):
            _, body = e.scrape(False)
        samples = sbs.count_samples(body.decode("utf-8", "replace"))
        cpu0, n0 = e.cpu_seconds(), e.scrapes
        times = [e.scrape(False)[0] for _ in range(scrapes)]
        cpu = (e.cpu_seconds() - cpu0) / (e.scrapes - n0)
        rss = int(e.status()["VmRSS"])
    finally:
        e.stop()
    return {"p50": statistics.median(times), "p90": sbs.percentile(times, 90), "cpu": cpu,
            "samples": samples, "rss": rss}


def run_synthetic(args, log_dir):
    rows = []
    for dim, sizes, collectors, extra in SYNTHETIC:
        flags = ["--collector.disable-defaults"] + ["--collector." + c for c in collectors] + extra
        for size in sizes[:1] if args.smallest else sizes:
            tree = tempfile.mkdtemp(prefix="nodex-scale-")
            try:
                os.makedirs(os.path.join(tree, "proc"))
                os.makedirs(os.path.join(tree, "sys"))
                os.makedirs(os.path.join(tree, "root"))
                GENERATORS[dim](tree, size)
                paths = ["--path.procfs=" + os.path.join(tree, "proc"), "--path.sysfs=" + os.path.join(tree, "sys"),
                         "--path.rootfs=" + os.path.join(tree, "root")]
                result = {}
                for name, binary in (("nodex", args.nodex), ("node_exporter", args.node_exporter)):
                    result[name] = measure(name, [binary] + paths + flags, args.scrapes, log_dir)
                rows.append(("synthetic", dim, size, result))
                print("synthetic %-10s %5d: nodex %.2f ms, node_exporter %.2f ms" %
                      (dim, size, result["nodex"]["p50"] * 1e3, result["node_exporter"]["p50"] * 1e3), flush=True)
            finally:
                shutil.rmtree(tree, ignore_errors=True)
    return rows


def sh(*argv, check=True, stdin=None):
    return subprocess.run(list(argv), check=check, input=stdin, capture_output=True, text=True, timeout=300)


def delete_netns():
    sh("ip", "netns", "del", NETNS, check=False)


def setup_netns(interfaces):
    """A namespace with `interfaces` veth ends (pairs, both ends inside) plus lo."""
    delete_netns()
    sh("ip", "netns", "add", NETNS)
    batch = ["link set lo up"]
    for p in range(interfaces // 2):
        a, b = "va%04d" % p, "vb%04d" % p
        batch.append("link add %s type veth peer name %s" % (a, b))
        # 198.18.0.0/15: one /30 per pair.
        base = 4 * p
        batch.append("addr add 198.%d.%d.%d/30 dev %s" % (18 + (base >> 16), (base >> 8) & 255, (base & 255) + 1, a))
        batch.append("addr add 198.%d.%d.%d/30 dev %s" % (18 + (base >> 16), (base >> 8) & 255, (base & 255) + 2, b))
        batch.append("link set %s up" % a)
        batch.append("link set %s up" % b)
    sh("ip", "-n", NETNS, "-batch", "-", stdin="\n".join(batch) + "\n")


def run_netns(args, log_dir):
    if os.geteuid() != 0:
        print("skipping the netns part: needs root", file=sys.stderr)
        return []
    rows = []
    base = ["--collector.disable-defaults", "--collector.netdev", "--collector.netclass"]
    # netclass from sysfs (both exporters' default), then from netlink.
    variants = [("veth interfaces", base), ("veth interfaces, netclass.netlink", base + ["--collector.netclass.netlink"])]
    try:
        for size in NETNS_SIZES[:1] if args.smallest else NETNS_SIZES:
            setup_netns(size)
            for label, flags in variants:
                result = {}
                for name, binary in (("nodex", args.nodex), ("node_exporter", args.node_exporter)):
                    # The client must be inside the namespace too: run this
                    # script's measure() there.
                    out = sh("ip", "netns", "exec", NETNS, sys.executable, os.path.abspath(__file__), "--inner",
                             name, "--scrapes", str(args.scrapes), "--", binary, *flags)
                    result[name] = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append(("netns", label, size, result))
                print("netns %-34s %5d: nodex %.2f ms, node_exporter %.2f ms" %
                      (label, size, result["nodex"]["p50"] * 1e3, result["node_exporter"]["p50"] * 1e3), flush=True)
    finally:
        delete_netns()
    return rows


def render(rows, args, stamp):
    uname = os.uname()
    lines = [
        "# Scrape cost against node size, nodex vs node_exporter (%s)" % stamp.strftime("%Y-%m-%d %H:%M"),
        "",
        "- machine: %d CPUs, %s, kernel %s; load average before/after: %s / %s" %
        (os.cpu_count(), sbs.cpu_model(), uname.release, args.load_before, sbs.loadavg()),
        "- nodex: %s; node_exporter: %s" % (sbs.version_line(args.nodex), sbs.version_line(args.node_exporter)),
        "- %d warm-up then %d plain scrapes per point over a keep-alive connection; CPU is utime+stime per "
        "scrape (clock ticks of %d ms)" % (WARMUP, args.scrapes, 1000 // sbs.CLK_TCK),
        "",
        "| node | dimension | size | samples | nodex p50 | nodex p90 | nodex CPU | node_exporter p50 | "
        "node_exporter p90 | node_exporter CPU | latency ratio | CPU ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ms = lambda s: "%.2f ms" % (s * 1e3)
    for kind, dim, size, r in rows:
        n, ne = r["nodex"], r["node_exporter"]
        lines.append("| %s | %s | %d | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            kind, dim, size, n["samples"], ne["samples"], ms(n["p50"]), ms(n["p90"]), ms(n["cpu"]),
            ms(ne["p50"]), ms(ne["p90"]), ms(ne["cpu"]), sbs.ratio(ne["p50"], n["p50"]), sbs.ratio(ne["cpu"], n["cpu"])))
    return "\n".join(lines) + "\n"


def plot(rows, dat_path, png_path):
    with open(dat_path, "w") as f:
        f.write("# panel size nodex_p50_ms node_exporter_p50_ms\n")
        for kind, dim, size, r in rows:
            f.write('"%s" %d %.4f %.4f\n' % ("%s %s" % (kind, dim), size, r["nodex"]["p50"] * 1e3,
                                             r["node_exporter"]["p50"] * 1e3))
    panels = []
    for kind, dim, _, _ in rows:
        key = "%s %s" % (kind, dim)
        if key not in panels:
            panels.append(key)
    script = ["set terminal pngcairo size 1400,900 font ',10' noenhanced" if has_pngcairo() else "set terminal png size 1400,900 noenhanced",
              "set output '%s'" % png_path,
              "set multiplot layout 2,3 title 'median scrape time (ms) against node size: nodex vs node_exporter 1.5.0'",
              "set logscale xy", "set grid", "set key top left", "set ylabel 'ms'"]
    for key in panels:
        sub = os.path.join(os.path.dirname(dat_path), ".%s.dat" % key.replace(" ", "_"))
        with open(sub, "w") as f:
            for kind, dim, size, r in rows:
                if "%s %s" % (kind, dim) == key:
                    f.write("%d %.4f %.4f\n" % (size, r["nodex"]["p50"] * 1e3, r["node_exporter"]["p50"] * 1e3))
        script += ["set title '%s'" % key, "set xlabel '%s'" % key.split(" ", 1)[1].split(",")[0],
                   "plot '%s' using 1:2 with linespoints title 'nodex', '' using 1:3 with linespoints title 'node_exporter'" % sub]
    script.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True, timeout=60)
    for key in panels:
        os.remove(os.path.join(os.path.dirname(dat_path), ".%s.dat" % key.replace(" ", "_")))


def has_pngcairo():
    out = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True, timeout=30)
    return "pngcairo" in out.stdout + out.stderr


def inner(argv):
    """--inner NAME --scrapes N -- BINARY FLAGS...: measure one exporter here, print its dict."""
    name, scrapes = argv[1], int(argv[3])
    cmd = argv[argv.index("--") + 1:]
    log_dir = tempfile.mkdtemp(prefix="nodex-scale-netns-")
    try:
        print(json.dumps(measure(name, cmd, scrapes, log_dir)))
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        return inner(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodex", default=os.path.join(REPO, "build", "nodex"))
    parser.add_argument("--node-exporter", default=sbs.NODE_EXPORTER)
    parser.add_argument("--scrapes", type=int, default=30)
    parser.add_argument("--only", choices=["synthetic", "netns"])
    parser.add_argument("--out-dir", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--smallest", action="store_true",
                        help="only the smallest size of each dimension: a quick check that the script and both "
                             "exporters still work (tests/e2e/bench.sh), not a benchmark")
    args = parser.parse_args()
    args.nodex = os.path.abspath(args.nodex)
    for path in (args.nodex, args.node_exporter):
        if not os.access(path, os.X_OK):
            print("error: %s is not an executable" % path, file=sys.stderr)
            return 2
    if not shutil.which("gnuplot"):
        print("error: gnuplot missing (apt-get install gnuplot-nox)", file=sys.stderr)
        return 2
    args.load_before = sbs.loadavg()
    log_dir = tempfile.mkdtemp(prefix="nodex-scale-logs-")
    rows = []
    if args.only in (None, "synthetic"):
        rows += run_synthetic(args, log_dir)
    if args.only in (None, "netns"):
        rows += run_netns(args, log_dir)
    shutil.rmtree(log_dir, ignore_errors=True)
    stamp = datetime.datetime.now()
    os.makedirs(args.out_dir, exist_ok=True)
    base = os.path.join(args.out_dir, stamp.strftime("%Y-%m-%d") + "-scale")
    with open(base + ".md", "w") as f:
        f.write(render(rows, args, stamp))
    plot(rows, base + ".dat", base + ".png")
    print(open(base + ".md").read())
    print("wrote %s.md, %s.dat, %s.png" % (base, base, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
