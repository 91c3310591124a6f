#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with libFuzzer and AddressSanitizer
# (Tests/Fuzz: harnesses json safetensors config wordpiece bpe tsv csv jsonl conll config-file).
#
#   tools/fuzz.sh [SECONDS] [harness ...]     default: 60 s for each harness
#
# Builds `ddp-fuzz` with -sanitize=fuzzer,address into .build/fuzz, then runs each harness from
# its committed seeds (Tests/Fuzz/corpus/<harness>) plus the corpus grown by earlier runs
# (.build/fuzz-corpus/<harness>, not committed). A crash leaves its input in
# .build/fuzz-artifacts/<harness>/; after the fix, copy it into Tests/Fuzz/corpus/<harness>/
# as crash-<what>, where FuzzRegressionTests replays it in every test run.
# Prints, per harness, the executions run and the crashes found; exit status 1 if any.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(json safetensors config wordpiece bpe tsv csv jsonl conll config-file)

echo "+ swift build --scratch-path .build/fuzz --product ddp-fuzz (fuzzer, address sanitizer)" >&2
swift build --scratch-path .build/fuzz --product ddp-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -D -Xswiftc FUZZING 2>&1 | grep -v "Cannot export local symbol" >&2
binary=.build/fuzz/debug/ddp-fuzz

failed=0
printf '%-12s %12s %8s  %s\n' harness executions crashes notes
for harness in "${harnesses[@]}"; do
    corpus=.build/fuzz-corpus/$harness
    artifacts=.build/fuzz-artifacts/$harness
    mkdir -p "$corpus" "$artifacts"
    log=.build/fuzz-artifacts/$harness.log
    set +e
    DDP_FUZZ_TARGET=$harness ASAN_OPTIONS=detect_leaks=0 "$binary" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "Tests/Fuzz/corpus/$harness" >"$log" 2>&1
    status=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    crashes=$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    note=""
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        note="see $log and $artifacts/"
    fi
    printf '%-12s %12s %8s  %s\n' "$harness" "${runs:-?}" "$crashes" "$note"
done
exit $failed
