#!/usr/bin/env bash
# Prove the laptop route: the built wheel, installed by the README's exact laptop command
# (`pip install "duplex-designkit[all]"`) with pip pointed at the folder holding the wheel and nothing
# else changed (the dependencies come from the package index as on a laptop), in a fresh venv, on a
# PATH without espeak-ng, ffmpeg and sox, with the kit told not to fall back to system libraries
# (DESIGNKIT_NO_SYSTEM_TOOLS=1). There, every notebook and study notebook, copied out of the installed
# wheel as `designkit lab` copies them, and the speech tests must pass.
#
#   make laptop-check                  builds the wheel (make dist), then runs this
#   scripts/laptop-check.sh            with a wheel of this version already in dist/
#   LAPTOP_VENV=DIR WHEELS=DIR scripts/laptop-check.sh
#   LAPTOP_INSTALL_ONLY=1 scripts/laptop-check.sh     install and check the wheel, run nothing
#   LAPTOP_TESTS="" scripts/laptop-check.sh            the notebooks only (default: also the speech tests)
#
# The venv is made afresh when the dependencies or the README's command change; otherwise, unless the kit
# installed there already is this very wheel (every file's hash), the kit is uninstalled and the README's
# command run again, so the new wheel is what gets tested and a rerun costs only the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
venv="${LAPTOP_VENV:-.venv-laptop}"
wheels="${WHEELS:-dist}"
python="${PYTHON:-python3}"
hidden="espeak-ng espeak ffmpeg ffprobe sox"

name="$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["name"])')"
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' designkit/__init__.py)"
wheel="$wheels/${name//-/_}-$version-py3-none-any.whl"
[ -f "$wheel" ] || { echo "laptop-check: no $wheel: run \`make dist\` first" >&2; exit 1; }
command="$("$python" scripts/install_lines.py readme-command)"
mapfile -t words < <("$python" -c 'import shlex, sys; print("\n".join(shlex.split(sys.argv[1])))' "$command")
[ "${words[0]}" = pip ] || { echo "laptop-check: the README's command does not start with pip: $command" >&2; exit 1; }

stamp="$venv/.designkit-laptop-installed"
# What the venv depends on: the project's dependencies and extras (not its tool settings) and the command.
wanted="$("$python" - "$command" <<'PY'
import hashlib, json, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = json.dumps([project.get("dependencies"), project.get("optional-dependencies"), sys.argv[1]], sort_keys=True)
print(hashlib.sha256(deps.encode()).hexdigest()[:16])
PY
)"
start=$SECONDS
fresh=0
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  fresh=1
elif "$venv/bin/python" scripts/wheel_check.py installed "$wheel" >/dev/null 2>&1; then
  fresh=same  # installed by the README's command before, from a wheel with the very same files
else
  "$venv/bin/python" -m pip uninstall -q -y "$name"
fi
if [ "$fresh" != same ]; then
  echo "laptop-check: ${words[*]} --find-links $wheels"
  "$venv/bin/python" -m "${words[@]}" -q --find-links "$wheels"
fi
if [ "$fresh" = 1 ]; then
  # mediapipe (extra `pose`) pulls GUI OpenCV builds over the headless one (see the Makefile).
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps opencv-python-headless
  echo "$wanted" > "$stamp"
fi
# What was installed is this kit, from this wheel: its metadata and every file of the wheel.
"$venv/bin/python" scripts/wheel_check.py installed "$wheel"
echo "laptop-check: installed $wheel into $venv in $((SECONDS - start)) s"
[ -z "${LAPTOP_INSTALL_ONLY:-}" ] || exit 0

# A PATH of links to every program on the current PATH except the hidden ones (first one wins, as in
# a PATH lookup); $venv/bin comes first.
shim="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$shim" "$work"' EXIT
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
unset LD_LIBRARY_PATH DESIGNKIT_ESPEAK_LIBRARY ESPEAK_DATA_PATH IMAGEIO_FFMPEG_EXE PYTHONPATH
for name in $hidden; do
  if command -v "$name" >/dev/null; then echo "laptop-check: $name is still on PATH" >&2; exit 1; fi
done

# The notebooks a designer gets: `designkit lab`'s copy out of the installed wheel. Everything runs from
# that folder, so `import designkit` finds the installed wheel, never this checkout.
cd "$work"
"$here/$venv/bin/python" -c "from designkit.commands.lab import workspace; workspace('designkit-notebooks')"
"$here/$venv/bin/python" "$here/scripts/wheel_check.py" imported "$here/$venv"
cd designkit-notebooks
notebooks=(notebooks/*.ipynb notebooks/agents/*.ipynb studies/*/*.ipynb)
read -r -a tests <<< "${LAPTOP_TESTS-tests/test_audio_tools.py tests/test_scenarios_tts.py tests/test_language_generator.py}"
start=$SECONDS
# scripts/nbcheck.py fails a cell that prints a warning (no warnings in what a designer reads).
PYTHONPATH="$here/scripts" "$here/$venv/bin/python" -m pytest -p no:cacheprovider -p nbcheck --nbval-lax \
  --rootdir "$here" -c "$here/pyproject.toml" "${notebooks[@]}" "${tests[@]/#/$here/}" "$@"
echo "laptop-check: tests took $((SECONDS - start)) s"
