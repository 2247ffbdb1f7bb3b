#!/usr/bin/env bash
# tests/e2e/bench.sh NODEX READ_FLOOR: the benchmark scripts still run and still
# produce their tables, so `make bench` does not rot between the times someone
# runs it.
#
# A smoke run, not a benchmark: bench/side_by_side.py with the fewest rounds it
# accepts, bench/scale.py with only the smallest size of each dimension
# (--smallest; the netns point needs root) and bench/floor.sh (strace needs root).
# Checks that every row carries numbers for both exporters and a ratio, that the
# scale table has a row per dimension, that the plot was drawn, and that the
# floor table has its multiples. No time or ratio is asserted: a timed test would
# fail on a busy machine and prove nothing on a quiet one (bench/README.md).
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
READ_FLOOR=${2:-}
need_binary "$NODEX"
[[ -x "$READ_FLOOR" ]] || die "usage: $0 NODEX READ_FLOOR (bench/read_floor, built with nodex)"
NE=/usr/bin/prometheus-node-exporter
need_peer "$NE" "Debian package prometheus-node-exporter"
need_peer "$(command -v gnuplot || echo /usr/bin/gnuplot)" "Debian package gnuplot-nox"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

# --- side_by_side.py: 400 alternating rounds (its minimum), 20 warm ones.
SBS="$E2E_TMP/side-by-side.md"
timeout 120 python3 "$REPO/bench/side_by_side.py" --nodex "$NODEX" --scrapes 400 --hot-scrapes 20 \
  --max-seconds 60 --out "$SBS" >"$E2E_TMP/sbs.log" 2>&1 ||
  die "side_by_side.py failed: $(tail -c 1500 "$E2E_TMP/sbs.log")"
num='[0-9]+(\.[0-9]+)?'
for row in "scrape latency, gzip, median" "scrape latency, plain, p99" "CPU per scrape \(utime\+stime\)" \
  "CPU per scrape, gzip, back to back \(warm caches\)"; do
  grep -Eq "^\| $row \| $num ms \| $num ms \| $num(x| \(nodex below)" "$SBS" ||
    fail "side_by_side: no '$row' row with two times and a ratio: $(grep -E "^\| $row" "$SBS")"
done
for row in "RSS steady \(after the run\)" "RSS steady: anonymous \(heap, stacks\)" "PSS steady \(shared pages divided among users\)"; do
  grep -Eq "^\| $row \| $num MiB \| $num MiB \| ${num}x \|$" "$SBS" ||
    fail "side_by_side: no '$row' row with two sizes and a ratio: $(grep -E "^\| $row" "$SBS")"
done
samples=$(sed -nE 's/^\| samples in the response \| ([0-9]+) \| ([0-9]+) \|.*/\1 \2/p' "$SBS")
read -r nodex_samples ne_samples <<<"${samples:-0 0}"
((nodex_samples > 100 && ne_samples > 100)) || fail "side_by_side: samples in the response '$samples'"
grep -Eq '^- collectors \(([0-9]+), on by default in both\): [a-z_]+(, [a-z_]+)+$' "$SBS" ||
  fail "side_by_side: no collectors line: $(grep -E '^- collectors' "$SBS")"
[[ $E2E_FAILURES -eq 0 ]] && pass "side_by_side.py: every row has both exporters' numbers"

# --- scale.py --smallest: one point per dimension, 3 scrapes each.
OUT="$E2E_TMP/scale"
timeout 300 python3 "$REPO/bench/scale.py" --nodex "$NODEX" --smallest --scrapes 3 --out-dir "$OUT" \
  >"$E2E_TMP/scale.log" 2>&1 || die "scale.py failed: $(tail -c 1500 "$E2E_TMP/scale.log")"
md=$(ls "$OUT"/*-scale.md 2>/dev/null | head -1)
[[ -n "$md" ]] || die "scale.py wrote no table into $OUT: $(tail -c 500 "$E2E_TMP/scale.log")"
for dim in "synthetic \| cpus \| 8" "synthetic \| interfaces \| 100" "synthetic \| disks \| 50" "synthetic \| mounts \| 100"; do
  grep -Eq "^\| $dim \| [0-9]+ / [0-9]+ \| $num ms \| $num ms \| $num ms \| $num ms" "$md" ||
    fail "scale: no row '$dim' with sample counts and times: $(grep -E "^\| ${dim%%\\*}" "$md" | head -3)"
done
if [[ $(id -u) -eq 0 ]]; then
  n=$(grep -Ec "^\| netns \| veth interfaces(, netclass.netlink)? \| 10 \| [0-9]+ / [0-9]+ \| $num ms" "$md")
  ((n == 2)) || fail "scale: expected the two netns rows of 10 interfaces, found $n"
fi
png="${md%.md}.png"
[[ -s "$png" && $(head -c 4 "$png" | od -An -tx1 | tr -d ' ') == 89504e47 ]] || fail "scale: $png is not a PNG"
[[ -s "${md%.md}.dat" ]] || fail "scale: no data file next to $md"
ip netns list 2>/dev/null | grep -q '^nodexbench\b' && fail "scale: left its network namespace behind"
[[ $E2E_FAILURES -eq 0 ]] && pass "scale.py --smallest: a row per dimension and a plot"

# --- floor.sh: strace one scrape of each exporter, re-read their files.
if [[ $(id -u) -ne 0 ]]; then
  echo "note: floor.sh not run: attaching strace to the exporters needs root here"
else
  need_peer "$(command -v strace || echo /usr/bin/strace)" "Debian package strace"
  FLOOR="$E2E_TMP/floor.md"
  timeout 180 "$REPO/bench/floor.sh" "$READ_FLOOR" "$NODEX" "$FLOOR" >"$E2E_TMP/floor.log" 2>&1 ||
    die "floor.sh failed: $(tail -c 1500 "$E2E_TMP/floor.log")"
  for row in "files read per scrape \| [0-9]+ \| [0-9]+" "floor: kept-open fds, median \| $num ms \| $num ms" \
    "scrape median / its own floor \| ${num}x \| ${num}x"; do
    grep -Eq "^\| $row \|$" "$FLOOR" || fail "floor: no row matching '$row': $(grep -F "${row%% \\|*}" "$FLOOR")"
  done
  nfiles=$(sed -nE 's/^\| files read per scrape \| ([0-9]+) \|.*/\1/p' "$FLOOR")
  ((${nfiles:-0} >= 20)) || fail "floor: nodex read only '${nfiles}' files in a scrape"
  [[ $E2E_FAILURES -eq 0 ]] && pass "floor.sh: file lists, floors and multiples for both exporters"
fi
finish
