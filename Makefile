# huiqi — two commands: `make demo` runs the platform on demo data, `make test` runs every test.
# Needs only Python >= 3.11 and make; everything else is installed into .venv (`make demo`
# installs only what serving needs; `make test` adds the development tools: Spark,
# Playwright, OpenFisca …).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
SERVE_STAMP := $(VENV)/.installed-serve

# the database `huiqi init-demo` and `huiqi serve` use by default (HUIQI_DATABASE_URL)
DEMO_DB := var/huiqi.db

.PHONY: demo test lint typecheck unit bench clean install screenshots

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "huiqi needs Python >= 3.11 (python3.11 or newer on PATH)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(SERVE_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "huiqi needs Python >= 3.11 (python3.11 or newer on PATH)"; exit 1)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(SERVE_STAMP)

install: $(STAMP)

# The platform on the demo database (var/huiqi.db, as `huiqi init-demo` and `huiqi serve`):
# created the first time (packs published, a generated park matched, one account per role
# whose password is printed this once), then served at http://127.0.0.1:8000/ (HUIQI_PORT).
# An interrupted first run leaves no database behind: the next run creates it again.
demo: $(SERVE_STAMP)
	@if test -f $(DEMO_DB); then echo "演示账号的密码只在创建 $(DEMO_DB) 时显示过一次;忘记时:$(BIN)/huiqi admin reset demo_admin --generate / the demo passwords were shown once, when $(DEMO_DB) was made; forgotten: $(BIN)/huiqi admin reset demo_admin --generate"; else $(BIN)/huiqi init-demo; fi
	$(BIN)/huiqi serve

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python -m bench.engine

screenshots: $(STAMP)
	HUIQI_SCREENSHOTS=docs/screenshots HUIQI_REQUIRE_BROWSER=1 $(BIN)/pytest -q tests/web/test_browser.py tests/web/test_phone.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
