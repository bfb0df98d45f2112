#!/bin/sh
# Runs a libFuzzer binary for a bounded time on a read-only seed corpus.
#   run_fuzzer.sh FUZZER SEEDS DICT SCRATCH SECONDS MAX_LEN
# New inputs go to SCRATCH/corpus (the first corpus folder is the one libFuzzer
# writes to), a failing input to SCRATCH/crash-*, leak-*, timeout-*, oom-*.
set -eu
fuzzer=$1 seeds=$2 dict=$3 scratch=$4 seconds=$5 max_len=$6
rm -rf "$scratch"
mkdir -p "$scratch/corpus"
set -- -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" \
  -print_final_stats=1 -artifact_prefix="$scratch/"
[ -f "$dict" ] && set -- "$@" -dict="$dict"
status=0
"$fuzzer" "$@" "$scratch/corpus" "$seeds" || status=$?
if [ "$status" != 0 ]; then
  for found in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
    [ -f "$found" ] || continue
    echo "fuzz: failing input $found; reproduce with: $fuzzer $found" >&2
  done
fi
exit "$status"
