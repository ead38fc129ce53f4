#!/usr/bin/env bash
# Makes sure a Chromium is there for the specs that open report.html (npm test runs this).
#   - /usr/bin/chromium (or CHROMIUM_PATH) exists: nothing to do;
#   - root with apt-get: install Debian's chromium;
#   - otherwise: say so; those specs then skip, saying why.
# Idempotent.
set -euo pipefail
say() { printf 'setup: %s\n' "$*" >&2; }
browser=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$browser" ]; then
  say "Chromium is there ($browser); nothing to set up"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "no Chromium at $browser and no root apt-get to install one: the report.html specs will be skipped (install Debian's chromium, or set CHROMIUM_PATH)"
  exit 0
fi
say "installing chromium with apt-get (Debian's package), for the report.html specs"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
say "Chromium: $("$browser" --version 2>/dev/null || echo installed)"
