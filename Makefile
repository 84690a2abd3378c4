# `make demo` and `make test` set up their own virtual environment (.venv) on a fresh machine.
# torch is pinned to the CPU build this project is developed and tested with; GPU users install
# their own torch build first (see README) and then `pip install -e .`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed

.PHONY: demo test bench venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

# A second `make demo` resumes (and so keeps) the run already in runs/demo.
demo: $(STAMP)
	$(BIN)/ganforge train --preset fashion32-cpu --out runs/demo $$(test -f runs/demo/config.yaml && echo --resume)
	$(BIN)/ganforge sample runs/demo --class all --n 80 --seed 0 --out runs/demo/sheet.png
	@echo "demo sheet: runs/demo/sheet.png (one row per class); training sheets in runs/demo/samples/"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/train_step.py --preset fashion32-cpu

clean:
	rm -rf $(VENV) runs .pytest_cache
