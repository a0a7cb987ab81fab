# Two commands (see README.md): `make run` sets everything up and starts Hearth; `make test` sets up and tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.hearth-installed
LLAMA_CPP := llama-cpp-python==0.3.36
TORCH := torch==2.13.0

.PHONY: setup train-setup run test test-1thread bench gpu lint screenshot clean package package-setup package-test debian-deps

# Debian/Ubuntu packages voice uses at run time: PortAudio for the microphone and speaker, espeak-ng for the
# fallback voice. Hearth starts without them (voice then says what is missing).
DEBIAN_PACKAGES := libportaudio2 espeak-ng

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

# The training extra only (torch, peft, transformers), for `hearth adapters train`; `make setup` installs
# it with the test extra anyway.
train-setup: setup
	$(PIP) install --quiet -e ".[train]"

run: setup
	$(VENV)/bin/hearth

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

# The model-dependent tests again with 1 thread: another floating-point order, as on another CPU.
test-1thread: setup
	HEARTH_TEST_THREADS=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m model

bench: setup
	$(VENV)/bin/hearth bench engine
	QT_QPA_PLATFORM=offscreen $(PY) tests/bench/gui_stall.py

# Rebuild llama-cpp-python with CUDA for an NVIDIA GPU (needs the CUDA toolkit's nvcc; about 5 minutes on
# 16 cores). --no-cache-dir and --no-binary keep pip from reusing the CPU wheel in its cache.
# CUDA_ARCH=90 builds for one architecture only (Hopper), which is much faster to compile.
CUDA_ARCH ?=
gpu: setup
	CMAKE_ARGS="-DGGML_CUDA=on $(if $(CUDA_ARCH),-DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCH))" \
		$(PIP) install --force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python $(LLAMA_CPP)
	$(PY) -c "import llama_cpp, sys; ok = llama_cpp.llama_supports_gpu_offload(); print('GPU offload:', ok); sys.exit(0 if ok else 1)"

# The codebase held to its own rules: ruff (pinned in pyproject) and mypy on core/ and app/.
lint: setup
	$(VENV)/bin/ruff check core app tests
	$(VENV)/bin/ruff format --check core app tests
	$(VENV)/bin/mypy

screenshot: setup
	xvfb-run -a -s "-screen 0 1200x760x24" $(PY) docs/make_screenshot.py docs/main-window.png

# The desktop app: a PyInstaller one-folder bundle, a .deb (dpkg-deb) and a .tar.gz with an install script,
# all under build/package/ (docs/packaging.md). It takes many minutes and a few GB of disk: niced.
package-setup: setup
	$(PIP) install --quiet -e ".[package]"
	$(VENV)/bin/hearth models convert --install-converter

package: package-setup
	nice -n 10 $(PY) packaging/build.py

# Builds all of it, installs the .deb into a scratch root, runs the installed `hearth --self-test`, hands a
# second start over to the first, installs the .tar.gz into a scratch home, and uninstalls both.
# On success it records what was tested (.ci/packaging_hash.py): .ci/run runs it again only when packaging/ or
# the dependencies change.
package-test: package-setup
	QT_QPA_PLATFORM=offscreen nice -n 10 $(PY) -m pytest -m slow -p no:cacheprovider tests/packaging
	$(PY) .ci/packaging_hash.py --record

debian-deps:
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y $(DEBIAN_PACKAGES)

clean:
	rm -rf $(VENV) build *.egg-info
