#!/usr/bin/env bash
# The Slurm batch script (cluster/slurm/ddp-train.sbatch) under a real single-node Slurm:
#
#   A. LAUNCHER=srun: SIGUSR1 to the batch script mid-run (as --signal=B:USR1@N sends before
#      the time limit; here `scancel -b --signal=USR1`, for a deterministic moment) — the
#      ranks checkpoint and exit 75, the job requeues itself, restarts with --resume auto and
#      finishes;
#   B. LAUNCHER=mpirun: the same job, uninterrupted;
#   and A's final model is bitwise identical to B's (exact resume, both launchers).
#
#   Tests/slurm/run-slurm-check.sh [--no-build]
#
# Environment: DDP_TRAIN_BUILD_PATH (SwiftPM scratch path, default .build), DDP_TRAIN_SLURM_SETUP
# (the single-node set-up, default ../shared/slurm-single-node beside the repository).
#
# Needs a running Slurm (sbatch, squeue, scontrol). If none answers and the single-node
# set-up of ../shared/slurm-single-node is there, it installs the Debian packages if missing
# and starts that one (as root), and stops its daemons at the end. A requeued
# job waits about two minutes before it starts again: the check takes 3–5 minutes.
# Exit status 0 only if everything passed.
set -euo pipefail

# --- site settings ---------------------------------------------------------------------
WORK=${DDP_TRAIN_SLURM_CHECK_DIR:-.build/slurm-check}   # relative to the repository
TIMEOUT=${DDP_TRAIN_SLURM_CHECK_TIMEOUT:-600}
# -----------------------------------------------------------------------------------------

cd "$(dirname "$0")/../.."
root=$PWD
case "$WORK" in /*) ;; *) WORK=$root/$WORK ;; esac
# The binary the batch script runs (it reads $DDP_TRAIN), from the scratch path of the build.
build=${DDP_TRAIN_BUILD_PATH:-.build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
if [ "${1:-}" != "--no-build" ]; then swift build -c release --scratch-path "$build" --product ddp-train; fi
export DDP_TRAIN=$build/release/ddp-train

. "$root/Tests/slurm/slurm-up.sh"
slurm_up "slurm"

rm -rf "$WORK"
mkdir -p "$WORK"
failures=0
check() {  # check CONDITION-STATUS MESSAGE
    if [ "$1" = 0 ]; then echo "PASS slurm: $2"; else echo "FAIL slurm: $2"; failures=$((failures + 1)); fi
}

arguments=(train --train "$root/data/demo/train.tsv" --validation "$root/data/demo/validation.tsv"
           --max-steps 150 --batch-size 16 --learning-rate 1e-4 --warmup-steps 2 --max-length 32
           --logging-steps 1 --save-steps 0 --seed 7)
submit() {  # submit NAME LAUNCHER → job id
    LAUNCHER=$2 sbatch --parsable --chdir="$root" --output="$WORK/$1-%j.log" \
        cluster/slurm/ddp-train.sbatch "${arguments[@]}" --output "$WORK/$1"
}
state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

preempted=$(submit preempted srun)
uninterrupted=$(submit uninterrupted mpirun)
echo "jobs: $preempted (srun, preempted), $uninterrupted (mpirun)"

# Signal A once it has logged a few steps.
deadline=$((SECONDS + 120))
until [ "$(cat "$WORK/preempted/metrics.jsonl" 2>/dev/null | wc -l)" -ge 3 ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
scancel -b --signal=USR1 "$preempted"

deadline=$((SECONDS + TIMEOUT))
while [ $SECONDS -lt $deadline ]; do
    a=$(state "$preempted") b=$(state "$uninterrupted")
    case "$a" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) done_a=1 ;; *) done_a=0 ;; esac
    case "$b" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) done_b=1 ;; *) done_b=0 ;; esac
    [ $done_a = 1 ] && [ $done_b = 1 ] && break
    sleep 5
done
log_a=$WORK/preempted-$preempted.log log_b=$WORK/uninterrupted-$uninterrupted.log
[ "$(state "$preempted")" = COMPLETED ]; check $? "srun job $preempted completed ($(state "$preempted"))"
[ "$(state "$uninterrupted")" = COMPLETED ]; check $? "mpirun job $uninterrupted completed ($(state "$uninterrupted"))"
grep -q "stop requested (SIGUSR1)" "$log_a" && grep -q "requeueing job $preempted" "$log_a"
check $? "SIGUSR1 reached the ranks through the batch script; they checkpointed and the job requeued itself"
grep -q "(restart 1)" "$log_a" && grep -q "resumed from $WORK/preempted/checkpoint-" "$log_a"
check $? "the requeued job resumed from the checkpoint"
grep -q "^done: 150 steps" "$log_b" && ! grep -q "requeueing" "$log_b"
check $? "the uninterrupted job ran 150 steps and did not requeue"
cmp -s "$WORK/preempted/model.safetensors" "$WORK/uninterrupted/model.safetensors"
check $? "preempted + resumed (srun) and uninterrupted (mpirun) final models are bitwise identical"

if [ $failures -gt 0 ]; then
    for log in "$log_a" "$log_b"; do echo "--- $log"; tail -30 "$log" 2>/dev/null || true; done
    exit 1
fi
echo "slurm check passed"
