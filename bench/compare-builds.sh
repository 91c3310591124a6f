#!/usr/bin/env bash
# Training throughput of two ddp-train builds on the same SST-2 slice, interleaved A B B A in
# every round: this machine slows over consecutive runs (a run following another is a few
# per cent slower, up to ~10 % after several), so a fixed A-then-B order would charge that
# drift to B. Prints each run's samples/s (from the run summary) and the mean ratio B / A.
#
#   bench/compare-builds.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# A binary of an earlier commit: `git worktree add /tmp/old REV && swift build -c release
# --product ddp-train --package-path /tmp/old`. Settings (environment): SST2_DIR, STEPS
# (default 200), RANKS (default 2), DDP_TRAIN_MODEL.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 rounds=${3:-2}
sst2=${SST2_DIR:-$PWD/../shared/data/sst2}
steps=${STEPS:-200}
ranks=${RANKS:-2}
model=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
flags=(--np "$ranks" --bind-to none -x MALLOC_TOP_PAD_=268435456 -x OPENBLAS_THREAD_TIMEOUT=4)
[ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rate() {
    mpirun "${flags[@]}" "$1" train --model "$model" --train "$sst2/train.tsv" --output "$work/run" \
        --max-steps "$steps" --batch-size 32 --max-length 64 --learning-rate 5e-5 --warmup-ratio 0.1 \
        --logging-steps 50 --save-steps 0 --threads 1 2>&1 |
        sed -nE 's/.*done: .*\(([0-9.]+) samples\/s.*/\1/p' | tail -1
    rm -rf "$work/run"
    sync
}

sum_a=0 sum_b=0
for round in $(seq "$rounds"); do
    a1=$(rate "$old")
    b1=$(rate "$new")
    b2=$(rate "$new")
    a2=$(rate "$old")
    a=$(python3 -c "print(($a1 + $a2) / 2)")
    b=$(python3 -c "print(($b1 + $b2) / 2)")
    echo "round $round: A $a1 $a2, B $b1 $b2 samples/s"
    sum_a=$(python3 -c "print($sum_a + $a)")
    sum_b=$(python3 -c "print($sum_b + $b)")
done
python3 -c "print(f'mean A {$sum_a / $rounds:.1f}, B {$sum_b / $rounds:.1f} samples/s: B / A = {$sum_b / $sum_a:.3f}')"
