#!/usr/bin/env bash
# tests/e2e/side_by_side.sh NODEX: nodex next to Debian's node_exporter on the same host.
#
# Both run only the collectors nodex has (node_exporter 1.5.0 knows all of them: cpu,
# entropy, filefd, loadavg, meminfo, os (since 1.3), stat, time, uname). For every
# family node_exporter emits, except its own process/runtime families, nodex must emit
# the family with the same TYPE and the same label names. Families only nodex has are
# fine. Both must report the same collectors in node_scrape_collector_success.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NE=/usr/bin/prometheus-node-exporter
need_peer "$NE" "Debian package prometheus-node-exporter"

COLLECTORS=(cpu entropy filefd loadavg meminfo os stat time uname)

# Keep only collectors this node_exporter knows (all nine in 1.5.0; this guards other versions).
"$NE" --help >"$E2E_TMP/ne-help.txt" 2>&1
known=()
for c in "${COLLECTORS[@]}"; do
  if grep -qE -- "--(\[no-\])?collector\.$c( |$)" "$E2E_TMP/ne-help.txt"; then
    known+=("$c")
  else
    echo "note: $NE does not know collector '$c'; comparing without it"
  fi
done
((${#known[@]} > 0)) || die "$NE knows none of: ${COLLECTORS[*]}"
flags=(--collector.disable-defaults)
for c in "${known[@]}"; do flags+=("--collector.$c"); done

ne_port=$(free_port)
"$NE" "--web.listen-address=127.0.0.1:$ne_port" "${flags[@]}" >"$E2E_TMP/ne.log" 2>&1 &
ne_pid=$!
e2e_track "$ne_pid"
wait_listen "$ne_pid" "$ne_port" 10 || die "node_exporter did not listen on 127.0.0.1:$ne_port: $(tail -c 500 "$E2E_TMP/ne.log")"
start_nodex "$NODEX" "${flags[@]}"

fetch "http://127.0.0.1:$ne_port/metrics" -o "$E2E_TMP/ne.txt" || die "scraping node_exporter failed"
fetch "$NODEX_URL/metrics" -o "$E2E_TMP/nodex.txt" || die "scraping nodex failed"
"$NE" --version >"$E2E_TMP/ne-version.txt" 2>&1

python3 - "$E2E_TMP/ne.txt" "$E2E_TMP/nodex.txt" "$(head -1 "$E2E_TMP/ne-version.txt")" <<'EOF'
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
IGNORED = re.compile(
    r"^(go_|process_|promhttp_|node_exporter_build_info$|node_scrape_collector_duration_seconds$)")

SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s')
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created", "_info")


def parse(path):
    """family -> {"type": str|None, "labels": set of label names, "series": int}, plus
    the set of collectors in node_scrape_collector_success."""
    fams, collectors = {}, set()
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
            collectors.add(names["collector"])
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
    if a["labels"] != b["labels"]:
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

if ne_coll != nx_coll:
    print(f"FAIL collectors differ: node_exporter {sorted(ne_coll)}, nodex {sorted(nx_coll)}")
    failures += 1
else:
    print(f"collectors reported by both: {', '.join(sorted(ne_coll))}")

checked = sum(1 for r in rows if not r[5].startswith("intentional"))
print(f"side_by_side: {checked - sum(1 for r in rows if r[5].startswith('FAIL'))}/{checked} families match, "
      f"{sum(1 for r in rows if r[5].startswith('intentional'))} intentional differences, {failures} failure(s)")
sys.exit(1 if failures else 0)
EOF
rc=$?
[[ $rc == 0 ]] || die "nodex differs from node_exporter (see the table above)"
pass "every node_exporter family has the same TYPE and label names in nodex"
finish
