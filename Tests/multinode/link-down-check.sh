# The link-down check of issue 15's hang detection, sourced by run-multinode-check.sh (which
# sets binary, WORK, TIMEOUT_S, check and train_arguments, and has the test bed up).
#
# A 2 nodes × 1 rank job saves a checkpoint every 2 steps; once step 3 is logged, node 1's link
# is set down (netns_link_down: the node stays alive but unreachable, as a cut cable or a
# frozen switch port — no process exits, so without a deadline every rank waits for ever).
# The job must end by itself within --collective-timeout + 30 s, with a non-zero status and a
# message naming the timeout; the newest checkpoint must be complete (manifest.json), and the
# same command with --resume auto, the link up again, must continue from it to the end.
#
# mpirun gets Open MPI's out-of-band keepalive shortened (3 s idle, then 3 probes 1 s apart).
# With its defaults (300 s idle, 9 probes 20 s apart) mpirun notices a daemon behind a dead link
# only after ~8 minutes and waits for it that long after the watchdog has ended the ranks
# (measured: the watchdog ended rank 0 at 10 s, mpirun was still waiting at 71 s). Once mpirun
# has sent to that daemon (the job's teardown), TCP retransmits instead and keepalive no
# longer applies, so the keepalive must fire first: with 15 s idle it did in 2 runs of 3. So
# here Open MPI's own message ("lost communication with a remote daemon") may end the job
# before the watchdog's; either must name the cause. A launcher across nodes must pass a
# short keepalive too (README).

# wait_for_losses FILE N PID SECONDS: until FILE has N loss records; status 1 if PID exits first
# or SECONDS pass.
wait_for_losses() {
    local file=$1 count=$2 pid=$3 deadline=$((SECONDS + $4)) logged
    while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
        logged=$(grep -c '"loss"' "$file" 2>/dev/null) || logged=0 # no file yet: 0
        [ "$logged" -ge "$count" ] && return 0
        sleep 0.2
    done
    return 1
}

link_down_check() {
    local output=$WORK/link-down steps=16 pid status ok cut elapsed limit newest namespace said
    train_arguments "$output" "$steps"
    local run=("$binary" "${arguments[@]}" --save-steps 2 --save-total-limit 2 --collective-timeout "$TIMEOUT_S")
    local keepalive="--mca oob_tcp_keepalive_time 3 --mca oob_tcp_keepalive_intvl 1"
    keepalive+=" --mca oob_tcp_keepalive_probes 3 ${DDP_NETNS_MPIRUN_OPTIONS:-}"
    DDP_NETNS_MPIRUN_OPTIONS=$keepalive netns_mpirun 1 "${run[@]}" >"$output.log" 2>&1 &
    pid=$!
    status=0
    wait_for_losses "$output/metrics.jsonl" 3 "$pid" 300 || status=$?
    check $status "link-down: 2 nodes × 1 rank job reaches step 3 before the link is cut" "$output.log"
    if [ $status -ne 0 ]; then
        for namespace in "${NETNS_NODES[@]}"; do netns_kill_inside "$namespace"; done
        wait "$pid" || true
        return
    fi
    netns_link_down 1
    cut=$SECONDS
    limit=$((TIMEOUT_S + 30))
    # Wait for the job, but not for ever: past the limit (and 30 s of grace to see how late it
    # is) its processes are killed so that the rest of the checks can run.
    while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - cut)) -le $((limit + 30)) ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        for namespace in "${NETNS_NODES[@]}"; do netns_kill_inside "$namespace"; done
    fi
    status=0
    wait "$pid" || status=$?
    elapsed=$((SECONDS - cut))
    echo "link-down: the job ended $elapsed s after the link was cut, status $status (timeout $TIMEOUT_S s)"
    # (Each condition sets ok rather than failing: the caller runs under set -e.)
    ok=0
    { [ "$status" -ne 0 ] && [ "$elapsed" -le "$limit" ]; } || ok=1
    check $ok "link-down: the job ends by itself within --collective-timeout + 30 s ($elapsed s, status $status)" \
        "$output.log"
    # The cause, named: the watchdog's message (not the command line echoed with "+ ") with the
    # timeout and the rank that did not arrive (rank 1, behind the dead link), or Open MPI's.
    said=$(grep -v '^+ ' "$output.log" | grep -i -E "timeout|timed out" || true)
    ok=0
    [[ $said == *"rank 1"* ]] || grep -q "lost communication with a remote daemon" "$output.log" || ok=1
    check $ok "link-down: the message names the cause (collective timeout and rank 1, or the lost node)" \
        "$output.log"
    newest=$(find "$output" -maxdepth 1 -name 'checkpoint-*' | sort -t- -k2 -n | tail -n 1)
    ok=0
    { [ -n "$newest" ] && [ -f "$newest/manifest.json" ]; } || ok=1
    check $ok "link-down: the newest checkpoint (${newest##*/}) is complete" "$output.log"

    netns_link_up 1
    status=0
    netns_mpirun 1 "${run[@]}" --resume auto >"$output-resume.log" 2>&1 || status=$?
    ok=0
    { [ $status -eq 0 ] && grep -q "resumed from $newest" "$output-resume.log"; } || ok=1
    check $ok "link-down: --resume auto continues from ${newest##*/} and finishes $steps steps" "$output-resume.log"
}
