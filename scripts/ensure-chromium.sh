#!/usr/bin/env bash
# Browser tests drive Debian's chromium through playwright (never `playwright install`:
# it downloads a browser build, which this network does not allow).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium fonts-dejavu-core poppler-utils >/dev/null
