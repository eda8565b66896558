#!/usr/bin/env bash
# Installs STILTS (the reference validators: votlint, taplint, datalinklint) from Debian's packages.  Idempotent.
set -euo pipefail
command -v stilts >/dev/null 2>&1 && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -qq)
echo "stilts.sh: installing stilts" >&2
"${apt[@]}" install -y --no-install-recommends stilts >/dev/null 2>&1 \
    || { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y --no-install-recommends stilts >/dev/null; }
echo "stilts.sh: $(stilts -version 2>&1 | grep -m1 -i "version")" >&2
