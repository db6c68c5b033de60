#!/usr/bin/env bash
# Debian's Radicale, a real CalDAV server for the CalDAV tests (test/support/radicale.ts starts it on a free
# port with its own config, storage folder and htpasswd file). Does nothing when /usr/bin/radicale is
# already there. Needs root or sudo.
set -euo pipefail
if [ -x /usr/bin/radicale ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-radicale: /usr/bin/radicale is missing; run as root: apt-get install radicale" >&2
    exit 1
  fi
fi
echo "install-radicale: apt-get install radicale (once)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends radicale >/dev/null
/usr/bin/radicale --version
