#!/usr/bin/env bash
# End-to-end multi-rank checks of the release `ddp-train` binary (Tests/MultiRank/TrainingChecks):
# world-size equivalence (np 1/2/4 and no launcher), exact resume, faults (kill -9, a crash
# while checkpointing, a damaged checkpoint), SIGUSR1 preemption, bad input, and
# evaluate/predict — on the real pretrained model and the demo data.
#
#   Tests/MultiRank/run-training-checks.sh [--no-build] [check ...]
#
# Checks: equivalence resume faults signal bad-input inference tasks causal-lm trace explain embed embedding sweep
# storage hang craft (default: all).
# Environment: DDP_TRAIN_BUILD_PATH  SwiftPM scratch path of the binaries (default .build;
#              a relative path is taken from the repository root).
# Exit status 0 only if everything passed.
set -euo pipefail

# --- site settings ---------------------------------------------------------------------
WORK=${DDP_TRAIN_CHECKS_DIR:-${TMPDIR:-/tmp}/ddp-train-checks}
MODEL=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
BUILD_PATH=${DDP_TRAIN_BUILD_PATH:-.build}
# -----------------------------------------------------------------------------------------

cd "$(dirname "$0")/../.."
build=1
if [ "${1:-}" = "--no-build" ]; then
    build=0
    shift
fi
if [ "$build" = 1 ]; then
    echo "+ swift build -c release --scratch-path $BUILD_PATH --product ddp-train --product training-checks" >&2
    swift build -c release --scratch-path "$BUILD_PATH" --product ddp-train
    swift build -c release --scratch-path "$BUILD_PATH" --product training-checks
fi
case "$BUILD_PATH" in /*) ;; *) BUILD_PATH=$PWD/$BUILD_PATH ;; esac
# Each group of checks empties the work directory when it passes; the largest needs about
# 4 GB at once (checkpoints with AdamW moments are 273 MB each). Say so up front when the
# disk has less, rather than 30 checks failing with ENOSPC.
mkdir -p "$WORK"
free_mb=$(df -Pm "$WORK" | awk 'NR == 2 { print $4 }')
echo "training checks: $WORK has $free_mb MB free (the largest group needs about 4000 MB)" >&2
if [ "$free_mb" -lt 4500 ]; then
    echo "warning: less than 4500 MB free under $WORK (DDP_TRAIN_CHECKS_DIR): checks that write checkpoints may fail with ENOSPC" >&2
fi
command=("$BUILD_PATH/release/training-checks" "$BUILD_PATH/release/ddp-train" "$WORK" "$MODEL" "$PWD/data/demo" "$@")
echo "+ ${command[*]}" >&2
"${command[@]}"
