#!/usr/bin/env bash
# Prove the laptop route: a fresh venv with only what `pip install` brings (the extras Binder installs,
# plus the test tools), on a PATH without espeak-ng, ffmpeg and sox, with the kit told not to fall back
# to system libraries (DESIGNKIT_NO_SYSTEM_TOOLS=1). In it, every notebook and study notebook and the
# speech tests must pass.
#
#   scripts/laptop-check.sh            build .venv-laptop when needed, then run the checks
#   LAPTOP_VENV=DIR scripts/laptop-check.sh
#
# The venv is rebuilt when pyproject.toml or binder/requirements.txt change (like `make setup`), from
# the same local wheel files and pip cache, so a rerun costs only the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
venv="${LAPTOP_VENV:-.venv-laptop}"
python="${PYTHON:-python3}"
hidden="espeak-ng espeak ffmpeg ffprobe sox"

# The extras Binder installs (the line `-e .[a,b,c]` of binder/requirements.txt), plus dev for pytest/nbval.
extras="$(sed -n 's/^-e \.\[\(.*\)\].*/\1/p' binder/requirements.txt | head -1)"
[ -n "$extras" ] || { echo "laptop-check: no '-e .[extras]' line in binder/requirements.txt" >&2; exit 1; }
stamp="$venv/.designkit-laptop-installed"
# What the venv depends on: the project's dependencies and extras (not its tool settings) and Binder's list.
wanted="$("$python" - <<'PY' 2>/dev/null || cat pyproject.toml binder/requirements.txt | sha256sum | cut -c1-16
import hashlib, json, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = json.dumps([project.get("dependencies"), project.get("optional-dependencies")], sort_keys=True)
print(hashlib.sha256(deps.encode() + open("binder/requirements.txt", "rb").read()).hexdigest()[:16])
PY
)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  start=$SECONDS
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e ".[$extras,dev]"
  # mediapipe (extra `pose`) pulls GUI OpenCV builds over the headless one (see the Makefile).
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps opencv-python-headless
  echo "$wanted" > "$stamp"
  echo "laptop-check: built $venv with .[$extras,dev] in $((SECONDS - start)) s"
fi

# A PATH of links to every program on the current PATH except the hidden ones (first one wins, as in
# a PATH lookup); $venv/bin comes first.
shim="$(mktemp -d)"
trap 'rm -rf "$shim"' EXIT
IFS=: read -r -a dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for exe in "$dir"/*; do
    name="${exe##*/}"
    [ -x "$exe" ] && [ ! -d "$exe" ] && [ ! -e "$shim/$name" ] || continue
    case " $hidden " in *" $name "*) continue ;; esac
    ln -s "$exe" "$shim/$name"
  done
done
export PATH="$here/$venv/bin:$shim"
export DESIGNKIT_NO_SYSTEM_TOOLS=1
unset LD_LIBRARY_PATH DESIGNKIT_ESPEAK_LIBRARY ESPEAK_DATA_PATH IMAGEIO_FFMPEG_EXE
for name in $hidden; do
  if command -v "$name" >/dev/null; then echo "laptop-check: $name is still on PATH" >&2; exit 1; fi
done

notebooks=(notebooks/*.ipynb notebooks/agents/*.ipynb studies/*/*.ipynb)
start=$SECONDS
# scripts/nbcheck.py fails a cell that prints a warning (no warnings in what a designer reads).
PYTHONPATH="$here/scripts${PYTHONPATH:+:$PYTHONPATH}" \
  "$venv/bin/python" -m pytest -p no:cacheprovider -p nbcheck --nbval-lax "${notebooks[@]}" \
  tests/test_audio_tools.py tests/test_scenarios_tts.py tests/test_language_generator.py "$@"
echo "laptop-check: tests took $((SECONDS - start)) s"
