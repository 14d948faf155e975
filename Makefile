# Two commands set everything up on a fresh clone: `make demo` and `make test`.
# Both create the virtual environment themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_PIN := torch==2.13.0

SYSTEM_STAMP := $(VENV)/.system-deps

.PHONY: venv system-deps demo test test-slow lint format clean

venv: $(STAMP)

# System packages: EGL + Mesa for the offscreen renderer (llvmpipe on CPU-only machines),
# Chromium + chromedriver for the pavilion's browser test. Installed with apt-get when
# running as root; otherwise a note says what is missing (the renderer and browser
# tests then skip with that reason).
system-deps: $(SYSTEM_STAMP)

$(SYSTEM_STAMP):
	@mkdir -p $(VENV)
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q 'libEGL.so.1' || missing="$$missing libegl1 libgl1-mesa-dri"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing system packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "note: could not install$$missing; the tests that need them will be skipped"; \
	else echo "note: missing system packages:$$missing (apt-get install$$missing)"; fi
	@touch $@

# torch goes in first, pinned: the local CPU build. A bare torch requirement would
# pull several GB of CUDA packages.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH_PIN)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/heritage demo --out demo-out

test: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

test-slow: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/python -m pytest -m slow -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
