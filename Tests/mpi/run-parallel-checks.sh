#!/usr/bin/env bash
# Multi-rank checks of the Parallel module (Tests/MPIChecks): builds the release `mpi-checks`
# product, then runs
#   1. the checks as a singleton (no launcher) and under mpirun at 1, 2, 3 and 4 ranks, and
#      compares the batch-plan fingerprint across all of them (world-size invariance);
#   1b. a check failing on one rank (all ranks report it and exit 1), and MPI_Abort on one
#      rank while the others wait in a collective (the job ends, non-zero);
#   2. the signal test: SIGUSR1 sent to mpirun is forwarded to the ranks, which agree to stop
#      at the same step and exit 0;
#   3. the kill test: one of 3 ranks looping over allreduces gets SIGKILL; mpirun must exit
#      non-zero within KILL_DEADLINE seconds instead of leaving the others hanging.
# Options: --bench  also time the 91 MB allreduce and the bucket overlap at 2 ranks.
#          --no-build  use the existing .build/release/mpi-checks.
# Exit status 0 only if everything passed.
set -u

# --- site settings ---------------------------------------------------------------------
MPIRUN=mpirun
MPIRUN_FLAGS=(
    --allow-run-as-root     # containers here run as root
    --oversubscribe         # more ranks than the 2 cores
)
RANK_COUNTS=(1 2 3 4)
KILL_RANKS=3
KILL_DEADLINE=30            # seconds mpirun may take to end the job after a rank dies
RUN_TIMEOUT=300             # seconds any single run may take before it counts as a hang
# -----------------------------------------------------------------------------------------

cd "$(dirname "$0")/../.."
# The release products' folder (another --scratch-path: DDP_TRAIN_BUILD_DIR=<scratch>/release, with --no-build).
BINARY=${DDP_TRAIN_BUILD_DIR:-.build/release}/mpi-checks
BENCH=0
BUILD=1
for argument in "$@"; do
    case "$argument" in
        --bench) BENCH=1 ;;
        --no-build) BUILD=0 ;;
        *) echo "usage: $0 [--bench] [--no-build]" >&2; exit 64 ;;
    esac
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILURES=()

run() {
    echo "+ $*"
    "$@"
}

if [ "$BUILD" = 1 ]; then
    run swift build --configuration release --product mpi-checks || exit 1
fi

# --- 1. checks: singleton, then 1..4 ranks ------------------------------------------------
fingerprints=()
check_run() {
    local label=$1; shift
    local log="$WORK/checks-$label.log"
    run timeout --kill-after=10 "$RUN_TIMEOUT" "$@" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    if [ "$status" -ne 0 ] || ! grep -q '^ALL PASS' "$log"; then
        FAILURES+=("checks $label (exit $status)")
    fi
    fingerprints+=("$label:$(sed -n 's/^BATCHPLAN-FINGERPRINT //p' "$log")")
}

check_run singleton "$BINARY"
for np in "${RANK_COUNTS[@]}"; do
    check_run "np$np" "$MPIRUN" "${MPIRUN_FLAGS[@]}" --np "$np" "$BINARY"
done

echo "batch plan fingerprints: ${fingerprints[*]}"
distinct=$(printf '%s\n' "${fingerprints[@]}" | cut -d: -f2 | sort -u)
if [ "$(printf '%s\n' "$distinct" | wc -l)" -ne 1 ] || [ -z "$distinct" ]; then
    FAILURES+=("batch plan differs between world sizes")
    echo "FAIL batch plan fingerprints differ between world sizes"
else
    echo "PASS batch plan identical at every world size ($distinct)"
fi

