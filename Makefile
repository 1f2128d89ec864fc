# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-standard differential bench lint schema messages clean lock

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/gateway serve --migrate --demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The whole suite with compiled reads off: every answer from graphql-core and the DataLoaders.
test-standard: $(STAMP)
	GATEWAY_TEST_COMPILED_READS=off $(BIN)/python -m pytest

# The compiled read path against the standard one, on many more generated queries than `make test` asks.
differential: $(STAMP)
	GATEWAY_DIFFERENTIAL_EXAMPLES=5000 $(BIN)/python -m pytest -q --timeout=0 tests/test_compiled_reads.py

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: $(STAMP)
	$(BIN)/gateway schema > schema.graphql

# New message templates into the Italian catalog (empty translations, for a translator to fill in).
messages: $(STAMP)
	$(BIN)/python -m gateway.i18n.extract --update

clean:
	rm -rf $(VENV) .data/test-*

# The locks are generated, never edited: uv (https://docs.astral.sh/uv/) resolves pyproject.toml
# for every platform and Python from 3.11 and records each file's hash; installs use --require-hashes.
LOCK := uv pip compile --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock:
	@command -v uv >/dev/null || { echo "make lock needs uv on PATH (pipx install uv)"; exit 1; }
	$(LOCK) pyproject.toml -o requirements.lock
	$(LOCK) requirements-build.in -o requirements-build.lock
	$(LOCK) pyproject.toml requirements-build.in --extra dev -o requirements-dev.lock
