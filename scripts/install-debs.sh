#!/usr/bin/env bash
# Optional Debian packages. designkit itself needs none: espeak-ng and ffmpeg come as Python wheels
# (extra `sound`). Installed when missing:
#   chromium                     always: the real-browser tests drive it (never a downloaded browser)
#   ffmpeg sox                   always: the recording tests make their clips in other formats with them
#                                (the kit itself reads recordings with the imageio-ffmpeg wheel first)
#   espeak-ng                    only with DESIGNKIT_SYSTEM_TOOLS=1: the system's copy, used when the
#                                wheel is not installed
set -euo pipefail
wanted="chromium ffmpeg sox"
if [ "${DESIGNKIT_SYSTEM_TOOLS:-0}" = 1 ]; then
  wanted="$wanted espeak-ng"
fi
command -v dpkg >/dev/null || { echo "designkit: not a Debian system; skipping Debian packages ($wanted)" >&2; exit 0; }
missing=()
for pkg in $wanted; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "designkit: missing Debian packages: ${missing[*]} (only the browser tests need chromium)" >&2
  echo "designkit: not root, so not installing them; ask an admin: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "designkit: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
