#!/usr/bin/env bash
# Installs a Debian package a test peer needs, once: `apt-install.sh <binary> <package> [apt-get options]`.
# Does nothing when <binary> is already there. Needs root or sudo.
set -euo pipefail
binary="$1" package="$2"
shift 2
if [ -x "$binary" ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "apt-install: $binary is missing; run as root: apt-get install $package" >&2
    exit 1
  fi
fi
echo "apt-install: apt-get install $package (once)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" "$package" >/dev/null
"$binary" --version
