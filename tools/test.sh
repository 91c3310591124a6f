#!/usr/bin/env bash
# The test command: installs what a fresh machine lacks (tools/setup.sh), then runs
#   1. the unit, golden and gradient-check tests (swift test, debug build);
#   2. the multi-rank checks of the Parallel module under mpirun (Tests/mpi/run-parallel-checks.sh);
#   3. the end-to-end multi-rank checks of the ddp-train binary (Tests/mpi/run-training-checks.sh).
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
echo "all tests passed"
