#!/usr/bin/env bash
# tests/e2e/side_by_side.sh NODEX: nodex next to Debian's node_exporter on the same host.
#
# Both run every collector the two have in common (nodex's collectors come from its
# --help, node_exporter's from its --help), with the option flags some of them need to
# emit anything (cpu.info, stat.softirq, a sysctl include, a textfile directory, ...).
# For every family node_exporter emits, except its own process/runtime families, nodex
# must emit the family with the same TYPE and the same label names, unless it is in the
# commented list of intentional differences below. Families only nodex has are fine.
# Both must report the same collectors in node_scrape_collector_success, with the same
# value (a collector that fails for lack of hardware fails on both), and nodex must
# report every collector it was asked to run.
# Hardware collectors with nothing to read on this host (no hwmon, dmi, rapl, ...) emit
# nothing on either side; the comparison is over what node_exporter emits here.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NE=/usr/bin/prometheus-node-exporter
need_peer "$NE" "Debian package prometheus-node-exporter"

"$NODEX" --help >"$E2E_TMP/nodex-help.txt" 2>&1 || die "$NODEX --help failed: $(tail -c 500 "$E2E_TMP/nodex-help.txt")"
"$NE" --help >"$E2E_TMP/ne-help.txt" 2>&1
"$NE" --version >"$E2E_TMP/ne-version.txt" 2>&1

# nodex's collectors: "--[no-]collector.NAME  Enable the NAME collector (default: ...)".
mapfile -t nodex_collectors < <(sed -nE 's/^ *--\[no-\]collector\.([a-z0-9_]+) +Enable the \1 collector.*/\1/p' \
  "$E2E_TMP/nodex-help.txt" | sort -u)
