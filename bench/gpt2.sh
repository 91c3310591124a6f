#!/usr/bin/env bash
# GPT-2-124M-sized causal-LM training (random weights, tied head, dropout 0.1, AdamW):
# ddp-train (`ddp-bench gpt2`, 1 rank × 2 threads) against transformers' GPT2LMHeadModel
# (bench/torch_gpt2.py, torch.set_num_threads(2)) at B × T = 4 × 64 and 8 × 256, in one run
# on the same machine, interleaved A B B A per shape (this machine's speed drifts by several
# % between consecutive runs; the order charges drift to both). Prints a Markdown section
# with tokens/s, the ratio and ddp-train's % of the sgemm peak it measures in the same
# process; `bench/gpt2.sh >> bench/RESULTS.md` to keep it.
#
#   bench/gpt2.sh [SHAPES]        SHAPES default "4x64 8x256"
#
# Environment: STEPS (timed steps, default 5 at 4×64 and 3 at 8×256), WARMUP (default 1),
# DDP_REF_VENV (the PyTorch + transformers environment), SCRATCH (SwiftPM scratch path).
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(tools/reference-env.sh)
shapes=${1:-"4x64 8x256"}
warmup=${WARMUP:-1}
scratch=${SCRATCH:-.build}
log=$(mktemp)

echo "+ swift build -c release --product ddp-bench" >&2
swift build -c release --scratch-path "$scratch" --product ddp-bench >&2
bench=$scratch/release/ddp-bench

# The 1-minute load average before each run goes into the report: other jobs on the machine
# slow PyTorch's spinning OpenMP threads far more than ddp-train, so a loaded run flatters
# the ratio.
load() { echo "LOAD $(cut -d' ' -f1 /proc/loadavg)" >>"$log"; }
ours() {
    load
    echo "+ ddp-bench gpt2 --batch $1 --seq $2 --steps $3" >&2
    DDP_TRAIN_THREADS=2 MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-268435456} OPENBLAS_THREAD_TIMEOUT=4 \
        "$bench" gpt2 --batch "$1" --seq "$2" --steps "$3" --warmup "$warmup" --tag "$4" 2>&1 | tee -a "$log" >&2
}
theirs() {
    load
    echo "+ torch_gpt2.py --batch $1 --seq $2 --steps $3" >&2
    "$python" bench/torch_gpt2.py --threads 2 --batch "$1" --seq "$2" --steps "$3" --warmup "$warmup" 2>&1 |
        tee -a "$log" >&2
}
for shape in $shapes; do
    b=${shape%x*} t=${shape#*x}
    steps=${STEPS:-$([ "$b" -le 4 ] && echo 5 || echo 3)}
    ours "$b" "$t" "$steps" a1
    theirs "$b" "$t" "$steps"
    theirs "$b" "$t" "$steps"
    ours "$b" "$t" "$steps" a2
done
"$python" bench/gpt2_report.py "$log"
rm -f "$log"
