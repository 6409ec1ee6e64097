# The two commands a fresh machine needs: `make demo` and `make test`.
# Both create .venv and install what they need themselves.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1/test

.PHONY: demo test venv dev-venv lint bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## demo: replay the bundled archive into a fresh store, run the pipeline, write the digest
demo: $(VENV)/.installed
	$(BIN)/monitor demo

## test: the whole test suite (store tests also against PostgreSQL when 127.0.0.1:5432 answers)
test: $(VENV)/.installed-dev chromium
	@if $(BIN)/python -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: store tests run against it too"; \
		MONITOR_TEST_PG_URL=$${MONITOR_TEST_PG_URL:-$(PG_URL)} $(BIN)/python -m pytest -q; \
	else \
		echo "no PostgreSQL on 127.0.0.1:5432: store tests run on SQLite only"; \
		$(BIN)/python -m pytest -q; \
	fi

## chromium: the browser the digest's rendering tests use (Debian's package, as root);
## without it those tests skip and say so
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the digest rendering tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "chromium could not be installed: the browser tests will skip"; \
	else echo "no chromium and not root: the browser tests will skip (apt-get install chromium)"; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check monitor tests benchmarks

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/differ_eval.py

clean:
	rm -rf $(VENV) .pytest_cache
