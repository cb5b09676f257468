#!/usr/bin/env bash
# Installs the Debian packages Nas needs when any is missing (idempotent, quiet when all are there).
set -euo pipefail
packages=(libtorch-dev libgloo-dev cmake g++ dataset-fashion-mnist python3-torch python3-msgpack prometheus graphviz chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# --missing: only print what is missing (used by .ci/run, which installs it itself).
if [ "${1:-}" = "--missing" ]; then echo "${missing[*]}"; exit 0; fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
