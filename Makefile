# huiqi — two commands: `make demo` runs the platform on demo data, `make test` runs every test.
# Needs only Python >= 3.11 and make; everything else is installed into .venv.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

DEMO_DB := var/demo.db
DEMO_LOGINS := var/demo-logins.txt

.PHONY: demo test lint typecheck unit bench clean install screenshots

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "huiqi needs Python >= 3.11 (python3.11 or newer on PATH)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The platform on the demo database: created (packs published, a generated park matched,
# one account per role) the first time, then served; the URL and the demo logins are printed.
# (`huiqi demo` still shows a few enterprises explained in the terminal.)
demo: $(STAMP)
	@test -f $(DEMO_DB) || $(BIN)/huiqi init-demo --database sqlite:///$(DEMO_DB) --logins $(DEMO_LOGINS)
	@cat $(DEMO_LOGINS) 2>/dev/null || echo "演示账号见首次创建时的输出 / the demo logins were shown when $(DEMO_DB) was created"
	$(BIN)/huiqi serve --database sqlite:///$(DEMO_DB)

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python -m bench.engine

screenshots: $(STAMP)
	HUIQI_SCREENSHOTS=docs/screenshots HUIQI_REQUIRE_BROWSER=1 $(BIN)/pytest -q tests/web/test_browser.py tests/web/test_phone.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
