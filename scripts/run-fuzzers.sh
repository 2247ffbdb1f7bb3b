#!/usr/bin/env bash
# run-fuzzers.sh [NAME...]: `make fuzz`. Builds the fuzzers (all, or the named
# ones) as libFuzzer binaries with clang, ASan and UBSan in a build dir of their
# own, then runs each for a bounded time over a temporary copy of its seed
# corpus fuzz/corpus/<name>/, so the repository is never written to. Stops at
# the first crash, leak, timeout or OOM with a non-zero exit and the path of
# the input that caused it (kept under $FUZZ_BUILD_DIR/fuzz-artifacts/).
#
# FUZZ_SECONDS   seconds per fuzzer (default 10)
# FUZZ_RSS_MB    libFuzzer -rss_limit_mb (default 2048)
# FUZZ_TIMEOUT   libFuzzer -timeout, seconds for one input (default 10)
# FUZZ_BUILD_DIR build dir (default build-fuzz)
# JOBS           build parallelism (default nproc)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
per_input=${FUZZ_TIMEOUT:-10}
jobs=${JOBS:-$(nproc)}

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "run-fuzzers: $tool not found (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
done

# A fuzzer is fuzz/<name>_fuzzer.cc; its corpus fuzz/corpus/<name>/ may be absent.
names=("$@")
if [[ ${#names[@]} == 0 ]]; then
  for src in "$root"/fuzz/*_fuzzer.cc; do
    name=$(basename "$src" _fuzzer.cc)
    # Listed in fuzz/CMakeLists.txt, i.e. a target exists (skips a file someone is still adding).
    grep -qw -- "$name" "$root/fuzz/CMakeLists.txt" && names+=("$name")
  done
  targets=(fuzzers)
else
  targets=()
  for name in "${names[@]}"; do targets+=("${name}_fuzzer"); done
fi

cmake -S "$root" -B "$build" -G Ninja -DNODEX_LIBFUZZER=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/nodex-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

for name in "${names[@]}"; do
  bin="$build/fuzz/${name}_fuzzer"
  [[ -x "$bin" ]] || { echo "run-fuzzers: $bin was not built" >&2; exit 1; }
  mkdir -p "$work/$name" "$artifacts/$name"
  if [[ -d "$root/fuzz/corpus/$name" ]]; then cp -R "$root/fuzz/corpus/$name/." "$work/$name/"; fi
  echo "=== $name: ${seconds}s over $(find "$work/$name" -type f | wc -l) seed inputs"
  rc=0
  "$bin" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout="$per_input" \
    -artifact_prefix="$artifacts/$name/" -print_final_stats=1 "$work/$name" >"$work/$name.log" 2>&1 || rc=$?
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$name.log" | tr '\n' ' ' || true
  echo
  if [[ $rc != 0 ]]; then
    tail -n 60 "$work/$name.log" >&2
    input=$(grep -oE "Test unit written to [^ ]+" "$work/$name.log" | tail -n1 | sed 's/Test unit written to //')
    echo "FAIL: fuzzer $name exited with status $rc; input: ${input:-(none written, see the log above)}" >&2
    echo "      reproduce: $bin ${input:-}" >&2
    exit 1
  fi
done
echo "run-fuzzers: ${#names[@]} fuzzer(s) ran ${seconds}s each without a crash"
