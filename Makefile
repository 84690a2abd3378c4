# `make demo` and `make test` set up their own virtual environment (.venv) on a fresh machine.
# torch is pinned to the CPU build this project is developed and tested with; GPU users install
# their own torch build first (see README) and then `pip install -e .`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: demo test bench venv browser debs docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

# A second `make demo` resumes (and so keeps) the run already in runs/demo: --resume auto starts or continues.
demo: $(STAMP)
	$(BIN)/ganforge train --preset fashion32-cpu --out runs/demo --resume auto
	$(BIN)/ganforge sample runs/demo --class all --n 80 --seed 0 --out runs/demo/sheet.png
	@echo "demo sheet: runs/demo/sheet.png (one row per class); training sheets in runs/demo/samples/"

test: $(STAMP) browser debs
	$(BIN)/python -m pytest -q

# Debian's Chromium for the web demo's browser test; where apt-get is not allowed the test is skipped (reported).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }; }; } || \
	  echo "note: chromium could not be installed (needs root and apt-get); the browser test will be skipped"

# Debian packages some tests use: PostgreSQL (the sweep's shared-storage tests start their own server on
# loopback), the sources of the colour development sets (tools/build_colour_sets.py) and the full Fashion-MNIST
# (the MNIST-format reader's test). Where root and apt-get are not available those tests are skipped (reported).
TEST_DEBS := postgresql openclipart-png oxygen-icon-theme dataset-fashion-mnist
debs:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  [ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && apt-get install -y -qq $$missing >/dev/null; }; }; } || \
	  echo "note: $$missing could not be installed (needs root and apt-get); the tests that need them are skipped"

# The documentation site (MkDocs + Material + mkdocstrings), built strictly: a broken link or a missing reference
# fails. docs/results.md, the README's family table and docs/reference/config.md are rendered first.
docs: $(STAMP)
	$(BIN)/python tools/render_docs.py
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/ganforge bench train --preset fashion32-cpu --precision fp32,bf16 --channels-last

clean:
	rm -rf $(VENV) runs site .pytest_cache
