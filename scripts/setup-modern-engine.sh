#!/usr/bin/env bash
# Makes what the specs and benchmarks need to try a modern engine, where it can be made:
#   1. the image layerbench/modern-engine:26 — Debian trixie's docker.io 26.1, docker-cli and
#      docker-buildx 0.13, bootstrapped from Debian's mirror the way the bases are (debootstrap,
#      then docker import), labelled, with docker/modern-engine/entrypoint.sh as its entrypoint;
#   2. the buildx plugin for the host's docker CLI (~/.docker/cli-plugins/docker-buildx), copied
#      out of that image, unless `docker buildx version` already works.
# It does not start the engine (test/support/modern-engine.ts does). Idempotent: what is in place
# is left alone. Where something cannot be made (not root, no debootstrap, no mirror), it says
# "skipped: <why>" and exits 0: the specs that need it skip and say why.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
image=${LAYERBENCH_MODERN_ENGINE_IMAGE:-layerbench/modern-engine:26}
suite=trixie
include=docker.io,docker-buildx,iptables,ca-certificates,procps,iproute2
entrypoint="$here/docker/modern-engine/entrypoint.sh"
cgroups="$here/docker/fresh-host/writable-cgroups.sh"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
plugin_in_image=/usr/libexec/docker/cli-plugins/docker-buildx

say() { printf 'setup-modern-engine: %s\n' "$*" >&2; }
skip() { say "skipped: $*"; exit 0; }

command -v docker >/dev/null 2>&1 || skip "no docker CLI on PATH"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || skip "no Docker daemon answers (run scripts/setup-engine.sh first)"

# One set-up at a time (npm test and a spec may both ask).
# The lock is this script itself: nothing is left in the temporary directory.
if command -v flock >/dev/null 2>&1 && { exec 9<"${BASH_SOURCE[0]}"; } 2>/dev/null; then
  flock 9
fi

# The recipe, entrypoint included: an image made from another recipe is made again.
recipe_id=$( { printf '%s\n' "debootstrap --variant=minbase --include=$include $suite" "+docker-cli" "import-1"; cat "$entrypoint" "$cgroups"; } | sha256sum | cut -c1-12)

image_recipe() { docker image inspect --format '{{ index .Config.Labels "layerbench.recipe" }}' "$image" 2>/dev/null || :; }

debian_mirror() {
  local file uri
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    uri=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\)[[:space:]].*/\2/p' "$file" | grep -v security | head -n1 || :)
    if [ -n "$uri" ]; then printf '%s\n' "$uri"; return 0; fi
  done
  return 1
}

make_image() {
  [ "$(id -u)" = 0 ] || { say "skipped: making $image needs root (debootstrap); run 'sudo bash scripts/setup-modern-engine.sh'"; return 1; }
  if ! command -v debootstrap >/dev/null 2>&1 && [ ! -x /usr/sbin/debootstrap ]; then
    if command -v apt-get >/dev/null 2>&1; then
      say "installing debootstrap with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1; } \
        || { say "skipped: debootstrap is not installed and apt-get could not install it"; return 1; }
    else
      say "skipped: debootstrap is not installed (and there is no apt-get to install it)"; return 1
    fi
  fi
  local mirror
  mirror=$(debian_mirror) || { say "skipped: no Debian mirror in this machine's apt sources"; return 1; }

  local scratch root started
  scratch=$(mktemp -d "${LAYERBENCH_SCRATCH:-${TMPDIR:-/tmp}}/layerbench-modern-engine-rootfs.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$scratch'" EXIT
  root="$scratch/root"
  started=$(date +%s)
  say "making $image: debootstrap $suite (+$include) from the host's Debian mirror; about a minute"
  if ! debootstrap --variant=minbase --include="$include" "$suite" "$root" "$mirror" >"$scratch/debootstrap.log" 2>&1; then
    say "skipped: debootstrap of $suite failed; its last lines:"
    tail -n 5 "$scratch/debootstrap.log" | sed 's/^/  /' >&2
    return 1
  fi
  if [ ! -x "$root/usr/bin/docker" ]; then
    # docker.io brings the daemon only; the client is docker-cli
    if ! { chroot "$root" apt-get update -qq && DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends docker-cli; } >"$scratch/apt.log" 2>&1; then
      say "skipped: apt-get install docker-cli in the $suite root failed; its last lines:"
      tail -n 5 "$scratch/apt.log" | sed 's/^/  /' >&2
      return 1
    fi
  fi
  [ -x "$root$plugin_in_image" ] || { say "skipped: docker-buildx did not install $plugin_in_image"; return 1; }
  install -m 0755 "$entrypoint" "$root/usr/local/bin/modern-engine-entrypoint"
  install -D -m 0644 "$cgroups" "$root/usr/local/lib/layerbench/writable-cgroups.sh"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  local version previous
  version=$(chroot "$root" dpkg-query -W -f '${Version}' docker.io 2>/dev/null || echo unknown)
  # the image an older recipe made: removed once the new one holds the tag (if nothing uses it)
  previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || :)
  tar --numeric-owner -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'LABEL layerbench.image=modern-engine' \
    --change 'LABEL layerbench.base=modern-engine' \
    --change "LABEL layerbench.recipe=$recipe_id" \
    --change "LABEL layerbench.docker-io=$version" \
    --change 'VOLUME /var/lib/docker' \
    --change 'ENTRYPOINT ["/usr/local/bin/modern-engine-entrypoint"]' \
    - "$image" >/dev/null || { say "skipped: docker import of the $suite root failed"; return 1; }
  if [ -n "$previous" ] && [ "$(docker image inspect --format '{{ index .Config.Labels "layerbench.image" }}' "$previous" 2>/dev/null || :)" = modern-engine ]; then
    docker image rm "$previous" >/dev/null 2>&1 || say "the previous $image ($previous) is still in use; kept"
  fi
  # the buildx plugin, while the root is at hand
  if ! docker buildx version >/dev/null 2>&1; then install_plugin_from "$root$plugin_in_image"; fi
  rm -rf "$scratch"
  trap - EXIT
  say "made $image (docker.io $version) in $(( $(date +%s) - started )) s"
}

install_plugin_from() {
  mkdir -p "$plugin_dir"
  install -m 0755 "$1" "$plugin_dir/docker-buildx.tmp"
  mv -f "$plugin_dir/docker-buildx.tmp" "$plugin_dir/docker-buildx"
}

install_plugin_from_image() {
  local container scratch
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/layerbench-buildx.XXXXXX")
  container=$(docker create --label layerbench.image=modern-engine-copy "$image" true)
  if docker cp "$container:$plugin_in_image" "$scratch/docker-buildx" >/dev/null 2>&1; then
    install_plugin_from "$scratch/docker-buildx"
  fi
  docker rm -f -v "$container" >/dev/null 2>&1 || :
  rm -rf "$scratch"
}

made=0
if [ "$(image_recipe)" = "$recipe_id" ]; then
  made=1
elif make_image; then
  made=1
fi

if docker buildx version >/dev/null 2>&1; then
  :
elif [ "$made" = 1 ]; then
  install_plugin_from_image
  docker buildx version >/dev/null 2>&1 || say "skipped: buildx from $image does not run as a plugin of this docker CLI"
else
  say "skipped: no buildx plugin for the docker CLI (it comes from $image, which could not be made)"
fi

if [ "$made" = 1 ]; then
  say "$image is here ($(docker image inspect --format '{{ index .Config.Labels "layerbench.docker-io" }}' "$image")); buildx: $(docker buildx version 2>/dev/null | cut -d' ' -f2 || echo none)"
fi
exit 0
