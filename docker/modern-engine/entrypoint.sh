#!/bin/sh
# The modern engine (Debian trixie's docker.io 26.1) as Docker in Docker, in the host's network
# namespace, so that its builds reach what layerbench serves on 127.0.0.1 and its published ports
# answer there. Run by test/support/modern-engine.ts; scripts/setup-modern-engine.sh makes the image.
#
#   LAYERBENCH_ENGINE_DIR  a folder bind-mounted from the host at the same path: the daemon's socket
#                          ($dir/docker.sock) and its exec-root ($dir/exec) go there
#   LAYERBENCH_BRIDGE      the name of the inner daemon's own bridge, made here and removed on exit
#                          (it is the host's network namespace: docker0 is the host daemon's)
#   LAYERBENCH_BRIDGE_ADDRESS  optional, e.g. 10.213.7.1/24; else the first free 10.213.N.1/24
# Arguments are passed on to dockerd.
set -eu

dir=${LAYERBENCH_ENGINE_DIR:?LAYERBENCH_ENGINE_DIR names the bind-mounted folder for the socket}
bridge=${LAYERBENCH_BRIDGE:?LAYERBENCH_BRIDGE names the bridge to make}
say() { printf 'modern-engine: %s\n' "$*" >&2; }

# Writable cgroups for the inner daemon's containers (shared with the pull experiment's fresh host).
. /usr/local/lib/layerbench/writable-cgroups.sh

# Without it, Engine 26 cannot start a container here: "failed to disable IPv6 on container's interface".
export DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1

address=${LAYERBENCH_BRIDGE_ADDRESS:-}
if [ -z "$address" ]; then
  used=$(ip -4 route show)
  n=0
  while [ "$n" -lt 256 ]; do
    case "$used" in
      *"10.213.$n."*) n=$((n + 1)) ;;
      *) address="10.213.$n.1/24"; break ;;
    esac
  done
  [ -n "$address" ] || { say "no free 10.213.N.0/24 for the bridge"; exit 1; }
fi

ip link add "$bridge" type bridge
ip addr add "$address" dev "$bridge"
ip link set "$bridge" up

# On the way out: the bridge, and what the daemon left in the shared folder (its mount point stays;
# the host removes the empty folder).
finish() {
  ip link del "$bridge" 2>/dev/null || :
  rm -rf "$dir/exec" "$dir/docker.sock" "$dir/docker.pid" 2>/dev/null || :
}

mkdir -p "$dir/exec"
dockerd \
  --host "unix://$dir/docker.sock" \
  --exec-root "$dir/exec" \
  --pidfile "$dir/docker.pid" \
  --data-root /var/lib/docker \
  --storage-driver overlay2 \
  --bridge "$bridge" \
  --iptables=false --ip-masq=false --ip-forward=false \
  "$@" &
daemon=$!
say "dockerd started (pid $daemon) on unix://$dir/docker.sock, bridge $bridge $address"
trap 'kill -TERM "$daemon" 2>/dev/null || :' TERM INT
status=0
while :; do
  wait "$daemon" && status=0 || status=$?
  kill -0 "$daemon" 2>/dev/null || break
done
finish
exit "$status"
