# `make run` and `make test` work on a fresh machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two pytest workers (each with its own database): the suite is mostly waiting on PostgreSQL.
PYTEST_ARGS ?= -n 2
export FLASK_APP := app:create_app
# `make run` (and its database setup) is the development server: debugger and development keys.
db run: export APP_ENV ?= development

.PHONY: run test db venv translations messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# The UI's source strings are French; app/translations holds the English catalog.
translations: venv
	$(BIN)/pybabel compile --statistics -d app/translations

messages: venv
	$(BIN)/pybabel extract --no-location -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -l en -i app/translations/messages.pot -d app/translations

db: translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask init-security
	$(BIN)/flask seed-data

run: db
	PORT=$(PORT) $(BIN)/python run.py

# The architecture contracts (.importlinter) first: a broken one fails the run before the tests.
test: translations
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance/boutique.db
