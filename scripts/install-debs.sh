#!/usr/bin/env bash
# Install the Debian packages designkit uses, when missing: the voices (espeak-ng) and sound
# tools from binder/apt.txt, plus chromium for the real-browser tests.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
wanted="$(grep -v '^#' "$here/binder/apt.txt" | xargs) chromium"
missing=()
for pkg in $wanted; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "designkit: missing Debian packages: ${missing[*]}" >&2
  echo "designkit: not root, so not installing them; ask an admin: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "designkit: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
