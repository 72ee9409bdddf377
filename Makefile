# The filing portal. `make run` serves it on http://127.0.0.1:8000; `make test` runs every test.
# With DATABASE_URL / REDIS_URL set both use PostgreSQL and Redis; without, SQLite and a
# filesystem broker under ./data.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-stamp
JOBS ?= auto
DATA_DIR := $(or $(FILING_PORTAL_DATA_DIR),data)
export FILING_PORTAL_DATA_DIR := $(abspath $(DATA_DIR))

.PHONY: install sysdeps run test lint messages check audit bench clean

# Debian packages the portal needs: the Kai font embedded in certificate PDFs (CERT-04) and
# chromium for the browser tests. Installed when missing and we may (root with apt-get).
SYSDEPS_STAMP := $(VENV)/.sysdeps-stamp
$(SYSDEPS_STAMP):
	@mkdir -p $(VENV)
	@missing=""; \
	  [ -f /usr/share/fonts/truetype/arphic/ukai.ttc ] || missing="$$missing fonts-arphic-ukai"; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "WARNING: please install$$missing (Debian packages); PDF and browser tests need them"; fi; \
	  fi
	@touch $(SYSDEPS_STAMP)

# axe-core for the accessibility browser tests, pinned in tools/axe/package-lock.json (from the npm registry).
AXE_DIR := tools/axe
$(AXE_DIR)/node_modules: | $(SYSDEPS_STAMP)
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix $(AXE_DIR) --no-audit --no-fund; \
	  else echo "WARNING: please install npm (Debian package); the accessibility browser tests need it"; fi

sysdeps: $(SYSDEPS_STAMP) $(AXE_DIR)/node_modules

$(STAMP): pyproject.toml requirements.lock
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install sysdeps
	mkdir -p $(DATA_DIR)/celery/queue $(DATA_DIR)/celery/processed $(DATA_DIR)/celery/results \
		$(DATA_DIR)/celery/control $(DATA_DIR)/media
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	$(MANAGE) seed_demo
	bash scripts/run_local.sh

test: install sysdeps
	DJANGO_SETTINGS_MODULE=filing_portal.settings.test $(BIN)/python -m pytest -n $(JOBS) -q

lint: install
	$(BIN)/ruff check .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Security checks (docs/CHECKS.md): bandit fails on HIGH only and prints the rest; pip-audit needs the
# network and skips the waivers in deploy/pip-audit-waivers.txt. tests/deploy/test_static_checks.py runs both.
audit: install
	$(BIN)/bandit -c pyproject.toml -r . -q --exit-zero
	$(BIN)/bandit -c pyproject.toml -r . -q --severity-level high
	$(BIN)/pip-audit -r requirements.lock --no-deps --disable-pip --progress-spinner off \
		$$(grep -v '^[[:space:]]*#' deploy/pip-audit-waivers.txt | awk 'NF {print "--ignore-vuln", $$1}')

# Regenerate the catalogue after changing UI strings (needs GNU gettext), then translate the .po file.
messages: install
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=data --ignore=tests
	$(MANAGE) compilemessages -l zh_Hans

# Every benchmark on the current database (DATABASE_URL, default filing_scale from `manage.py seed_scale`):
# bench/results/latest.json and latest.md (docs/PERFORMANCE.md). BENCH_ARGS="--quick" for a smoke test.
bench: install
	BENCH_PYTHON=$(abspath $(BIN))/python bench/run $(BENCH_ARGS)

clean:
	rm -rf $(DATA_DIR)
