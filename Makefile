# The one command surface of crimestats. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(abspath $(BIN)):$(PATH)

# Stamp files: a step runs again only when what it depends on changed, so a warm `make demo` neither
# rebuilds nor asks pip anything. The Python sources need no stamp: `maturin develop` installs them
# in place (editable), only the Rust extension is built.
STAMPS := $(VENV)/.stamps
RUST_SOURCES := Cargo.toml Cargo.lock $(shell find src -name '*.rs')
SHARED := ../shared
# The Pythons the wheel is installed into for `make wheel-test` (each in a fresh virtualenv).
WHEEL_PYTHONS ?= /root/.pyenv/versions/3.10.13/bin/python3.10 /root/.pyenv/versions/3.13.0/bin/python3.13

.PHONY: help demo test lint fmt dev rust-test py-test wheel sdist wheel-test shared bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMPS)/venv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2"
	mkdir -p $(STAMPS) && touch $@

# The extension (release build) with the core dependencies only: all that the story needs. A stale
# extension built for another ABI (_core.cpython-3XX-*.so) would shadow the abi3 one, so it goes
# first. pip's and maturin's messages go to build.log, shown if the build fails.
$(STAMPS)/core: $(STAMPS)/venv $(RUST_SOURCES) pyproject.toml
	@echo "Building the Rust extension and installing it into $(VENV) (minutes the first time)"
	rm -f python/crimestats/_core*.so
	@$(BIN)/maturin develop --release --quiet > $(STAMPS)/build.log 2>&1 \
		|| { cat $(STAMPS)/build.log; exit 1; }
	touch $@

# The development extras (test, lint, notebook and peer packages), read from pyproject.toml (with
# tomllib, or on Python 3.10 the copy of tomli that pip carries).
define DEV_EXTRAS
try:
    import tomllib
except ImportError:
    from pip._vendor import tomli as tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["dev"]))
endef
export DEV_EXTRAS

$(STAMPS)/dev: $(STAMPS)/core pyproject.toml
	$(BIN)/python -c "$$DEV_EXTRAS" > $(STAMPS)/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(STAMPS)/dev.txt
	touch $@

dev: $(STAMPS)/dev ## build the Rust extension (release) and install it with its dev extras into .venv

demo: $(STAMPS)/core ## run the founding report on the embedded example data (installs only what it needs)
	@$(BIN)/crimestats story

shared: ## check that ../shared (reference values, real ONS tables) is beside the checkout
	@if [ -d $(SHARED)/data ] && [ -d $(SHARED)/reference ]; then :; \
	elif [ "$${CRIMESTATS_SKIP_SHARED:-0}" = 1 ]; then \
		echo "make test: $(abspath $(SHARED)) is absent; CRIMESTATS_SKIP_SHARED=1, so the tests that read it are skipped"; \
	else \
		echo "make test: $(abspath $(SHARED)) is not beside this checkout, and most tests read the reference" >&2; \
		echo "values and ONS tables in it. Put it there (ln -s /path/to/shared $(abspath $(SHARED))), or run" >&2; \
		echo "CRIMESTATS_SKIP_SHARED=1 make test to skip those tests." >&2; \
		exit 1; \
	fi

rust-test: $(STAMPS)/venv ## cargo test of the numeric core
	cargo test --quiet

py-test: $(STAMPS)/dev shared ## pytest (the summary lists every failure, error and skip, and why)
	$(BIN)/python -m pytest -q -rfEs

lint: $(STAMPS)/dev ## rustfmt, clippy, ruff, mypy and the stub check
	cargo fmt --check
	cargo clippy --quiet --all-targets -- -D warnings
	$(BIN)/ruff check python tests bench fuzz examples
	$(BIN)/ruff format --check python tests bench fuzz examples
	$(BIN)/mypy
	$(BIN)/mypy --strict examples/stalking_report.py
	$(BIN)/python -m mypy.stubtest crimestats._core

test: shared rust-test py-test wheel-test lint ## every test: cargo test, pytest, the wheel in fresh virtualenvs, then the lints

$(STAMPS)/zig: $(STAMPS)/venv
	$(BIN)/pip install --quiet --disable-pip-version-check "ziglang>=0.13"
	touch $@

# One abi3 wheel for CPython 3.10 and later, linked by zig against glibc 2.28 (manylinux_2_28), so
# it installs on any Linux of the last years without a Rust toolchain. Built again only when a
# source that goes into it changed.
WHEEL_INPUTS := $(RUST_SOURCES) pyproject.toml README.md \
	$(shell find python -type f -not -name '*.so' -not -path '*/__pycache__/*')
dist/.built: $(STAMPS)/zig $(WHEEL_INPUTS)
	rm -f dist/crimestats-*
	$(BIN)/maturin build --release --quiet --zig --compatibility manylinux_2_28 --out dist
	$(BIN)/maturin sdist --out dist
	touch $@

wheel: dist/.built ## build the abi3 manylinux_2_28 wheel and the sdist into dist/
	@ls dist/crimestats-*

wheel-test: wheel ## install the wheel into fresh Python 3.10 and 3.13 virtualenvs, no Rust on PATH, and use it
	@for python in $(WHEEL_PYTHONS); do \
		test -x $$python || { echo "wheel-test: $$python is not installed (WHEEL_PYTHONS names the Pythons)" >&2; exit 1; }; \
	done
	@failed=0; for python in $(WHEEL_PYTHONS); do \
		venv=target/wheel-test/$$(basename $$python); rm -rf $$venv; \
		env -u VIRTUAL_ENV PATH=/usr/bin:/bin $$python -m venv $$venv && \
		env -u VIRTUAL_ENV PATH=$$venv/bin:/usr/bin:/bin $$venv/bin/pip install --quiet \
			--disable-pip-version-check --only-binary :all: dist/crimestats-*.whl polars pyarrow && \
		env -u VIRTUAL_ENV PATH=$$venv/bin:/usr/bin:/bin CRIMESTATS_SHARED=$(abspath $(SHARED)) \
			$$venv/bin/python tests/installed_wheel.py || failed=1; \
	done; exit $$failed

fmt: $(STAMPS)/dev ## format Rust and Python in place
	cargo fmt
	$(BIN)/ruff format python tests bench fuzz examples
	$(BIN)/ruff check --fix python tests bench fuzz examples

# svy, the survey peer of bench/survey.py, is installed for the benchmarks only (it is no test's
# dependency). R `survey` is timed too where Rscript and the package are installed.
$(STAMPS)/bench: $(STAMPS)/dev
	$(BIN)/pip install --quiet --disable-pip-version-check "svy>=0.35"
	touch $@

bench: $(STAMPS)/bench ## side-by-side timings against scipy, statsmodels, svy (and R survey where installed)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script; done

fuzz: $(STAMPS)/dev ## fuzz the ONS readers for a few minutes (crashes are written to fuzz/crashes)
	mkdir -p fuzz/crashes
	cd fuzz/crashes && ../../$(BIN)/python ../fuzz_ons.py -max_total_time=300

clean: ## remove build products and the virtualenv
	rm -rf target dist $(VENV) python/crimestats/*.so
