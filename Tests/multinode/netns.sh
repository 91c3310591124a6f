# A multi-node test bed on one machine, to be sourced by bash scripts (set -euo pipefail).
#
# "Nodes" are network namespaces, each with one interface (eth0) on a private /24, joined by
# veth pairs to a bridge that lives in its own namespace, so nothing of the host's own
# interfaces, addresses or routes is touched. Each link can be capped with tc's token bucket
# filter (tbf) in both directions (netem is not in this kernel). Open MPI runs across the nodes
# with mpirun started inside node 0, a hostfile of the nodes' addresses, and a launch agent
# (netns-agent.sh) that starts each remote daemon inside its node's namespace; TCP only.
#
#   netns_unavailable                 prints why the bed cannot be built here; status 1 if it can
#   netns_up NODES [MBIT]             builds the bed (MBIT: link cap in Mbit/s, 0 = uncapped) and
#                                     sets an EXIT trap that tears it down, also after a failure
#   netns_set_rate MBIT               re-caps every link
#   netns_mpirun RANKS_PER_NODE CMD…  mpirun across all nodes (ranks 0..R−1 on node 0, …)
#   netns_link_down I / netns_link_up I   sets node I's interface down / up (the link-down test)
#   netns_down                        kills what runs in the namespaces and deletes them
#
# Site settings (environment):
#   DDP_NETNS_PREFIX   namespace name prefix (default ddpmn); names are PREFIX<pid>-n<i>, -br
#   DDP_NETNS_SUBNET   first three octets of the private /24 (default 10.213.7); node i is .(i+1)
#   DDP_NETNS_FORWARD  environment variables mpirun passes to the ranks when set
#   DDP_NETNS_MPIRUN_OPTIONS  more mpirun options (split at spaces), e.g. --mca btl_tcp_progress_thread 1

NETNS_PREFIX=${DDP_NETNS_PREFIX:-ddpmn}
NETNS_SUBNET=${DDP_NETNS_SUBNET:-10.213.7}
NETNS_FORWARD=${DDP_NETNS_FORWARD:-"DDP_TRAIN_MODEL DDP_TRAIN_THREADS MALLOC_TOP_PAD_ OPENBLAS_THREAD_TIMEOUT"}
NETNS_AGENT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/netns-agent.sh
NETNS_BRIDGE=""
NETNS_NODES=()
NETNS_ADDRESSES=()
NETNS_DIR=""

# Why the bed cannot be built here (printed), or status 1 when it can. A probe namespace with a
# veth pair and a tbf qdisc is made and deleted: root alone is not enough in a container without
# CAP_SYS_ADMIN, or a kernel without veth or sch_tbf.
netns_unavailable() {
    local probe="${NETNS_PREFIX}$$-probe"
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (network namespaces need root)"
    elif ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
        echo "ip or tc (iproute2) not installed"
    elif ! command -v mpirun >/dev/null; then
        echo "mpirun (Open MPI) not installed"
    elif ! unshare --uts true 2>/dev/null; then
        echo "'unshare --uts' fails here (each node needs its own hostname)"
    elif ! ip netns add "$probe" 2>/dev/null; then
        echo "'ip netns add' fails here (no CAP_SYS_ADMIN, or no network namespaces)"
    elif ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null; then
        ip netns del "$probe"
        echo "veth pairs cannot be made here (no veth module)"
    elif ! tc -n "$probe" qdisc add dev p0 root tbf rate 1gbit burst 256kb latency 20ms 2>/dev/null; then
        ip netns del "$probe"
        echo "tc cannot add a tbf qdisc here (no sch_tbf module)"
    else
        ip netns del "$probe"
        return 1
    fi
    return 0
}

# Deletes namespaces an earlier run of these scripts left behind when it was killed before its
# trap ran (their creator's pid is gone): only names with this prefix and a dead pid.
netns_remove_stale() {
    local name pid
    for name in $(ip netns list | awk '{print $1}'); do
        [[ $name =~ ^${NETNS_PREFIX}([0-9]+)- ]] || continue
        pid=${BASH_REMATCH[1]}
        [ -d "/proc/$pid" ] && continue
        netns_kill_inside "$name"
        ip netns del "$name" 2>/dev/null || true
    done
}

