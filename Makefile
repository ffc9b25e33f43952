# designkit: `make lab` sets up and opens the kit; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.designkit-installed
NOTEBOOKS := $(wildcard notebooks/*.ipynb) $(wildcard studies/*/*.ipynb)
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup debs lab test lint typecheck imports pytest bench bench-quick clean

setup: debs $(STAMP)  ## venv + `pip install -e .[all]` + Debian packages (idempotent)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all]'
	@# mediapipe (extra `pose`) pulls the GUI OpenCV builds, which overwrite cv2/ and need libGL:
	@# give cv2/ back to the headless build every install (designkit itself never imports cv2).
	$(BIN)/python -m pip install -q --force-reinstall --no-deps opencv-python-headless
	@touch $(STAMP)

debs:
	@bash scripts/install-debs.sh

lab: setup  ## open JupyterLab on notebooks/ (127.0.0.1)
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(ALLOW_ROOT)

lint:
	$(BIN)/ruff check designkit tests benchmarks

imports:  ## the layering in DESIGN.md and no import cycles (import-linter, contracts in pyproject.toml)
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy designkit/core designkit/policy designkit/metrics

pytest:
	@$(BIN)/python -m pytest --nbval-lax tests $(NOTEBOOKS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no tests: that is a failure here"; exit 1; fi; exit $$rc

test: setup lint imports typecheck pytest  ## every test: ruff, import layers, mypy, pytest with browsers and notebooks

bench: setup
	$(BIN)/python benchmarks/run.py

bench-quick: setup
	$(BIN)/python benchmarks/run.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
