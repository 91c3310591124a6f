#!/usr/bin/env bash
# The test command: installs what a fresh machine lacks (tools/setup.sh), then runs
#   1. the unit, golden and gradient-check tests (swift test, debug build);
#   2. the multi-rank checks of the Parallel module under mpirun (Tests/mpi/run-parallel-checks.sh);
#   3. the end-to-end multi-rank checks of the ddp-train binary (Tests/mpi/run-training-checks.sh);
#   4. the Slurm batch script under a real single-node Slurm (Tests/slurm/run-slurm-check.sh),
#      where Slurm runs or ../shared/slurm-single-node can start it.
# Exit status 0 only if everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."

run() { echo "+ $*" >&2; "$@"; }

run tools/setup.sh --no-build
run swift build --build-tests
run swift test --skip-build
run swift build -c release --product ddp-train
run swift build -c release --product mpi-checks
run swift build -c release --product training-checks
run Tests/mpi/run-parallel-checks.sh --no-build
run Tests/mpi/run-training-checks.sh --no-build
if sinfo -h >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && { [ -x ../shared/slurm-single-node/start-slurm.sh ] || [ -x /work/shared/slurm-single-node/start-slurm.sh ]; }; }; then
    run Tests/slurm/run-slurm-check.sh --no-build
else
    echo "note: no Slurm here and no single-node set-up to start; the Slurm check did not run" >&2
fi
echo "all tests passed"
