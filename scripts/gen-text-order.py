#!/usr/bin/env python3
"""scripts/gen-text-order.py [--nodex BUILD/nodex] [--out FILE]: regenerate cmake/nodex-text-order.txt.

The list tells GNU gold which function sections of the nodex executable to place together
(cmake/NodexTextOrder.cmake says why). It is made by running NODEX under valgrind's callgrind on a
free loopback port, twice: with its default collectors and with every collector. Each run dumps what
startup executes, then what the first two scrapes execute, then what --scrapes more gzip scrapes
execute together with the /-/healthy and /-/ready probes the DaemonSet sends every 10 s. Executed
function symbols are looked up in the link's inputs (the objects and static archives of
`ninja -t commands nodex`, plus the static libstdc++) to get their exact section names, and written
in groups, each sorted by name:

  1. steady-state scrapes with the default collectors (what a DaemonSet runs all day),
  2. the first scrapes only, default collectors (what stays resident after the startup trim of
     src/base/memory_trim.h, which runs before the first scrape, besides group 1),
  3. and 4. the same for the other collectors,
  5. startup only,
  6. the shared cold sections nothing above ran.

Libraries built without per-function sections (libmicrohttpd, most of RE2) put all of a file's
functions in .text, .text.hot, .text.unlikely, .text.startup or .text.exit; gold matches names
exactly, so such a name moves that kind of section of every such file at once. Each goes to the
first group that ran a function in it, the rest last; plain .text is never listed (it mixes RE2's
matcher with its compiler) and keeps link order. NODEX must be a lean build of the current sources
(the default; its objects have per-function sections and its link inputs are read); the names do
not depend on the layout, so the list it was linked with does not matter. Prints, for the profiled
binary, how many 64 KiB text windows the steady-state functions occupy: after relinking with a fresh
list that number should be close to their size / 64 KiB.

Needs valgrind (callgrind_control) and binutils. Takes about a minute.
"""

import argparse
import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOW = 64 * 1024  # the kernel's fault-around size for file-backed mappings
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 300
SYMBOL = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")
# objdump -t: "0000000000000000 g     F .text._Z3fooi\t000000000000001e _Z3fooi"
OBJDUMP_FUNC = re.compile(r"^[0-9a-f]+ .{6}F (\.text\S*)\t([0-9a-f]+) (?:\.hidden )?(\S+)$")
# Sections GCC shares among all functions of a file compiled without -ffunction-sections.
SHARED_SECTIONS = (".text.hot", ".text.unlikely", ".text.startup", ".text.exit")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def all_collectors(nodex):
    out = subprocess.run([nodex, "--help"], capture_output=True, text=True, timeout=60)
    found = re.findall(r"--\[no-\]collector\.([a-z0-9_]+)\s", out.stdout + out.stderr)
    return sorted(set(found))


def request(port, path, gzip):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip else {})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status


def wait_until_serving(port, proc):
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("nodex exited with status %d during startup" % proc.returncode)
        try:
            request(port, "/-/healthy", False)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("nodex did not answer /-/healthy within %d s" % START_TIMEOUT_S)


