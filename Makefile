# `make lab` (set up, open the course) and `make test` (set up, run every test) are all a learner needs.
# Both create .venv on first use and install the exact versions of requirements/*.lock; they reinstall
# only when a lock file changes. Nothing here needs root.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
HOST     ?= 127.0.0.1
PORT     ?= 8888
# The Colab-versions run (tests/colab_versions.txt): a second environment with Colab's Python and packages.
COLAB_PYTHON ?= python3.13
COLAB_VENV   ?= .venv-colab
# Test runs record results and checkpoints under build/, never in the committed results/.
TEST_ENV := COURSE_STATIC_WIDGETS=1 COURSE_CHECKPOINT_DIR=build/test-checkpoints
GPU_SWITCHES := COURSE_MIXED_PRECISION=on COURSE_XLA=on

.PHONY: help lab test test-full-profile test-gpu-switches test-colab notebooks run readme lint lock clean

help:
	@echo "make lab                set up (first time only) and open the course in JupyterLab"
	@echo "make test               set up (first time only) and run the unit tests and every notebook under nbval"
	@echo "make test-full-profile  the full profile of every notebook, at toy size on local fixtures"
	@echo "make test-gpu-switches  every notebook under nbval with $(GPU_SWITCHES)"
	@echo "make test-colab         every notebook under nbval with Colab's versions and the GPU switches"
	@echo "make notebooks          re-execute every notebook in place (outputs, results/), then the README tables"
	@echo "make run                execute every notebook into build/run/ with a summary; commits nothing"
	@echo "make lint | readme | lock | clean"

# A venv from $(PYTHON); its own interpreter must be one that the lock files cover.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }

$(VENV)/.python-checked: $(BIN)/python
	@$(BIN)/python -c 'import sys; v = sys.version_info[:3]; sys.exit(0 if (3, 11, 5) <= v < (3, 14) else "$(VENV) has Python %d.%d.%d; the course needs 3.11.5 to 3.13 (TensorFlow wheels). Remove $(VENV) and run make PYTHON=python3.12 (or another such Python)." % v)'
	@touch $@

$(VENV)/.lab-installed: requirements/lab.lock $(VENV)/.python-checked
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/lab.lock
	@touch $@

$(VENV)/.test-installed: requirements/test.lock $(VENV)/.python-checked
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/test.lock
	@touch $@

$(COLAB_VENV)/.installed: requirements/colab.lock
	@$(COLAB_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "tests/colab_versions.txt needs Python 3.13")' \
		|| { echo "Set COLAB_PYTHON to a Python 3.13 interpreter (e.g. COLAB_PYTHON=~/.pyenv/versions/3.13.0/bin/python3.13)"; exit 1; }
	test -x $(COLAB_VENV)/bin/python || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-deps -r requirements/colab.lock
	@touch $@

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=$(HOST) --port=$(PORT) --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(VENV)/.test-installed
	$(TEST_ENV) COURSE_RESULTS_DIR=build/test-results $(BIN)/python -m pytest

test-full-profile: $(VENV)/.test-installed
	$(TEST_ENV) COURSE_RESULTS_DIR=build/full-profile-results $(BIN)/python -m pytest -m full_profile tests

test-gpu-switches: $(VENV)/.test-installed
	$(TEST_ENV) $(GPU_SWITCHES) COURSE_RESULTS_DIR=build/gpu-switch-results $(BIN)/python -m pytest notebooks

test-colab: $(COLAB_VENV)/.installed
	$(TEST_ENV) $(GPU_SWITCHES) COURSE_RESULTS_DIR=build/colab-results $(COLAB_VENV)/bin/python -m pytest notebooks

notebooks: $(VENV)/.lab-installed
	$(BIN)/python -m utils.runner
	$(BIN)/python -m utils.readme

run: $(VENV)/.lab-installed
	$(BIN)/python -m utils.runner --out build/run

readme: $(VENV)/.lab-installed
	$(BIN)/python -m utils.readme

lint: $(VENV)/.test-installed
	$(BIN)/ruff check utils tests notebooks

# Regenerate the lock files after a change to pyproject.toml or tests/colab_versions.txt (needs uv:
# `pip install uv`). uv keeps every version already in a lock file unless the change requires another.
UV ?= uv
lock:
	$(UV) pip compile pyproject.toml --extra lab --universal --python-version 3.11.5 -o requirements/lab.lock -q
	$(UV) pip compile pyproject.toml --extra lab --extra test --universal --python-version 3.11.5 -o requirements/test.lock -q
	grep -E '"(nbval|pytest)==' pyproject.toml | tr -d ' ",' | $(UV) pip compile pyproject.toml - \
		--override tests/colab_versions.txt --python-version 3.13 --python-platform x86_64-manylinux_2_28 \
		-o requirements/colab.lock -q

clean:
	rm -rf build .pytest_cache tests/artifacts
