#!/bin/sh
# Lets the daemon inside run containers of its own: it needs writable cgroups.
#   cgroup v2: move this process to a child group and hand every controller down (as docker:dind does);
#   cgroup v1: mount each hierarchy afresh — the container runs in a private cgroup namespace, so what
#   gets mounted is its own subtree, and everything the inner daemon makes goes when the container goes.
set -e
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs || :
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control
else
  mount -o remount,rw /sys/fs/cgroup
  while IFS=: read -r _ controllers _; do
    case "$controllers" in
      '') continue ;;
      name=*) dir=${controllers#name=}; options="none,$controllers" ;;
      *) dir=$controllers; options=$controllers ;;
    esac
    umount "/sys/fs/cgroup/$dir" 2>/dev/null || :
    mkdir -p "/sys/fs/cgroup/$dir"
    mount -t cgroup -o "$options" cgroup "/sys/fs/cgroup/$dir"
  done < /proc/1/cgroup
fi
exec dockerd "$@"
