# The two commands a new user needs: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres eval lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tripdesk serve --first-start

test: $(STAMP)
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: $(STAMP)
	TRIPDESK_TEST_DB=sqlite $(BIN)/pytest

test-postgres: $(STAMP)
	TRIPDESK_TEST_DB=postgres TRIPDESK_TEST_PG_URL=$(PG_TEST_URL) $(BIN)/pytest

eval: $(STAMP)
	$(BIN)/tripdesk classify --eval support/classification/eval/frozen_written.jsonl \
		--eval support/classification/eval/innocent_mentions.jsonl --eval support/classification/corpus/heldout.jsonl

lint: $(STAMP)
	$(BIN)/ruff check core tripdesk support billing invoices notifications tests bench
	$(BIN)/ruff format --check core tripdesk support billing invoices notifications tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q tests/test_architecture.py

clean:
	rm -rf $(VENV) var .pytest_cache
