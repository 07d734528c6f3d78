# Two commands on a fresh machine: `make run` (install, build the database, start the
# dashboard on http://localhost:8501) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run install init test test-fast browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m ensurepip --upgrade
	command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	uv venv --quiet --python $(PYTHON) $(VENV) || $(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	uv pip install --quiet --python $(BIN)/python -e '.[dev]' || $(BIN)/python -m pip install --quiet -e '.[dev]'

init: install
	$(BIN)/pcaet init

run: init
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

browser-deps:
	bash scripts/ensure-chromium.sh

test: install browser-deps
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not browser"

bench: install
	$(BIN)/python benchmarks/bench_scoring.py

clean:
	rm -rf $(VENV) data .pytest_cache
