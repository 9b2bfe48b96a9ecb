#!/usr/bin/env bash
# Installs the Debian 12 packages Net needs to build and test, skipping those already present.
# Usage: scripts/setup.sh   (as root, or with sudo available)
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config make
  libboost1.81-dev libboost-test1.81-dev
  nlohmann-json3-dev libbotan-2-dev libxxhash-dev openssl
  clang llvm libclang-rt-14-dev
  procps redis-server libhiredis-dev libzmq3-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
