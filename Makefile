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

# The SQLite and the PostgreSQL pass run side by side, one per core (they share no database, port or file, see
# tests/conftest.py). Each pass's output is printed whole when it ends (-O); `make test` fails if either fails.
# One pass alone: `make test-sqlite` or `make test-postgres`. Extra pytest arguments go in PYTEST_ARGS, e.g.
# `make test-sqlite PYTEST_ARGS='-m "not slow"'` to leave out, locally, the tests marked slow (the schema fuzzer,
# real processes, retraining, the 100 MiB attachments): the other ~1,030 in about a quarter of the time.
PYTEST_ARGS ?=

test: $(STAMP)
	@echo "make test: the SQLite and PostgreSQL passes run side by side; each one's output follows when it ends"
	@$(MAKE) --no-print-directory -j2 -Otarget test-sqlite test-postgres

test-sqlite: $(STAMP)
	TRIPDESK_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	TRIPDESK_TEST_DB=postgres TRIPDESK_TEST_PG_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

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
