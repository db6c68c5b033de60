#!/usr/bin/env bash
# Debian's Chromium for the browser tests (playwright-core drives it; Playwright's own download cannot
# reach its servers here). Does nothing when /usr/bin/chromium is already there. Needs root or sudo.
exec bash "$(dirname "$0")/apt-install.sh" /usr/bin/chromium chromium
