# Sourced by the Slurm checks: makes sure a Slurm answers. Where none does and the
# single-node set-up is at hand ($DDP_TRAIN_SLURM_SETUP, default ../shared/slurm-single-node
# beside the repository) and we are root, installs the packages if missing, starts it, and
# stops the daemons it started when the sourcing script exits.
#   slurm_up LABEL     (LABEL names the check in the failure line; needs $root)
slurm_up() {
    sinfo -h >/dev/null 2>&1 && return 0
    local setup=${DDP_TRAIN_SLURM_SETUP:-$root/../shared/slurm-single-node}
    if [ ! -x "$setup/start-slurm.sh" ] || [ "$(id -u)" -ne 0 ]; then
        echo "FAIL $1: no Slurm answers (sinfo) and there is no single-node set-up to start" >&2
        exit 1
    fi
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        echo "+ apt-get install slurm-wlm slurmctld slurmd munge" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm slurmctld slurmd munge) >&2
    fi
    echo "+ $setup/start-slurm.sh" >&2
    "$setup/start-slurm.sh" >&2
    trap 'pkill -x slurmd; pkill -x slurmctld; pkill -x munged' EXIT
}
