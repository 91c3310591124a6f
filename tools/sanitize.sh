#!/usr/bin/env bash
# Runs the unit tests under a sanitizer (issue 15: once under AddressSanitizer and once under
# ThreadSanitizer, clean). Not part of the test command: each is a full instrumented build and
# runs several times slower.
#
#   tools/sanitize.sh address|thread [swift test --filter pattern]
#
# address: out-of-bounds and use-after-free in the project's own code (leak detection off:
#          the Swift runtime and Foundation keep allocations alive for the process's life).
# thread:  data races; the tests' thread pools run 2 threads (DDP_TRAIN_THREADS=2) so the
#          parallel kernels really run concurrently, and OpenBLAS keeps 1 thread (its own
#          threads are not instrumented and would only give false reports).
# Scratch paths: .build/sanitize-<kind>. Exit status: that of swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: tools/sanitize.sh address|thread [filter]}
filter=(${2:+--filter "$2"})
scratch=.build/sanitize-$kind
echo "+ swift build --scratch-path $scratch --build-tests --sanitize=$kind" >&2
swift build --scratch-path "$scratch" --build-tests --sanitize="$kind"
case "$kind" in
address) export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 DDP_TRAIN_THREADS=1 ;;
thread) export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 DDP_TRAIN_THREADS=2 ;;
*) echo "unknown sanitizer $kind (address or thread)" >&2; exit 2 ;;
esac
export OPENBLAS_NUM_THREADS=1
echo "+ swift test --scratch-path $scratch --skip-build --sanitize=$kind --no-parallel ${filter[*]}" >&2
swift test --scratch-path "$scratch" --skip-build --sanitize="$kind" --no-parallel "${filter[@]}"
