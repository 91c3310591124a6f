#!/usr/bin/env bash
# Peak resident memory per rank of `--task embedding` (multiple-negatives ranking, 2 ranks):
# a 256-pair global batch in one plain step against a 2,048-pair global batch embedded in 8
# chunks (GradCache: --gradient-accumulation-steps 8, 128 pairs per rank per chunk, every pair
# a negative of every other). Pairs from SST-2 training sentences (each sentence's first half as
# anchor, the whole sentence as positive), at most 64 tokens each.
#
#   bench/gradcache-memory.sh [STEPS]      (default 2 steps each; prints a Markdown table)
#
# Site settings: DDP_TRAIN_SST2 (the SST-2 folder), DDP_TRAIN_MODEL, WORK (default /tmp/gradcache-memory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sst2=${DDP_TRAIN_SST2:-$root/../shared/data/sst2}
model=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
work=${WORK:-/tmp/gradcache-memory}
steps=${1:-2}
mkdir -p "$work"
python3 - "$sst2/train.tsv" "$work/pairs.tsv" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t")[0] for line in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r.strip() for r in rows if len(r.split()) >= 8][:20000]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("anchor\tpositive\n")
    for r in rows:
        words = r.split()
        f.write(" ".join(words[: len(words) // 2]) + "\t" + r + "\n")
PY
echo "| global batch | chunks per step | pairs per rank per forward pass | peak memory per rank | seconds per step |"
echo "|---|---|---|---|---|"
for setting in "256 1" "2048 8"; do
    set -- $setting
    out="$work/run-$1"
    rm -rf "$out"
    log=$(mpirun --allow-run-as-root --oversubscribe -np 2 "$root/.build/release/ddp-train" train --task embedding \
        --model "$model" --train "$work/pairs.tsv" --output "$out" --batch-size "$1" \
        --gradient-accumulation-steps "$2" --max-steps "$steps" --max-length 64 --save-steps 0 \
        --report-to none --no-shuffle 2>&1)
    line=$(echo "$log" | grep "^done:")
    peak=$(echo "$line" | sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/')
    seconds=$(echo "$line" | sed -E 's/done: [0-9]+ steps in ([0-9.]+) s.*/\1/')
    echo "| $1 pairs | $2 | $(( $1 / 2 / $2 )) | $peak MiB | $(python3 -c "print(f'{$seconds / $steps:.1f}')") |"
    rm -rf "$out"
done
