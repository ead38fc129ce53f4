# Sourced by the entrypoint of a Docker daemon that runs in a container (the pull experiment's
# fresh host, the modern engine): the daemon inside needs writable cgroups to run containers.
#   cgroup v2: move this process to a child group and hand every controller down (as docker:dind does);
#   cgroup v1: mount each hierarchy afresh — the container runs in a private cgroup namespace, so what
#   gets mounted is its own subtree, and everything the inner daemon makes goes when the container goes.
# It lives here because the fresh host's image is built from this folder alone;
# scripts/setup-modern-engine.sh copies it into the modern engine's image.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs || :
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control
else
  mount -o remount,rw /sys/fs/cgroup
  while IFS=: read -r _ controllers _; do
    case "$controllers" in
      '') continue ;;
      name=*) hierarchy=${controllers#name=}; options="none,$controllers" ;;
      *) hierarchy=$controllers; options=$controllers ;;
    esac
    umount "/sys/fs/cgroup/$hierarchy" 2>/dev/null || :
    mkdir -p "/sys/fs/cgroup/$hierarchy"
    mount -t cgroup -o "$options" cgroup "/sys/fs/cgroup/$hierarchy"
  done < /proc/1/cgroup
fi
