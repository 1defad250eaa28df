#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright), and the scoring service's
# sandbox isolates model-card examples with bubblewrap (bwrap), and `make bench` loads the stack with wrk: install
# whichever of them is missing.
set -euo pipefail
PACKAGES=()
if ! command -v chromium >/dev/null 2>&1; then
  PACKAGES+=(chromium)
fi
if ! command -v bwrap >/dev/null 2>&1; then
  PACKAGES+=(bubblewrap)
fi
if ! command -v wrk >/dev/null 2>&1; then
  PACKAGES+=(wrk)
fi
if [ "${#PACKAGES[@]}" -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${PACKAGES[@]}" >/dev/null
