#!/usr/bin/env bash
# Debian's Radicale, a real CalDAV server for the CalDAV tests (test/support/radicale.ts starts it on a free
# port with its own config, storage folder and htpasswd file). Does nothing when /usr/bin/radicale is
# already there. Needs root or sudo.
exec bash "$(dirname "$0")/apt-install.sh" /usr/bin/radicale radicale --no-install-recommends
