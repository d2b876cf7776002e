#!/usr/bin/env bash
# Runs facegate's fuzz targets one after the other, each for a fixed time, niced (the machine is
# shared), and prints libFuzzer's final statistics. From the repository root:
#
#   bash fuzz/run.sh [SECONDS_EACH] [TARGET ...]     (default: 1500 s, every target)
#
# Needs `cargo install cargo-fuzz` and a nightly toolchain. Working corpora go to
# fuzz/corpus/<target>/ (not committed), seeded from tests/fuzz-corpus/<target>/; crashers to
# fuzz/artifacts/<target>/ (copy them to tests/fuzz-corpus/<target>/crash-* once fixed, so that
# tests/fuzz_regressions.rs replays them on stable). Logs: fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1500}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode_detect import_file import_body consent model_load)
mkdir -p fuzz/logs
for t in "${targets[@]}"; do
  case $t in
    decode_detect) max_len=16384 ;;
    import_body | model_load) max_len=8192 ;;
    *) max_len=4096 ;;
  esac
  mkdir -p "fuzz/corpus/$t"
  echo "=== $t: ${seconds} s, max_len $max_len ($(date -u +%FT%TZ))"
  # ASan stays on (the image decoders and tract contain unsafe code); libFuzzer's own leak
  # detection is off because the engine is built once and kept for the whole run.
  nice -n 10 cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "tests/fuzz-corpus/$t" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=60 -rss_limit_mb=4096 -detect_leaks=0 \
    -print_final_stats=1 >"fuzz/logs/$t.log" 2>&1 || echo "$t: libFuzzer exited with $? (see fuzz/logs/$t.log)"
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "fuzz/logs/$t.log" || true
  grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' "fuzz/logs/$t.log" | head -5 || true
done
