#!/usr/bin/env bash
# The fine-tuning methods side by side on SST-2 (the README's table): all-MiniLM-L6-v2,
# 1 epoch, batch 32, max length 64, 10 % warm-up, weight decay 0.01, seed 42, 2 ranks.
# Each run prints one "done:" line with its wall time, samples/s, peak memory per rank,
# bytes reduced per step and dev accuracy; this script collects them.
#
#   bench/craft.sh [OUTPUT_DIR]        (default runs/craft; about 30 minutes on 2 cores)
#
# Site settings (environment): SST2_DIR (default ../shared/data/sst2), DDP_TRAIN_RANKS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
sst2=${SST2_DIR:-$PWD/../shared/data/sst2}
output=${1:-runs/craft}
ranks=${DDP_TRAIN_RANKS:-2}
mkdir -p "$output"

run() {
    local name=$1
    shift
    DDP_TRAIN_PROGRESS=lines ./launch.sh --np "$ranks" train \
        --train "$sst2/train.tsv" --validation "$sst2/dev.tsv" --output "$output/$name" \
        --epochs 1 --batch-size 32 --max-length 64 --warmup-ratio 0.1 --weight-decay 0.01 \
        --seed 42 --save-steps 0 --logging-steps 250 "$@" > "$output/$name.log" 2>&1
    echo "$name ($*): $(grep '^done:' "$output/$name.log")"
}

run full --learning-rate 5e-5
run frozen-half --learning-rate 5e-5 --freeze-layers 3
run gradual --learning-rate 5e-5 --gradual-unfreezing 250
run layer-decay --learning-rate 5e-5 --layer-lr-decay 0.8
run lora --learning-rate 5e-4 --lora-rank 8 --lora-alpha 16 --lora-targets query,value
