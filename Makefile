# Two commands (see README.md): `make run` sets everything up and starts Hearth; `make test` sets up and tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.hearth-installed
LLAMA_CPP := llama-cpp-python==0.3.36
TORCH := torch==2.13.0

.PHONY: setup run test bench lint screenshot clean

setup: $(STAMP)

# Re-runs only when pyproject.toml changes. pip's wheel cache keeps the llama-cpp-python wheel built on the
# first run (about 12 minutes on 2 cores), so a new venv installs it in seconds and nothing is rebuilt.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip wheel setuptools
	# The CPU build of torch first: later requirements are then satisfied and no CUDA build is pulled.
	$(PIP) install --quiet $(TORCH)
	$(PIP) install $(LLAMA_CPP)
	$(PIP) install --quiet -e ".[test]"
	# llama.cpp's HF-to-GGUF converter (from the llama-cpp-python sdist, once, into the user cache).
	$(VENV)/bin/hearth models convert --install-converter
	touch $(STAMP)

run: setup
	$(VENV)/bin/hearth

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: setup
	$(VENV)/bin/hearth bench engine
	QT_QPA_PLATFORM=offscreen $(PY) tests/bench/gui_stall.py

lint: setup
	$(VENV)/bin/ruff check core app tests
	$(VENV)/bin/ruff format --check core app tests

screenshot: setup
	$(PY) tests/bench/screenshot.py docs/main-window.png

clean:
	rm -rf $(VENV) build *.egg-info
