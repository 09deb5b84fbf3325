# congdichvu — everything from a fresh machine with nothing but Python.
#   make run    set up, migrate, load the demo catalogue (and, the first time, a
#               generated quarter of dossiers for the statistics), serve on :6543
#   make test   set up and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INI ?= development.ini
# PasteDeploy reads ini files in the locale's encoding; ours are UTF-8.
export PYTHONUTF8 := 1
# Pyramid 2.1 and Deform 3 import pkg_resources (hence setuptools<81).
export PYTHONWARNINGS := ignore:pkg_resources is deprecated:UserWarning

.PHONY: run test setup db i18n compile-translations clean browser-deps bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 'setuptools<81' wheel

# reinstall when the project's declared dependencies change
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed compile-translations

compile-translations: $(VENV)/.installed
	@for domain in congdichvu deform colander; do \
	  $(BIN)/pybabel compile --statistics -d locales -D $$domain || exit 1; \
	done

db: setup
	$(BIN)/congdichvu-db upgrade $(INI)
	$(BIN)/congdichvu-catalog load-demo $(INI)
	$(BIN)/congdichvu-stats rebuild $(INI) --missing
	@# demo accounts only for the development settings
	@if [ "$(INI)" = "development.ini" ]; then $(BIN)/congdichvu-user demo $(INI); \
	  $(BIN)/congdichvu-eservices demo $(INI); \
	  $(BIN)/congdichvu-dossiers generate $(INI) --count 3000 --last-quarter --seed 2018 --if-empty; fi

run: db
	$(BIN)/pserve $(INI) http_host=127.0.0.1 http_port=6543 proxy_address=127.0.0.1

# PostgreSQL on the default address (where .ci/run finds it) adds the second
# database backend when the suite can connect to it as user postgres; a
# CONGDICHVU_TEST_POSTGRESQL_URL already set is used as it is.
test: setup
	@url="$${CONGDICHVU_TEST_POSTGRESQL_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	    url="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"; \
	    echo "make test: PostgreSQL answers on 127.0.0.1:5432; the suite runs on SQLite and PostgreSQL"; \
	  else \
	    echo "make test: no PostgreSQL to connect to on 127.0.0.1:5432 (user postgres); its tests will be skipped"; \
	  fi; \
	fi; \
	CONGDICHVU_TEST_POSTGRESQL_URL="$$url" $(BIN)/pytest $(PYTEST_ARGS)

# extract messages and merge them into every catalogue
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k _ -k ngettext:1,2 \
	  --project=congdichvu --copyright-holder=congdichvu -o locales/congdichvu.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --no-wrap -D congdichvu -i locales/congdichvu.pot -d locales

bench: setup
	$(BIN)/python benchmarks/page_throughput.py
	$(BIN)/python benchmarks/search_quality.py
	$(BIN)/python benchmarks/search_speed.py
	$(BIN)/python benchmarks/submission.py
	$(BIN)/python benchmarks/import_speed.py
	@# 2,000, 8,000 and 16,000 procedures: import, index build, search p95, a web process's memory (about an hour here)
	$(BIN)/python benchmarks/catalog_scale.py
	$(BIN)/python benchmarks/desk.py
	$(BIN)/python benchmarks/payments_ipn.py
	@# generates 100,000 dossiers once (about an hour here; the database is kept), copies them to 1,000,000
	$(BIN)/python benchmarks/stats_speed.py --counts 100000 --replicate 10
	$(BIN)/python benchmarks/generate.py

clean:
	rm -rf $(VENV) var .pytest_cache
	find locales -name '*.mo' -delete
