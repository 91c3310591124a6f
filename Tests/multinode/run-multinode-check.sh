#!/usr/bin/env bash
# The multi-node checks on one machine (issue 15): two network namespaces as nodes, linked
# through a bridge at 1 Gbit/s (tbf), Open MPI across them over TCP (Tests/multinode/netns.sh).
#
#   Tests/multinode/run-multinode-check.sh [--no-build] [equivalence] [link-down]
#   Tests/multinode/run-multinode-check.sh --probe    prints why it cannot run here; status 1 then
#
# 1. equivalence: the equivalence check's run (8 steps, global batch 16, dropout 0.1, replica
#    hashes compared every step) at 2 nodes × 2 ranks, with the default reduction (overlapped
#    across nodes) and with --overlap-communication false, against np 1 on the host: losses
#    within 1e-6 relative, final parameters within 1e-6 of the largest magnitude;
# 2. link-down: a 2 × 1 job whose node 1 loses its link after step 2 must end by itself within
#    --collective-timeout + 30 s with a non-zero status and a message naming the timeout, and
#    --resume auto (link back up) must continue from its newest checkpoint (mpirun's keepalive
#    shortened, as a launcher across nodes must: see link-down-check.sh). Runs only when
#    `ddp-train train --help` lists --collective-timeout; otherwise prints SKIP and why (the job
#    would hang for ever).
# Everything the checks make (namespaces, their processes) is removed on exit, also on failure.
# Exit status 0 only if every check that ran passed.
set -euo pipefail

# --- site settings ---------------------------------------------------------------------
WORK=${DDP_TRAIN_MULTINODE_DIR:-${TMPDIR:-/tmp}/ddp-train-multinode}
MODEL=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
BUILD_PATH=${DDP_TRAIN_BUILD_PATH:-.build}
LINK_MBIT=${DDP_TRAIN_MULTINODE_MBIT:-1000}
TIMEOUT_S=${DDP_TRAIN_COLLECTIVE_TIMEOUT:-10}
# -----------------------------------------------------------------------------------------

cd "$(dirname "$0")/../.."
source Tests/multinode/netns.sh
if [ "${1:-}" = "--probe" ]; then
    # Status 0 when the bed can be built; otherwise 1 and the reason on stdout.
    if netns_unavailable; then exit 1; else exit 0; fi
fi
build=1
if [ "${1:-}" = "--no-build" ]; then
    build=0
    shift
fi
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(equivalence link-down)
if reason=$(netns_unavailable); then
    echo "SKIP multi-node checks: $reason" >&2
    exit 77
fi
if [ "$build" = 1 ]; then
    echo "+ swift build -c release --scratch-path $BUILD_PATH --product ddp-train" >&2
    swift build -c release --scratch-path "$BUILD_PATH" --product ddp-train
fi
case "$BUILD_PATH" in /*) ;; *) BUILD_PATH=$PWD/$BUILD_PATH ;; esac
binary=$BUILD_PATH/release/ddp-train
export DDP_TRAIN_MODEL=$MODEL DDP_TRAIN_THREADS=1
rm -rf "$WORK"
mkdir -p "$WORK"
failures=0
check() { # check STATUS NAME [LOG]: PASS when STATUS is 0, else FAIL and the log's tail
    if [ "$1" -eq 0 ]; then echo "PASS $2"; else
        echo "FAIL $2"
        [ -n "${3:-}" ] && tail -n 40 "$3"
        failures=$((failures + 1))
    fi
}
# Sets `arguments` to the training checks' common arguments (Harness.trainArguments) and the
# equivalence check's extras, for output directory $1 and $2 steps.
train_arguments() {
    arguments=(train --train "$PWD/data/demo/train.tsv" --output "$1" --max-steps "$2" --batch-size 16 \
        --learning-rate 1e-4 --warmup-steps 2 --weight-decay 0.01 --max-length 32 --logging-steps 1 \
        --seed 7 --checksum-steps 1 --dropout 0.1)
}
start=$SECONDS
netns_up 2 "$LINK_MBIT"

# The placement itself: ranks 0–1 in node 0's namespace, 2–3 in node 1's.
netns_mpirun 2 sh -c 'echo "$OMPI_COMM_WORLD_RANK $(ip -o -4 addr show eth0 | awk "{print \$4}")"' \
    2>"$WORK/placement.log" | sort >"$WORK/placement.txt" || true
printf '0 %s/24\n1 %s/24\n2 %s/24\n3 %s/24\n' "${NETNS_ADDRESSES[0]}" "${NETNS_ADDRESSES[0]}" \
    "${NETNS_ADDRESSES[1]}" "${NETNS_ADDRESSES[1]}" >"$WORK/placement.expected"
status=0
cmp -s "$WORK/placement.txt" "$WORK/placement.expected" || status=$?
check $status "placement: 2 ranks in each node's namespace, on its own address" "$WORK/placement.txt"

if [[ " ${checks[*]} " == *" equivalence "* ]]; then
    reference=$WORK/np1
    status=0
    train_arguments "$reference" 8
    "$binary" "${arguments[@]}" --save-steps 0 >"$WORK/np1.log" 2>&1 || status=$?
    check $status "equivalence: np 1 (on the host, no launcher) trains 8 steps" "$WORK/np1.log"
    for variant in default flat; do
        extra=()
        [ "$variant" = flat ] && extra=(--overlap-communication false)
        output=$WORK/nodes2x2-$variant
        status=0
        train_arguments "$output" 8
        netns_mpirun 2 "$binary" "${arguments[@]}" --save-steps 0 "${extra[@]}" \
            >"$output.log" 2>&1 || status=$?
        check $status "equivalence: 2 nodes × 2 ranks ($variant reduction) trains 8 steps, replicas identical" \
            "$output.log"
        status=0
        python3 Tests/multinode/compare_runs.py "$reference" "$output" --steps 8 >"$output.compare" 2>&1 \
            || status=$?
        sed "s/^\(PASS\|FAIL\) /\1 equivalence: 2 nodes × 2 ranks ($variant) against np 1: /" "$output.compare"
        [ $status -eq 0 ] || failures=$((failures + 1))
    done
fi

if [[ " ${checks[*]} " == *" link-down "* ]]; then
    help=$("$binary" train --help 2>&1 || true) # captured first: grep -q would end the pipe early
    if [[ $help != *--collective-timeout* ]]; then
        echo "SKIP link-down: \`ddp-train train --help\` does not list --collective-timeout (no hang" \
            "detection in this binary: the job would wait for ever)"
    else
        source Tests/multinode/link-down-check.sh
        link_down_check
    fi
fi

echo "multi-node checks: $failures failed, $((SECONDS - start)) s"
# Outputs of a passing run go (three models, checkpoints: ~0.5 GB); DDP_TRAIN_KEEP_CHECKS=1 keeps them.
[ "$failures" -eq 0 ] && [ "${DDP_TRAIN_KEEP_CHECKS:-0}" != 1 ] && rm -rf "$WORK"
[ "$failures" -eq 0 ]
