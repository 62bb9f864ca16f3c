# make book  - build the HTML book into _build/html
# make test  - run every test: lib, chapters (nbval), clean book build, browser, ruff,
#              on $(JOBS) processes (pytest-xdist; the chapters and the build run side by side)
# make test CHAPTER=momentum - one chapter: its notebook test, then a book of that chapter alone
# make lab   - JupyterLab with the .md chapters opening as notebooks
# The first target that needs it creates .venv from requirements.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
JOBS ?= 2
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: book test lab lint clean venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyterlab-settings.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going

test: $(STAMP)
ifdef CHAPTER
	$(BIN)/python -m pytest book/$(CHAPTER).md
	$(BIN)/python tests/book/build_chapter.py $(CHAPTER)
else
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --no-loadscope-reorder
endif

lint: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks scripts conftest.py

lab: $(STAMP)
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build
