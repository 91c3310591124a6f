#!/usr/bin/env bash
# Trains the demo classification, token-classification and regression runs briefly at
# $RANKS ranks, and a sweep of four learning rates, opens each report.html in headless
# Chromium, checks from Chromium's net log that the page made no network request (a control
# page with an external image must show one), and saves a screenshot of each as
# docs/report-<task>.png and docs/report-sweep.png (1000 px wide, 64 colours).
#
#   tools/report_screenshots.sh            (from the repository root)
set -euo pipefail

# Site settings.
SCRATCH=/tmp/s-report
BINARY="$SCRATCH/release/ddp-train"
MODEL="${DDP_TRAIN_MODEL:-$HOME/.cache/ddp-train/all-MiniLM-L6-v2}"
RUNS=/tmp/report-screenshots
CHROMIUM="$(command -v chromium || command -v chromium-browser || command -v google-chrome)"
WIDTH=1000
HEIGHT=4400
# Ranks of each run (so the report shows a step breakdown per rank), one thread each.
RANKS=2
MPIRUN=(
  mpirun
  --np "$RANKS"
  --oversubscribe
  --bind-to none
)
[ "$(id -u)" -eq 0 ] && MPIRUN+=(--allow-run-as-root)
# Python with Pillow (the reference environment), to trim and quantise the screenshots.
PYTHON="${PYTHON:-.venv-ref/bin/python}"
# 1: reuse the runs already in $RUNS.
SKIP_TRAINING="${SKIP_TRAINING:-0}"

run() { echo "+ $*"; "$@"; }

mkdir -p "$RUNS" docs

train() {  # name, then the task's options
  local name=$1
  shift
  rm -rf "${RUNS:?}/$name"
  run "${MPIRUN[@]}" "$BINARY" train \
    --model "$MODEL" \
    --threads 1 \
    --output "$RUNS/$name" \
    --epochs 3 \
    --batch-size 16 \
    --learning-rate 1e-4 \
    --warmup-ratio 0.1 \
    --max-length 64 \
    --logging-steps 5 \
    --eval-steps 10 \
    --save-steps 0 \
    "$@" > "$RUNS/$name.log"
  tail -n 4 "$RUNS/$name.log"
}

# Opens a page headless, with its network log and a screenshot.
open_page() {  # page, net log, screenshot
  run "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --disable-background-networking \
    --disable-component-update \
    --no-first-run \
    --log-net-log="$2" \
    --window-size="$WIDTH,$HEIGHT" \
    --screenshot="$3" \
    "file://$1" > /dev/null 2>&1
}

if [ "$SKIP_TRAINING" != 1 ]; then
  run nice -n 10 swift build -c release --product ddp-train -j 1 --scratch-path "$SCRATCH"
  train classification --task classification --train data/demo/train.tsv --validation data/demo/validation.tsv
  train token-classification --task token-classification \
    --train data/demo-ner/train.conll --validation data/demo-ner/validation.conll
  train regression --task regression \
    --train data/demo-regression/train.tsv --validation data/demo-regression/validation.tsv
  # A sweep: one rank per trial, two trials at a time.
  rm -rf "${RUNS:?}/sweep"
  echo '{"learning-rate": [1e-5, 3e-5, 1e-4, 3e-4]}' > "$RUNS/space.json"
  run "${MPIRUN[@]}" "$BINARY" sweep \
    --space "$RUNS/space.json" \
    --ranks-per-trial 1 \
    --model "$MODEL" \
    --threads 1 \
    --output "$RUNS/sweep" \
    --train data/demo/train.tsv \
    --validation data/demo/validation.tsv \
    --max-steps 40 \
    --batch-size 16 \
    --max-length 64 \
    --logging-steps 5 \
    --eval-steps 10 \
    --save-steps 0 \
    --metric-for-best-model accuracy > "$RUNS/sweep.log"
  tail -n 4 "$RUNS/sweep.log"
fi

echo '<!DOCTYPE html><html><body><img src="https://example.com/x.png"></body></html>' > "$RUNS/control.html"
open_page "$RUNS/control.html" "$RUNS/control-net.json" "$RUNS/control.png"
run python3 tools/check_report_offline.py "$RUNS/control-net.json" --expect-requests

for name in classification token-classification regression sweep; do
  open_page "$RUNS/$name/report.html" "$RUNS/$name-net.json" "$RUNS/$name.png"
  run python3 tools/check_report_offline.py "$RUNS/$name-net.json"
  # Cut the empty bottom of the window (keeping a margin), 64 colours.
  run "$PYTHON" - "$RUNS/$name.png" "docs/report-$name.png" <<'PY'
import sys
from PIL import Image, ImageChops
image = Image.open(sys.argv[1]).convert("RGB")
box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
image = image.crop((0, 0, image.width, min(image.height, box[3] + 24)))
image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PY
  ls -l "docs/report-$name.png"
done
