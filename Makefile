# Two entry points: `make demo` and `make test`. Both create .venv (marimo from PyPI) first.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
HEXA := target/debug/hexa
export PIP_CACHE_DIR := $(CURDIR)/.cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test venv build fmt-check clippy rust-test python-test mermaid-test test-editors clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

build: venv
	cargo build

demo: build
	@mkdir -p notebooks
	$(HEXA) generate examples/fizzbuzz.mmd -o notebooks/fizzbuzz.py --force
	@echo "--- running notebooks/fizzbuzz.py in-process with n=15"
	$(HEXA) run notebooks/fizzbuzz.py --set n=15
	@echo "---"
	@echo "Notebook: $(CURDIR)/notebooks/fizzbuzz.py"
	@echo "Open it:  $(VENV)/bin/marimo edit notebooks/fizzbuzz.py"

fmt-check:
	cargo fmt --all --check

clippy: venv
	cargo clippy --workspace --all-targets -- -D warnings

rust-test: venv
	cargo test --workspace

python-test: build
	$(VPY) -m pytest -q tests/python

# hexa's parser against mermaid.js 11.17.2 (pinned in tests/mermaid) on every fixture chart.
mermaid-test: build
	npm_config_cache=$(CURDIR)/.cache/npm npm ci --prefix tests/mermaid --no-audit --no-fund
	$(PYTHON) tests/mermaid/compare.py --hexa $(HEXA) flowchart/tests/fixtures/parse

test: venv fmt-check clippy rust-test python-test mermaid-test test-editors

# The editor clients against target/debug/hexa: the VS Code extension in code-server 4.100.3
# with headless Chromium (both installed on first use), and the Neovim plugin headless.
test-editors: build
	tests/editors/nvim/run.sh
	tests/editors/vscode/run.sh

clean:
	cargo clean
	rm -rf $(VENV) notebooks
