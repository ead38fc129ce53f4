#!/bin/sh
# Lets the daemon inside run containers of its own (writable cgroups), then starts it.
# A host that is to hold images before its measured pull starts from a copy of the store of a
# host that pulled them (layerbench mounts that stopped host's store at /seed): each host gets a
# store no other pull touched, without pulling the same images again every time.
set -e
. /usr/local/lib/layerbench/writable-cgroups.sh
if [ -d /seed ]; then cp -a /seed/. /var/lib/docker/; fi
exec dockerd "$@"