((${#nodex_collectors[@]} > 0)) || die "no '--[no-]collector.<name>  Enable the <name> collector' lines in $NODEX --help"

# ne_knows FLAG: node_exporter accepts the boolean flag or option --FLAG.
ne_knows() { grep -qE -- "--(\[no-\])?${1//./\\.}(=| |$)" "$E2E_TMP/ne-help.txt"; }
# nodex_knows FLAG: likewise for nodex.
nodex_knows() { grep -qE -- "--(\[no-\])?${1//./\\.}(=| |$)" "$E2E_TMP/nodex-help.txt"; }

collectors=()
only_nodex=()
for c in "${nodex_collectors[@]}"; do
  if ne_knows "collector.$c"; then collectors+=("$c"); else only_nodex+=("$c"); fi
done
((${#collectors[@]} > 0)) || die "$NE knows none of nodex's collectors: ${nodex_collectors[*]}"
echo "collectors compared (${#collectors[@]}): ${collectors[*]}"
((${#only_nodex[@]} == 0)) || echo "collectors $NE does not have (not compared): ${only_nodex[*]}"

# textfile needs a directory with something in it.
TEXTFILE_DIR="$E2E_TMP/textfile"
mkdir -p "$TEXTFILE_DIR"
cat >"$TEXTFILE_DIR/side_by_side.prom" <<'PROM'
# HELP side_by_side_answer A metric from the textfile collector.
# TYPE side_by_side_answer gauge
side_by_side_answer{kind="test"} 42
PROM

# Option flags that make enabled collectors emit more (or anything). A flag goes to both
# exporters only when its collector is compared and both accept it, so both always run
# the same configuration.
has() { local x; for x in "${collectors[@]}"; do [[ $x == "$1" ]] && return 0; done; return 1; }
options=()
add_option() { # add_option COLLECTOR FLAG[=VALUE]
  local flag=${2%%=*}
  has "$1" || return 0
  if ne_knows "$flag" && nodex_knows "$flag"; then
    options+=("--$2")
  else
    echo "note: option --$flag is not known to both exporters; comparing without it"
  fi
}
add_option cpu collector.cpu.info
add_option cpu 'collector.cpu.info.flags-include=^(fpu|sse2?|ht|hypervisor)$'
add_option cpu 'collector.cpu.info.bugs-include=.*'
add_option stat collector.stat.softirq
add_option sysctl collector.sysctl.include=kernel.threads-max
add_option sysctl collector.sysctl.include=fs.file-nr:allocated,unused,max
add_option sysctl collector.sysctl.include=kernel.pid_max
add_option sysctl collector.sysctl.include-info=kernel.ostype
add_option textfile "collector.textfile.directory=$TEXTFILE_DIR"

flags=(--collector.disable-defaults)
for c in "${collectors[@]}"; do flags+=("--collector.$c"); done
flags+=("${options[@]}")
echo "flags (both exporters): ${flags[*]}"

ne_port=$(free_port)
"$NE" "--web.listen-address=127.0.0.1:$ne_port" "${flags[@]}" >"$E2E_TMP/ne.log" 2>&1 &
ne_pid=$!
e2e_track "$ne_pid"
wait_listen "$ne_pid" "$ne_port" 10 || die "node_exporter did not listen on 127.0.0.1:$ne_port: $(tail -c 500 "$E2E_TMP/ne.log")"
start_nodex "$NODEX" "${flags[@]}"

fetch "http://127.0.0.1:$ne_port/metrics" -o "$E2E_TMP/ne.txt" || die "scraping node_exporter failed"
fetch "$NODEX_URL/metrics" -o "$E2E_TMP/nodex.txt" || die "scraping nodex failed"

python3 - "$E2E_TMP/ne.txt" "$E2E_TMP/nodex.txt" "$(head -1 "$E2E_TMP/ne-version.txt")" "${collectors[*]}" <<'EOF'
import re, sys

# Families node_exporter has but nodex intentionally does not match, with the reason.
# name -> reason. Keep this list short and justified; an entry here skips the family.
INTENTIONAL = {}

# meminfo: node_exporter 1.5.0 turned every /proc/meminfo line into node_memory_<Key>_bytes.
# Since 1.9 (nodex mirrors 1.12.1) it exports only the fields procfs' Meminfo struct knows,
# so these kernel fields are no longer exported, and nodex follows the newer behaviour.
# (Which of them a host has depends on its kernel and config.)
for _field in ("Balloon", "FileHugePages", "FilePmdMapped", "Hugetlb", "KReclaimable",
               "SecPageTables", "Unaccepted", "ShadowCallStack", "HighTotal", "HighFree",
               "LowTotal", "LowFree", "MmapCopy", "Quicklists", "DirectMap4M"):
    INTENTIONAL[f"node_memory_{_field}_bytes"] = "not exported since node_exporter 1.9 (fixed meminfo field set)"
# Labels node_exporter added to a family after 1.5.0 (nodex mirrors 1.12.1, whose
# fixtures in ../shared/conformance carry them): nodex may have these on top of 1.5.0's.
ADDED_LABELS = {
    # filesystem: every node_filesystem_* series carries device_error in 1.12.1.
    **{f"node_filesystem_{m}": {"device_error"} for m in (
        "avail_bytes", "device_error", "files", "files_free", "free_bytes", "readonly", "size_bytes")},
    "node_disk_info": {"rotational"},      # diskstats: queue/rotational
    "node_network_info": {"adminstate"},   # netclass: administrative state
}
IGNORED = re.compile(
    r"^(go_|process_|promhttp_|node_exporter_build_info$|node_scrape_collector_duration_seconds$)")

SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s')
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created", "_info")


def parse(path):
    """family -> {"type": str|None, "labels": set of label names, "series": int}, plus
    collector -> value of its node_scrape_collector_success sample."""
    fams, collectors = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            fams.setdefault(name, {"type": None, "labels": set(), "series": 0})["type"] = typ
            continue
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line + " ")
        if not m:
            continue
        name, labels = m.group(1), m.group(2) or ""
        fam = name
        if fam not in fams:
            for suf in ("_bucket", "_count", "_sum"):
                if name.endswith(suf) and name[: -len(suf)] in fams:
                    fam = name[: -len(suf)]
        f = fams.setdefault(fam, {"type": None, "labels": set(), "series": 0})
        names = dict(LABEL.findall(labels))
        f["labels"] |= set(names) - {"le", "quantile"}
        f["series"] += 1
        if name == "node_scrape_collector_success" and "collector" in names:
            collectors[names["collector"]] = ((line + " ")[m.end():].split() or [""])[0]
    return fams, collectors


ne, ne_coll = parse(sys.argv[1])
nx, nx_coll = parse(sys.argv[2])
print(f"reference: {sys.argv[3]}")

rows, failures = [], 0
for name in sorted(ne):
    if IGNORED.match(name):
        continue
    a = ne[name]
    if a["series"] == 0:
        continue  # HELP/TYPE only
    b = nx.get(name)
    want_labels = ",".join(sorted(a["labels"])) or "-"
    if name in INTENTIONAL:
        rows.append((name, a["type"], "-", want_labels, "-", "intentional: " + INTENTIONAL[name]))
        continue
    if b is None or b["series"] == 0:
        rows.append((name, a["type"], "absent", want_labels, "-", "FAIL missing"))
        failures += 1
        continue
    got_labels = ",".join(sorted(b["labels"])) or "-"
    problems = []
    if a["type"] != b["type"]:
        problems.append("type")
    if a["labels"] != b["labels"] - ADDED_LABELS.get(name, set()):
        problems.append("labels")
    verdict = "ok" if not problems else "FAIL " + "+".join(problems)
    failures += bool(problems)
    rows.append((name, a["type"], b["type"] or "untyped", want_labels, got_labels, verdict))

only_nodex = sorted(n for n in nx if n not in ne and not IGNORED.match(n) and not n.startswith("nodex_"))

w = [max(len(str(r[i])) for r in rows + [("family", "ne type", "nodex type", "ne labels", "nodex labels", "verdict")])
     for i in range(6)]
w[3] = min(w[3], 48)
w[4] = min(w[4], 48)
hdr = ("family", "ne type", "nodex type", "ne labels", "nodex labels", "verdict")
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)).rstrip())
for r in rows:
    cells = [c if len(c) <= w[i] else c[: w[i] - 3] + "..." for i, c in enumerate(map(str, r))]
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(cells)).rstrip())
if only_nodex:
    print(f"families only in nodex (fine): {', '.join(only_nodex)}")

enabled = set(sys.argv[4].split())
if enabled - set(nx_coll):
    print(f"FAIL nodex does not report enabled collectors in node_scrape_collector_success: "
          f"{sorted(enabled - set(nx_coll))}")
    failures += 1
if set(ne_coll) != set(nx_coll):
    print(f"FAIL collectors differ: node_exporter {sorted(ne_coll)}, nodex {sorted(nx_coll)}")
    failures += 1
else:
    print(f"collectors reported by both: {', '.join(sorted(ne_coll))}")
# Same host, same flags: a collector that fails (nothing to read, e.g. no DMI/RAPL) must
# fail on both sides, and one that works must work on both.
for c in sorted(set(ne_coll) & set(nx_coll)):
    if ne_coll[c] != nx_coll[c]:
        print(f"FAIL node_scrape_collector_success{{collector=\"{c}\"}}: "
              f"node_exporter {ne_coll[c]}, nodex {nx_coll[c]}")
        failures += 1
failed_both = sorted(c for c in ne_coll if ne_coll[c] == "0" and nx_coll.get(c) == "0")
if failed_both:
    print(f"collectors with nothing to read on this host (success 0 on both): {', '.join(failed_both)}")

checked = sum(1 for r in rows if not r[5].startswith("intentional"))
print(f"side_by_side: {checked - sum(1 for r in rows if r[5].startswith('FAIL'))}/{checked} families match, "
      f"{sum(1 for r in rows if r[5].startswith('intentional'))} intentional differences, {failures} failure(s)")
sys.exit(1 if failures else 0)
EOF
rc=$?
[[ $rc == 0 ]] || die "nodex differs from node_exporter (see the table above)"
pass "every node_exporter family has the same TYPE and label names in nodex"
finish
