# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp
# axe-core, the accessibility checker the browser test runs inside Chromium (npm package).
AXE = tests/axe/node_modules/axe-core/axe.min.js

.PHONY: run test lint fmt bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo edits the examples inside mou's own repository, whose remote is the code's, not
# an exchange of agreements: it pushes nothing after a save unless asked to.
run: $(STAMP)
	MOU_SYNC_AFTER_SAVE=$${MOU_SYNC_AFTER_SAVE:-0} $(BIN)/streamlit run app.py

$(AXE): tests/axe/package.json tests/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing: tests/test_browser_axe.py will skip (CI must have it)"; fi

test: $(STAMP) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info
