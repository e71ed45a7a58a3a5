# The one command surface of crimestats. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help demo test lint fmt dev rust-test py-test bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/maturin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "maturin>=1.9.4,<2"
	touch $@

dev: $(BIN)/maturin ## build the Rust extension (release) and install it with its dev extras into .venv
	$(BIN)/maturin develop --release --quiet --extras dev

demo: dev ## run the founding report on the embedded example data
	$(BIN)/crimestats story

rust-test: $(BIN)/maturin ## cargo test of the numeric core
	cargo test --quiet

py-test: dev ## pytest
	$(BIN)/python -m pytest -q

lint: dev ## rustfmt, clippy, ruff, mypy and the stub check
	cargo fmt --check
	cargo clippy --quiet --all-targets -- -D warnings
	$(BIN)/ruff check python tests bench fuzz examples
	$(BIN)/ruff format --check python tests bench fuzz examples
	$(BIN)/mypy
	$(BIN)/mypy --strict examples/stalking_report.py
	$(BIN)/python -m mypy.stubtest crimestats._core

test: rust-test py-test lint ## every test: cargo test, pytest, then the lints

fmt: dev ## format Rust and Python in place
	cargo fmt
	$(BIN)/ruff format python tests bench fuzz examples
	$(BIN)/ruff check --fix python tests bench fuzz examples

bench: dev ## side-by-side timings against scipy, statsmodels and svy
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script; done

fuzz: dev ## fuzz the ONS readers for a few minutes (crashes are written to fuzz/crashes)
	mkdir -p fuzz/crashes
	cd fuzz/crashes && ../../$(BIN)/python ../fuzz_ons.py -max_total_time=300

clean: ## remove build products and the virtualenv
	rm -rf target $(VENV) python/crimestats/*.so
