# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The workbench's front end: bpmn-js from the npm registry (frontend/package-lock.json), copied
# into the Flask app's static files by frontend/build.mjs.
WEB_STAMP := api/web/static/build/.installed

.PHONY: run test lint install web bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(WEB_STAMP)

$(WEB_STAMP): frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	cd frontend && npm run --silent build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

run: $(STAMP) $(WEB_STAMP)
	$(BIN)/onething serve --demo-users --demo-registries

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy engine api forms
	$(BIN)/lint-imports

test: lint $(WEB_STAMP)
	$(BIN)/pytest -n 2 --dist worksteal

bench: $(STAMP)
	$(BIN)/python bench/engine_bench.py

clean:
	rm -rf $(VENV) instance *.egg-info frontend/node_modules api/web/static/build
