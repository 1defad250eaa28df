# The two commands a newcomer needs: `make run` and `make test` (both install first when needed).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := contracts svckit catalog-svc storage-svc lineage-svc scoring-svc webhook-svc gateway ui stack client
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install run run-cluster test lint typecheck check bench clean

install: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	scripts/ensure-system-packages.sh
	touch $(STAMP)

run: install
	$(BIN)/python -m stack

run-cluster: install
	$(BIN)/python -m stack --cluster

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy $(addsuffix /src,$(PACKAGES)) tests bench

test: lint typecheck
	$(BIN)/pytest

check: test

bench: install
	$(BIN)/python -m bench.hotpath
	$(BIN)/python -m bench
	$(BIN)/python -m bench.lineage_run
	$(BIN)/python -m bench.scoring_run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
