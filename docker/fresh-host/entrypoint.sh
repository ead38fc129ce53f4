#!/bin/sh
# Lets the daemon inside run containers of its own (writable cgroups), then starts it.
set -e
. /usr/local/lib/layerbench/writable-cgroups.sh
exec dockerd "$@"
