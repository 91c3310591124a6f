#!/usr/bin/env bash
# Benchmarks ddp-train's training step beside the PyTorch reference, in one invocation on
# the same machine, and prints ratios (absolute times drift between runs and machines).
#
#   bench/run.sh                 everything below, results appended to bench/RESULTS.md
#   bench/run.sh fixed|sst2|scaling
#
# 1. fixed shape (all-MiniLM-L6-v2, batch 32 × 128): ddp-train at 2 ranks × 1 thread and
#    1 rank × 2 threads vs PyTorch DDP (gloo, 2 × 1) and PyTorch 1 process × 2 threads;
# 2. SST-2 slice (batch 32, max length 64, dynamic padding, the first STEPS steps of an
#    epoch): ddp-train at 2 ranks vs `torch_ref.py train --max-train-rows`;
# 3. scaling: the fixed shape at 2, 4 and 8 ranks, flat (one allreduce after backward) and
#    with the overlapped bucket allreduce (4 and 8 oversubscribed here: they show the
#    overlap and the bytes per step, not speed),
#    and a BERT-base-sized model at 2 ranks (its compute and bytes per step feed
#    bench/scaling.py).
#
# Site settings (environment):
#   DDP_REF_VENV   the PyTorch + transformers environment (made by tools/reference-env.sh)
#   SST2_DIR       SST-2 data (default ../shared/data/sst2)
#   TORCH_REF      the PyTorch reference script (default ../shared/bench/torch_ref.py)
#   STEPS          timed steps of the fixed shape (default 10); SST2_STEPS for SST-2 (default 300)
#   ISA            the instruction set both sides run with: unset (this CPU, the environment's
#                  OpenBLAS core), avx512 (OpenBLAS's own choice) or avx2 (an AVX2 node emulated:
#                  a haswell build, OpenBLAS's Haswell kernels, PyTorch held to AVX2); bench/isa.sh
#                  says exactly what each sets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=$(tools/reference-env.sh)
model=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
sst2=${SST2_DIR:-$root/../shared/data/sst2}
steps=${STEPS:-10}
sst2_steps=${SST2_STEPS:-300}
reference=${TORCH_REF:-$root/../shared/bench/torch_ref.py}
export MINILM_DIR=$model
# ddp-train's allocator and OpenBLAS settings (as launch.sh sets them) go to its ranks only:
# a 256 MiB malloc top pad slows PyTorch's reference by about a fifth here.
malloc_top_pad=${MALLOC_TOP_PAD_:-268435456}
blas_thread_timeout=${OPENBLAS_THREAD_TIMEOUT:-4}
mode=${1:-all}
log=$(mktemp)
# Builds ddp-bench for ISA and sets both sides' environment (exits here on an unknown ISA).
isa_settings=$(bench/isa.sh "${ISA:-}" ddp-bench)
eval "$isa_settings"
bench_binary=$binary

run() { echo "+ $*" >&2; "$@" 2>&1 | tee -a "$log" | grep -E "^(RESULT|ddp-bench|  )" || true; }
mpi() {
    local ranks=$1 threads=$2
    shift 2
    local flags=(--np "$ranks" --bind-to none -x DDP_TRAIN_THREADS="$threads"
        -x MALLOC_TOP_PAD_="$malloc_top_pad" -x OPENBLAS_THREAD_TIMEOUT="$blas_thread_timeout")
    [ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
    [ "$ranks" -gt "$(nproc)" ] && flags+=(--oversubscribe)
    [ -n "${OPENBLAS_CORETYPE:-}" ] && flags+=(-x OPENBLAS_CORETYPE)
    run mpirun "${flags[@]}" "$bench_binary" "$@" --model "$model"
}


if [ "$mode" = all ] || [ "$mode" = fixed ]; then
    mpi 2 1 fixed --batch 32 --seq 128 --steps "$steps" --warmup 2
    mpi 1 2 fixed --batch 32 --seq 128 --steps "$steps" --warmup 2
    run "$python" "$reference" ddp --world 2 --threads 1 --batch 32 --seq 128 --warmup 2 --steps "$steps"
    run "$python" "$reference" bench --threads 2 --batch 32 --seq 128 --warmup 2 --steps "$steps"
fi
if [ "$mode" = all ] || [ "$mode" = sst2 ]; then
    mpi 2 1 sst2 --batch 32 --max-length 64 --steps "$sst2_steps" --warmup 5 --data "$sst2"
    run "$python" "$reference" train --threads 2 --max-len 64 --batch 32 --lr 5e-5 --epochs 1 \
        --max-train-rows $(( 32 * sst2_steps )) --data "$sst2" --log-every 1000
fi
if [ "$mode" = all ] || [ "$mode" = scaling ]; then
    for ranks in 2 4 8; do
        for overlap in false true; do
            mpi "$ranks" 1 fixed --batch 32 --seq 128 --steps 4 --warmup 1 --overlap "$overlap" --tag scaling
        done
    done
    mpi 2 1 fixed --size bert-base --batch 32 --seq 128 --steps 3 --warmup 1
fi

ISA=${ISA:-} "$python" bench/report.py "$log" | tee -a bench/RESULTS.md
rm -f "$log"
