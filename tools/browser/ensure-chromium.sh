#!/usr/bin/env bash
# Installs Debian's chromium (and a font, so the page's text renders) for the report's browser test
# when they are absent; does nothing when they are there. playwright-core drives /usr/bin/chromium
# and never downloads a browser.
set -euo pipefail
packages=(chromium fonts-dejavu-core)
if [ -x /usr/bin/chromium ] && dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and apt-get is not available: install Debian's ${packages[*]} packages by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
/usr/bin/chromium --version
