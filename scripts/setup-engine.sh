#!/usr/bin/env bash
# Makes sure a Docker daemon answers, so that `npm run bench` and `npm test` can run.
#   - a daemon already answers (the default socket, or DOCKER_HOST): nothing to do;
#   - none answers, and we are root with apt-get: install Debian's docker.io (and debootstrap,
#     which makes base images when none can be pulled), start dockerd in the background, wait;
#   - otherwise: say what to run, and fail.
# Idempotent: run it as often as you like.
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
socket=/var/run/docker.sock
log=/var/log/layerbench-dockerd.log

daemon_answers() {
  if command -v docker >/dev/null 2>&1; then
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1
  elif [ -z "${DOCKER_HOST:-}" ] && [ -S "$socket" ] && command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 --unix-socket "$socket" http://localhost/_ping >/dev/null 2>&1
  else
    return 1
  fi
}

if daemon_answers; then
  say "a Docker daemon answers${DOCKER_HOST:+ at $DOCKER_HOST}; nothing to set up"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ]; then
  say "DOCKER_HOST=$DOCKER_HOST does not answer. Start that daemon, or unset DOCKER_HOST to use a local one."
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  say "no Docker daemon answers. Start Docker (e.g. 'sudo systemctl start docker'), or run this set-up as root: 'sudo npm run setup' installs and starts Debian's docker.io."
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "no Docker daemon answers and there is no apt-get here: install Docker Engine for this system and start it, then run again."
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} with apt-get (Debian's packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  say "starting docker with systemctl"
  systemctl start docker
else
  say "starting dockerd in the background (log: $log)"
  # setsid: the daemon outlives this script and the npm process that ran it.
  setsid nohup dockerd >"$log" 2>&1 < /dev/null &
fi

for _ in $(seq 1 60); do
  if daemon_answers; then
    say "dockerd answers: $(docker version --format 'Engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo ready)"
    exit 0
  fi
  sleep 1
done
say "dockerd did not answer within 60 s; see $log"
exit 1
