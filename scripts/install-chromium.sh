#!/usr/bin/env bash
# Debian's Chromium for the browser tests (playwright-core drives it; Playwright's own download cannot
# reach its servers here). Does nothing when /usr/bin/chromium is already there. Needs root or sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-chromium: /usr/bin/chromium is missing; run as root: apt-get install chromium" >&2
    exit 1
  fi
fi
echo "install-chromium: apt-get install chromium (once)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
