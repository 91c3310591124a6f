#!/usr/bin/env bash
# The sweep's Slurm scripts under a real single-node Slurm:
#
#   A. cluster/slurm/sweep.sbatch: one job of 2 ranks in groups of 1 (LAUNCHER=srun), sent
#      SIGUSR1 mid-sweep (`scancel -b --signal=USR1`, as --signal=B:USR1@N would) — the running
#      trials checkpoint, the job exits 75, requeues itself and finishes with --resume auto;
#   B. cluster/slurm/sweep-array.sbatch --array=0-1: two array tasks of 1 rank (LAUNCHER=mpirun)
#      sharing the sweep's queue;
#   and A's sweep.jsonl equals B's (configuration, metric, steps, status of every trial; not the
#   seconds), every trial's final model is bitwise the same, and both array tasks took trials.
#
#   Tests/slurm/run-sweep-check.sh [--no-build]
#
# Environment: DDP_TRAIN_BUILD_PATH (SwiftPM scratch path, default .build), DDP_TRAIN_SLURM_SETUP
# (the single-node set-up, default ../shared/slurm-single-node beside the repository).
# Needs a running Slurm; if none answers it starts the single-node set-up (as root, installing
# the Debian packages if missing) and stops the daemons it started, by their process ids.
# The requeued job waits about two minutes before it starts again: 4–6 minutes in all.
# Exit status 0 only if everything passed.
set -euo pipefail

# --- site settings ---------------------------------------------------------------------
WORK=${DDP_TRAIN_SLURM_CHECK_DIR:-.build/slurm-sweep-check}   # relative to the repository
TIMEOUT=${DDP_TRAIN_SLURM_CHECK_TIMEOUT:-600}
# -----------------------------------------------------------------------------------------

cd "$(dirname "$0")/../.."
root=$PWD
case "$WORK" in /*) ;; *) WORK=$root/$WORK ;; esac
build=${DDP_TRAIN_BUILD_PATH:-.build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
if [ "${1:-}" != "--no-build" ]; then swift build -c release --scratch-path "$build" --product ddp-train; fi
export DDP_TRAIN=$build/release/ddp-train

. "$root/Tests/slurm/slurm-up.sh"
slurm_up "slurm sweep"

rm -rf "$WORK"
mkdir -p "$WORK"
failures=0
check() {  # check CONDITION-STATUS MESSAGE
    if [ "$1" = 0 ]; then echo "PASS slurm sweep: $2"; else echo "FAIL slurm sweep: $2"; failures=$((failures + 1)); fi
}
state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | cut -d= -f2 | paste -sd,; }

echo '{"learning-rate": [1e-5, 3e-5, 1e-4, 3e-4]}' > "$WORK/space.json"
arguments=(--space "$WORK/space.json" --ranks-per-trial 1 --train "$root/data/demo/train.tsv"
           --validation "$root/data/demo/validation.tsv" --max-steps 24 --batch-size 16 --max-length 32
           --logging-steps 4 --save-steps 4 --save-total-limit 1 --metric accuracy --seed 3)
one=$(LAUNCHER=srun sbatch --parsable --chdir="$root" --ntasks=2 --output="$WORK/one-%j.log" \
    cluster/slurm/sweep.sbatch "${arguments[@]}" --output "$WORK/one")
array=$(LAUNCHER=mpirun sbatch --parsable --chdir="$root" --array=0-1 --ntasks=1 \
    --output="$WORK/array-%A_%a.log" cluster/slurm/sweep-array.sbatch "${arguments[@]}" --output "$WORK/array")
echo "jobs: $one (one job, srun, signalled), $array (array of 2, mpirun)"

# Signal the one-job sweep once a trial is recorded and the others are training.
deadline=$((SECONDS + 240))
until ls "$WORK"/one/queue/*.json >/dev/null 2>&1 || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
scancel -b --signal=USR1 "$one"

deadline=$((SECONDS + TIMEOUT))
while [ $SECONDS -lt $deadline ]; do
    states="$(state "$one"),$(state "$array")"
    echo "$states" | grep -Eq 'PENDING|RUNNING|REQUEU|CONFIGURING|COMPLETING|SUSPENDED' || break
    sleep 5
done
log_one=$(ls "$WORK"/one-*.log)
[ "$(state "$one")" = COMPLETED ]; check $? "one-job sweep $one completed ($(state "$one"))"
[ "$(state "$array")" = COMPLETED ]; check $? "array $array completed ($(state "$array"))"
grep -q "stop requested (SIGUSR1)" "$log_one" && grep -q "requeueing job $one" "$log_one" \
    && grep -q "(restart 1)" "$log_one" && grep -q "resumed from $WORK/one/trial-" "$log_one"
check $? "SIGUSR1 stopped the sweep at checkpoints, the job requeued itself and resumed its trials"
strip() { sed -e 's/"seconds":[^,]*,//' "$1" | sort; }
[ "$(grep -c '"finished"' "$WORK/one/sweep.jsonl" 2>/dev/null)" = 4 ] \
    && diff <(strip "$WORK/one/sweep.jsonl") <(strip "$WORK/array/sweep.jsonl")
check $? "the one-job sweep and the array give the same table of 4 finished trials"
same=0
for t in 0 1 2 3; do cmp -s "$WORK/one/trial-$t/model.safetensors" "$WORK/array/trial-$t/model.safetensors" || same=1; done
check $same "every trial's final model is bitwise the same in both"
takers=$(cat "$WORK"/array/queue/*.claim 2>/dev/null | cut -d' ' -f1-3 | sort -u | wc -l)
[ "$takers" = 2 ]; check $? "both array tasks took trials from the shared queue ($takers takers)"

if [ $failures -gt 0 ]; then
    for log in "$WORK"/*.log; do echo "--- $log"; tail -30 "$log" 2>/dev/null || true; done
    exit 1
fi
rm -rf "$WORK"
echo "slurm sweep check passed"