# Kills the processes running inside one of our namespaces (the ranks and daemons this bed
# started), so that deleting it frees it at once.
netns_kill_inside() {
    local pids
    pids=$(ip netns pids "$1" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
}

# tbf on one interface: burst = 2 ms at the rate (at least 64 kB) so that a token refill per
# timer tick never limits below the rate; latency 20 ms bounds the queue. 0 removes the cap.
netns_cap() {
    local namespace=$1 device=$2 mbit=$3 burst
    tc -n "$namespace" qdisc del dev "$device" root 2>/dev/null || true
    [ "$mbit" -gt 0 ] || return 0
    burst=$((mbit * 1000 * 2 / 8))
    [ "$burst" -ge 65536 ] || burst=65536
    tc -n "$namespace" qdisc add dev "$device" root tbf rate "${mbit}mbit" burst "$burst" latency 20ms
}

netns_up() {
    local nodes=$1 mbit=${2:-0} i namespace address
    netns_remove_stale
    trap netns_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    NETNS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ddp-netns.XXXXXX")
    NETNS_BRIDGE="${NETNS_PREFIX}$$-br"
    ip netns add "$NETNS_BRIDGE"
    ip -n "$NETNS_BRIDGE" link add br0 type bridge
    ip -n "$NETNS_BRIDGE" link set br0 up
    : >"$NETNS_DIR/hosts"
    for ((i = 0; i < nodes; i++)); do
        namespace="${NETNS_PREFIX}$$-n$i"
        address="$NETNS_SUBNET.$((i + 1))"
        ip netns add "$namespace"
        NETNS_NODES+=("$namespace")
        NETNS_ADDRESSES+=("$address")
        # One veth pair per node: v<i> on the bridge, eth0 in the node.
        ip -n "$NETNS_BRIDGE" link add "v$i" type veth peer name eth0 netns "$namespace"
        ip -n "$NETNS_BRIDGE" link set "v$i" master br0 up
        ip -n "$namespace" addr add "$address/24" dev eth0
        ip -n "$namespace" link set eth0 up
        ip -n "$namespace" link set lo up
        echo "$address $namespace" >>"$NETNS_DIR/hosts"
    done
    netns_set_rate "$mbit"
    echo "netns: $nodes nodes (${NETNS_NODES[*]}) on $NETNS_SUBNET.0/24, bridge in $NETNS_BRIDGE," \
        "links $([ "$mbit" -gt 0 ] && echo "capped at $mbit Mbit/s" || echo uncapped)" >&2
}

# Caps both directions of every link: the node's eth0 (node → bridge) and the bridge's v<i>
# (bridge → node), each an egress queue where tbf applies.
netns_set_rate() {
    local mbit=$1 i
    for i in "${!NETNS_NODES[@]}"; do
        netns_cap "${NETNS_NODES[$i]}" eth0 "$mbit"
        netns_cap "$NETNS_BRIDGE" "v$i" "$mbit"
    done
}

# mpirun from inside node 0 (so its daemon and the others reach each other on the private
# subnet); the agent enters the other nodes' namespaces. No tree spawn: only mpirun launches
# daemons. TCP only, on the bed's subnet, for both MPI messages and Open MPI's own traffic.
# mpirun gets node 0's hostname in a UTS namespace of its own, as the agent gives the others.
netns_mpirun() {
    local per_node=$1 address variable
    shift
    local hostfile="$NETNS_DIR/hostfile"
    : >"$hostfile"
    for address in "${NETNS_ADDRESSES[@]}"; do echo "$address slots=$per_node" >>"$hostfile"; done
    local flags=(--np $((per_node * ${#NETNS_NODES[@]})) --hostfile "$hostfile" --oversubscribe --bind-to none
        --mca plm_rsh_agent "$NETNS_AGENT"
        --mca plm_rsh_no_tree_spawn 1
        --mca btl tcp,self
        --mca btl_tcp_if_include "$NETNS_SUBNET.0/24"
        --mca oob_tcp_if_include "$NETNS_SUBNET.0/24")
    [ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
    # shellcheck disable=SC2206 # options are words by design (no spaces inside one)
    flags+=(${DDP_NETNS_MPIRUN_OPTIONS:-})
    for variable in $NETNS_FORWARD; do [ -n "${!variable:-}" ] && flags+=(-x "$variable"); done
    echo "+ ip netns exec ${NETNS_NODES[0]} mpirun ${flags[*]} $*" >&2
    DDP_NETNS_HOSTS="$NETNS_DIR/hosts" ip netns exec "${NETNS_NODES[0]}" unshare --uts \
        bash -c 'hostname "$0" && exec "$@"' "${NETNS_NODES[0]}" mpirun "${flags[@]}" "$@"
}

netns_link_down() {
    echo "netns: link of node $1 (${NETNS_NODES[$1]}) set down" >&2
    ip -n "${NETNS_NODES[$1]}" link set eth0 down
}

netns_link_up() { ip -n "${NETNS_NODES[$1]}" link set eth0 up; }

netns_down() {
    local namespace
    for namespace in "${NETNS_NODES[@]}" "$NETNS_BRIDGE"; do
        [ -n "$namespace" ] || continue
        netns_kill_inside "$namespace"
        ip netns del "$namespace" 2>/dev/null || true
    done
    [ -n "$NETNS_DIR" ] && rm -rf "$NETNS_DIR"
    [ ${#NETNS_NODES[@]} -gt 0 ] && echo "netns: test bed removed" >&2
    NETNS_NODES=()
    NETNS_ADDRESSES=()
    NETNS_BRIDGE=""
    NETNS_DIR=""
}