def executed_functions(dump, binary):
    """Names of the functions of BINARY with a cost in one callgrind dump."""
    names = set()
    in_binary = False
    with open(dump, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                path = line[3:].strip()
                in_binary = os.path.exists(path) and os.path.samefile(path, binary)
            elif line.startswith("fn=") and in_binary:
                # Callgrind marks recursion depth as name'2; "0x..." and "(below main)" have no symbol.
                name = line[3:].strip().split("'")[0]
                if SYMBOL.fullmatch(name):
                    names.add(name)
    return names


def profile(nodex, flags, scrapes, workdir, label):
    """(startup, first scrapes, steady) sets of executed function names for one run of NODEX with FLAGS."""
    port = free_port()
    out = os.path.join(workdir, "callgrind.%s" % label)
    log = open(os.path.join(workdir, "%s.log" % label), "w")
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, "--dump-instr=no",
            "--compress-strings=no", "--compress-pos=no", "--demangle=no",
            nodex] + flags + ["--web.listen-address=127.0.0.1:%d" % port]
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    try:
        wait_until_serving(port, proc)
        subprocess.run(["callgrind_control", "--dump=startup", str(proc.pid)], check=True, capture_output=True)
        for _ in range(2):
            request(port, "/metrics", True)
            request(port, "/metrics", False)
        subprocess.run(["callgrind_control", "--dump=first", str(proc.pid)], check=True, capture_output=True)
        for i in range(scrapes):
            request(port, "/metrics", True)
            request(port, "/-/healthy", False)
            request(port, "/-/ready", False)
            if i % 5 == 0:
                request(port, "/metrics", False)
        subprocess.run(["callgrind_control", "--dump=steady", str(proc.pid)], check=True, capture_output=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    dumps = {}
    for name in os.listdir(workdir):
        m = re.fullmatch(re.escape(os.path.basename(out)) + r"\.(\d+)", name)
        if m:
            dumps[int(m.group(1))] = os.path.join(workdir, name)
    if sorted(dumps)[:3] != [1, 2, 3]:
        raise RuntimeError("callgrind wrote no startup/first/steady dumps for the %s run (see %s)" % (label, log.name))
    return tuple(executed_functions(dumps[i], nodex) for i in (1, 2, 3))


def link_inputs(build_dir):
    """Objects and static archives of nodex's link command, plus the static libstdc++."""
    out = subprocess.run(["ninja", "-C", build_dir, "-t", "commands", "nodex"], capture_output=True,
                         text=True, check=True).stdout
    # CMake's Ninja link line is ": && c++ ... -o nodex ... && :".
    link = [part for line in out.splitlines() for part in line.split("&&") if " -o nodex " in part + " "]
    if not link:
        raise RuntimeError("no link command for nodex in %s/build.ninja" % build_dir)
    inputs = []
    for token in shlex.split(link[-1]):
        if token.endswith((".o", ".a")):
            path = token if os.path.isabs(token) else os.path.join(build_dir, token)
            if os.path.exists(path):
                inputs.append(path)
    cxx = os.environ.get("CXX", "c++")
    libstdcxx = subprocess.run([cxx, "-print-file-name=libstdc++.a"], capture_output=True, text=True).stdout.strip()
    if os.path.isabs(libstdcxx) and os.path.exists(libstdcxx):
        inputs.append(libstdcxx)
    return inputs


def function_sections(inputs):
    """(own, shared): symbol -> (its sections, size) for every function of INPUTS in a section of its
    own (.text.f; .text.unlikely.f for f.cold; the base constructor's .text._ZN1SC2Ev for its alias
    _ZN1SC1Ev), and symbol -> SHARED_SECTIONS it lives in."""
    own, shared = {}, {}
    for path in inputs:
        out = subprocess.run(["objdump", "-t", path], capture_output=True, text=True, errors="replace").stdout
        for line in out.splitlines():
            m = OBJDUMP_FUNC.match(line)
            if not m or m.group(1) == ".text":
                continue
            section, size, name = m.group(1), int(m.group(2), 16), m.group(3)
            if section in SHARED_SECTIONS:
                shared.setdefault(name, set()).add(section)
                continue
            sections, biggest = own.get(name, (set(), 0))
            sections.add(section)
            own[name] = (sections, max(biggest, size))
    return own, shared


def text_windows(binary, names):
    """(bytes, windows): size of NAMES in BINARY and how many 64 KiB windows of the file they touch."""
    out = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True).stdout
    total, windows = 0, set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[3] in names and fields[2] in "tTwW":
            start, size = int(fields[0], 16), int(fields[1], 16)
            total += size
            windows.update(range(start // WINDOW, (start + max(size, 1) - 1) // WINDOW + 1))
    return total, len(windows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodex", default=os.path.join(REPO, "build", "nodex"))
    ap.add_argument("--out", default=os.path.join(REPO, "cmake", "nodex-text-order.txt"))
    ap.add_argument("--scrapes", type=int, default=10)
    args = ap.parse_args()
    nodex = os.path.abspath(args.nodex)
    build_dir = os.path.dirname(nodex)

    with tempfile.TemporaryDirectory(prefix="nodex-text-order.") as workdir:
        print("profiling %s with the default collectors ..." % nodex, file=sys.stderr)
        start_default, first_default, steady_default = profile(nodex, [], args.scrapes, workdir, "default")
        every = ["--collector." + c for c in all_collectors(nodex)]
        print("profiling with all %d collectors ..." % len(every), file=sys.stderr)
        start_all, first_all, steady_all = profile(nodex, every, args.scrapes, workdir, "all")

    # Functions the first scrapes run once (opening files, sizing buffers, the writer's first
    # sort) come right after the steady ones, so what stays resident after PageOutStartupMemory
    # (src/base/memory_trim.h), which runs before the first scrape, is one dense block.
    groups = [("steady-state scrapes, default collectors", steady_default)]
    groups.append(("first scrapes only, default collectors", first_default - steady_default))
    groups.append(("steady-state scrapes, other collectors", steady_all - steady_default - first_default))
    done = steady_default | first_default | steady_all
    groups.append(("first scrapes only, other collectors", first_all - done))
    done |= first_all
    groups.append(("startup only", (start_default | start_all) - done))
    own, shared = function_sections(link_inputs(build_dir))

    lines, placed, summary = [], set(), []
    for title, names in groups:
        sections, size, unordered = set(), 0, 0
        shared_here = sorted({s for name in names for s in shared.get(name, ())} - placed)
        for name in names:
            if name in own:
                size += own[name][1]
                sections.update(own[name][0] - placed)
                placed.update(own[name][0])
            elif name not in shared:
                unordered += 1
        placed.update(shared_here)
        lines += ["", "# %s: %d functions, %d KiB" % (title, len(names) - unordered, size // 1024)]
        lines += shared_here + sorted(sections)
        summary.append("%s: %d functions (%d KiB of own sections); %d only in plain .text, not ordered"
                       % (title, len(names) - unordered, size // 1024, unordered))
    ordered = sum(1 for name in steady_default if name in own)
    if ordered < len(steady_default) // 2:
        print("warning: only %d of %d steady-state functions have a section of their own: was %s built "
              "with -ffunction-sections (a lean build with GNU gold)?" % (ordered, len(steady_default), nodex),
              file=sys.stderr)
    lines += ["", "# cold sections shared by all functions of a file"]
    lines += [s for s in SHARED_SECTIONS if s not in placed]

    header = [
        "# GNU gold --section-ordering-file for the nodex executable (cmake/NodexTextOrder.cmake).",
        "# Generated by scripts/gen-text-order.py from a callgrind profile; regenerate with",
        "#   scripts/gen-text-order.py --nodex build/nodex",
        "# Stale or missing names cost only resident memory, never the build.",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(header + lines) + "\n")

    steady_bytes, steady_windows = text_windows(nodex, steady_default)
    for line in summary:
        print(line, file=sys.stderr)
    print("in %s, the default steady-state functions (%d KiB) lie in %d 64 KiB windows"
          % (args.nodex, steady_bytes // 1024, steady_windows), file=sys.stderr)
    print("wrote %s" % args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
