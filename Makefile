# Two commands matter:  `make lab` (set up, open the course)  and  `make test` (set up, run every test).
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8888
CHROMIUM ?= /usr/bin/chromium

.PHONY: lab test notebooks run readme lint install system-packages clean help

help:
	@echo "make lab        set up (first time only) and open the course in JupyterLab"
	@echo "make test       set up (first time only) and run unit tests + every notebook under nbval"
	@echo "make notebooks  re-execute every notebook in place (refreshes outputs and results/)"
	@echo "make run        run every notebook headless into build/course-run/ with a summary (summary.html)"
	@echo "make readme     regenerate the README tables from results/"
	@echo "make lint       ruff over utils/ and tests/"

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "Python 3.11-3.13 is needed (TensorFlow 2.21 has wheels for those); found %d.%d" % v)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# Debian's Chromium, for the browser test (Playwright drives it; browser downloads are not possible offline).
system-packages: $(CHROMIUM)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Chromium is missing at $(CHROMIUM); install it with your package manager."; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=$(HOST) --port=$(PORT) --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

test: install system-packages
	COURSE_STATIC_WIDGETS=1 COURSE_RESULTS_DIR=build/test-results $(BIN)/python -m pytest

notebooks: install
	$(BIN)/python -m utils.runner --in-place
	$(BIN)/python -m utils.readme

run: install
	$(BIN)/python -m utils.runner --summary build/course-run

readme: install
	$(BIN)/python -m utils.readme

lint: install
	$(BIN)/ruff check utils tests

clean:
	rm -rf build .pytest_cache tests/artifacts