# Waits until $2 lines matching $3 appear in file $1 (at most $4 seconds).
wait_for_lines() {
    local file=$1 count=$2 pattern=$3 seconds=$4
    local deadline=$((SECONDS + seconds))
    while [ "$(grep -c "$pattern" "$file" 2>/dev/null)" -lt "$count" ]; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# Ends a launcher we started: TERM (mpirun cleans up its ranks), then KILL.
stop_launcher() {
    kill -TERM "$1" 2>/dev/null
    sleep 3
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# --- 1b. failures: a check failing on one rank, a fatal error on one rank ------------------
log="$WORK/fail-one.log"
run timeout --kill-after=10 "$RUN_TIMEOUT" "$MPIRUN" "${MPIRUN_FLAGS[@]}" --np 3 "$BINARY" fail-one >"$log" 2>&1
status=$?
cat "$log"
if [ "$status" -eq 1 ] && grep -q 'FAIL-ONE: failed checks \["deliberate failure on the last rank"\], exit 1' "$log"; then
    echo "PASS fail-one: a failure on one rank is reported by all, which exit together (status 1)"
else
    echo "FAIL fail-one (exit $status)"
    FAILURES+=("fail-one (exit $status)")
fi
log="$WORK/abort-one.log"
start=$SECONDS
run timeout --kill-after=10 "$KILL_DEADLINE" "$MPIRUN" "${MPIRUN_FLAGS[@]}" --np 3 "$BINARY" abort-one >"$log" 2>&1
status=$?
cat "$log"
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && [ "$status" -ne 137 ]; then
    echo "PASS abort-one: MPI_Abort on one rank ended the job (status $status) in $((SECONDS - start)) s"
else
    echo "FAIL abort-one (exit $status)"
    FAILURES+=("abort-one (exit $status)")
fi

# --- 2. signal test: SIGUSR1 to mpirun → agreed stop ---------------------------------------
log="$WORK/signal.log"
echo "+ $MPIRUN ${MPIRUN_FLAGS[*]} --np 3 $BINARY wait-signal 60 &   # then kill -USR1 <mpirun>"
"$MPIRUN" "${MPIRUN_FLAGS[@]}" --np 3 "$BINARY" wait-signal 60 >"$log" 2>&1 &
launcher=$!
if wait_for_lines "$log" 3 SIGNAL-READY 60; then
    sleep 0.5
    kill -USR1 "$launcher"
    wait "$launcher"
    status=$?
else
    stop_launcher "$launcher"
    status=99
fi
cat "$log"
if [ "$status" -eq 0 ] && grep -q SIGNAL-STOP "$log"; then
    echo "PASS signal: SIGUSR1 forwarded by mpirun, all ranks stopped at the same step"
else
    echo "FAIL signal (exit $status)"
    FAILURES+=("signal test (exit $status)")
fi

# --- 3. kill test: SIGKILL one rank, mpirun must end the job --------------------------------
log="$WORK/kill.log"
echo "+ $MPIRUN ${MPIRUN_FLAGS[*]} --np $KILL_RANKS $BINARY spin 300 &   # then kill -9 <rank 1>"
"$MPIRUN" "${MPIRUN_FLAGS[@]}" --np "$KILL_RANKS" "$BINARY" spin 300 >"$log" 2>&1 &
launcher=$!
if wait_for_lines "$log" "$KILL_RANKS" SPIN-READY 60; then
    victim=$(sed -n 's/^SPIN-READY rank 1 pid //p' "$log")
    sleep 1
    echo "+ kill -KILL $victim   # rank 1"
    start=$(date +%s.%N)
    kill -KILL "$victim"
    deadline=$((SECONDS + KILL_DEADLINE))
    while kill -0 "$launcher" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$launcher" 2>/dev/null; then
        elapsed="more than $KILL_DEADLINE"
        stop_launcher "$launcher"
        status=999
    else
        elapsed=$(echo "$(date +%s.%N) - $start" | bc)
        wait "$launcher"
        status=$?
    fi
else
    stop_launcher "$launcher"
    status=998
    elapsed=unknown
fi
cat "$log"
if [ "$status" -ne 0 ] && [ "$status" -lt 998 ]; then
    echo "PASS kill: mpirun exited with status $status ${elapsed} s after rank 1 was killed"
else
    echo "FAIL kill: mpirun status $status, ${elapsed} s after the kill"
    FAILURES+=("kill test (status $status, $elapsed s)")
fi

# --- optional benchmark ------------------------------------------------------------------
if [ "$BENCH" = 1 ]; then
    run "$MPIRUN" "${MPIRUN_FLAGS[@]}" --np 2 "$BINARY" bench 0.05
fi

if [ "${#FAILURES[@]}" -eq 0 ]; then
    echo "run-parallel-checks: ALL PASSED"
    exit 0
fi
echo "run-parallel-checks: FAILED: ${FAILURES[*]}"
exit 1
