# retirelink — the commands a new user needs (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PERSONS ?= 20000
ARCHIVES ?= 40

.PHONY: setup run test check coverage bench clean

$(BIN)/retirelink $(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,ocr]'
	touch $(VENV)/.installed

setup: $(VENV)/.installed

## make run: SQLite database under ./var, demo district loaded, server on http://127.0.0.1:8000
run: setup
	$(BIN)/retirelink db upgrade
	$(BIN)/retirelink demo load --persons $(PERSONS) --archives $(ARCHIVES) --if-empty
	$(BIN)/retirelink serve --partners

## make test: the whole suite (SQLite unless RETIRELINK_DATABASE_URL points elsewhere)
test: setup
	scripts/test

## make check: lint, format, types, import layers, migration drift, then the tests
check: setup
	scripts/check
	scripts/test

coverage: setup
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage report

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
