#!/usr/bin/env bash
# Installs the Debian 12 packages libflaggems needs to build, test and
# benchmark. Idempotent. With --check, only reports (exit 1 if any missing).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libdlpack-dev libjansson-dev libsqlite3-dev libgit2-dev libyaml-dev
  libcmocka-dev gcovr clang clang-format libclang-rt-14-dev libomp-dev
  libdnnl-dev libopenblas-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [[ "${1:-}" == "--check" ]]; then
  if ((${#missing[@]})); then echo "missing: ${missing[*]}"; exit 1; fi
  exit 0
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
