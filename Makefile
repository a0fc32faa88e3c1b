# UnionHome: `make run` sets everything up and serves the demo union; `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup assets bench lint messages clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	npm run --silent build

setup: $(STAMP) assets
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0

run: setup
	$(BIN)/python manage.py demo --if-empty
	$(BIN)/python manage.py serve

test: $(STAMP) assets
	$(BIN)/python -m tests.run

bench: setup
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules var unionhome/static/dist
