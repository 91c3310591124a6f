#!/usr/bin/env bash
# Measured scaling across "nodes" on one machine (issue 15): ddp-bench's fixed-shape step at
# 2 nodes × 1 rank (network namespaces joined by a bridge, Tests/multinode/netns.sh), each link
# capped with tbf, flat (--overlap false) and overlapped (--overlap true), beside one rank alone
# on the same per-rank batch (weak scaling: efficiency = one rank's step / the 2-node step).
#
#   bench/multinode.sh            prints the table (bench/multinode_report.py) after the runs
#
# Order, per model: one rank alone; then for each link rate flat, overlapped, overlapped, flat
# (A B B A, so a drift of the machine's load over the block hits both alike); one rank alone
# again. 2 nodes × 1 rank × 1 thread is what 2 cores hold without oversubscription; the
# reduction's TCP copies run on the same 2 cores as the compute (on a cluster, on other cores
# and the NIC), so this measures the overlap's cost and benefit on CPU-bound links.
#
# Site settings (environment):
#   SIZES          ddp-bench --size values (default "minilm bert-base")
#   RATES          link caps in Mbit/s (default "1000 10000")
#   BATCH_minilm, BATCH_bert_base   global batch of the 2-node runs (default 32 and 16: 16 and 8
#                  sequences of 128 tokens per rank; one rank alone runs half of it)
#   STEPS_minilm, STEPS_bert_base   timed steps per run (default 4 and 2), after 1 warm-up step
#   DDP_TRAIN_BUILD_PATH   SwiftPM scratch path of ddp-bench (default .build)
#   LOG            where the RESULT lines go (default a temporary file, printed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"minilm bert-base"}
RATES=${RATES:-"1000 10000"}
BUILD_PATH=${DDP_TRAIN_BUILD_PATH:-.build}
MODEL=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
LOG=${LOG:-$(mktemp "${TMPDIR:-/tmp}/ddp-multinode-bench.XXXXXX")}

source Tests/multinode/netns.sh
if reason=$(netns_unavailable); then
    echo "bench/multinode.sh cannot run here: $reason" >&2
    exit 1
fi
case "$BUILD_PATH" in /*) ;; *) BUILD_PATH=$PWD/$BUILD_PATH ;; esac
bench=$BUILD_PATH/release/ddp-bench
[ -x "$bench" ] || {
    echo "no $bench: swift build -c release --scratch-path $BUILD_PATH --product ddp-bench" >&2
    exit 1
}
# One BLAS thread per rank: 2 ranks on 2 cores. The allocator and OpenBLAS settings are those
# launch.sh and bench/run.sh give the ranks.
export DDP_TRAIN_MODEL=$MODEL DDP_TRAIN_THREADS=1
export MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-268435456} OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-4}

# Runs ddp-bench and keeps its RESULT line, tagged with what varied (TAG is "rate/overlap").
measure() {
    local tag=$1
    shift
    echo "+ [$tag] $*" >&2
    "$@" 2>&1 | tee -a "$LOG.out" | sed -n "s|^RESULT {|RESULT {\"run\": \"$tag\", |p" >>"$LOG"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(date -u +%H:%M:%S) UTC" | tee -a "$LOG" >&2
netns_up 2 0
for size in $SIZES; do
    key=${size//-/_}
    batch_name=BATCH_$key steps_name=STEPS_$key
    batch=${!batch_name:-$([ "$size" = minilm ] && echo 32 || echo 16)}
    steps=${!steps_name:-$([ "$size" = minilm ] && echo 4 || echo 2)}
    common=(fixed --size "$size" --seq 128 --steps "$steps" --warmup 1 --gemm-seconds 0.5 --model "$MODEL")
    measure "alone/-" "$bench" "${common[@]}" --batch $((batch / 2))
    for rate in $RATES; do
        netns_set_rate "$rate"
        for overlap in false true true false; do
            measure "$rate/$overlap" netns_mpirun 1 "$bench" "${common[@]}" --batch "$batch" --overlap "$overlap"
        done
    done
    measure "alone/-" "$bench" "${common[@]}" --batch $((batch / 2))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC" | tee -a "$LOG" >&2
echo "RESULT lines: $LOG (full output $LOG.out)" >&2
python3 bench/multinode_report.py "$LOG"
