#!/usr/bin/env bash
# Installs the C libraries sciml links (OpenBLAS, FFTW3, HDF5) and the HDF5
# command-line tools, with apt, when any is missing. Does nothing when all
# are present. Used by `make deps` (a prerequisite of every make target).
set -euo pipefail

pkgs=(libopenblas-dev libfftw3-dev libhdf5-dev pkg-config hdf5-tools)
brew="openblas fftw hdf5 pkg-config"

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && exit 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
  fi
  echo "deps: missing ${missing[*]}; install them as root: apt-get install ${pkgs[*]}" >&2
  exit 1
fi

# Not Debian/Ubuntu: check through pkg-config and h5dump.
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists fftw3 fftw3f hdf5 2>/dev/null && command -v h5dump >/dev/null 2>&1; then
  exit 0
fi
echo "deps: need OpenBLAS, FFTW3 (double and single), HDF5 1.10+ with its tools, and pkg-config." >&2
echo "      Debian/Ubuntu: apt-get install ${pkgs[*]}" >&2
echo "      macOS (Homebrew): brew install ${brew}" >&2
exit 1
