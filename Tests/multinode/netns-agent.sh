#!/usr/bin/env bash
# Open MPI's launch agent for the namespace test bed (Tests/multinode/netns.sh), given to mpirun
# as `--mca plm_rsh_agent`. Open MPI's rsh launcher calls it as an ssh stand-in:
#   netns-agent.sh HOST orted -mca ess "env" … (the words of a remote shell command)
# HOST is a node's address from the hostfile; $DDP_NETNS_HOSTS (set by netns_mpirun) names a
# file of "address namespace" lines. The command runs in that namespace through sh -c, as ssh
# would hand it to the remote shell (the words carry shell quoting), in a UTS namespace of its
# own whose hostname is the node's name: all namespaces share the machine's hostname otherwise,
# and Open MPI 4.1 then takes ranks of different nodes for one node's (rank 1 of a 2 × 2 job
# crashed in mca_pml_ob1 and ranks 2–3 never left MPI_Init).
set -euo pipefail
host=$1
shift
namespace=$(awk -v host="$host" '$1 == host { print $2 }' "${DDP_NETNS_HOSTS:?set by netns_mpirun}")
if [ -z "$namespace" ]; then
    echo "netns-agent: $host is not a node of this test bed ($DDP_NETNS_HOSTS)" >&2
    exit 255
fi
exec ip netns exec "$namespace" unshare --uts sh -c "hostname $namespace && $*"
