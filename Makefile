# ecoreport — the two commands of the README are `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ecoreport-installed
REGION ?= 24
YEAR   ?=
OUT    ?= reports
YEAR_ARG := $(if $(YEAR),--year $(YEAR),)

LAB_STAMP := $(VENV)/.ecoreport-lab-installed
# The Jupyter kernel the notebooks can be opened with in JupyterLab (make lab).
KERNEL := ecoreport

.PHONY: install system-deps test-system-deps report html test test-fast bench bench-all lock data clean lab lab-install browser-deps

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# JupyterLab with jupytext (MyST notebooks open as notebooks: right-click > Open With >
# Jupytext Notebook, the default for .md here) and the kernel "ecoreport" (this venv).
$(LAB_STAMP): requirements-lab.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (ecoreport)"
	mkdir -p $(VENV)/share/jupyter/lab/settings
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(LAB_STAMP)

lab-install: $(LAB_STAMP)

# Open the project (or LAB_DIR, e.g. a report folder) in JupyterLab.
LAB_DIR ?= .
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --notebook-dir=$(LAB_DIR) $(if $(filter 0,$(shell id -u)),--allow-root,)

# Debian packages for the PDF (xelatex and fonts; the charts need no browser); installed
# when run as root and missing, otherwise the script says exactly what to install.
system-deps:
	@bash scripts/system-deps.sh

# Debian packages only the tests need: poppler (PDF checks) and Chromium (browser and
# accessibility tests).
test-system-deps:
	@bash scripts/system-deps.sh --test

# npm packages of the accessibility test (axe-core, puppeteer-core on the system Chromium).
browser-deps:
	@bash tests/browser/install.sh

report: install system-deps
	$(BIN)/ecoreport build --region $(REGION) $(YEAR_ARG) --out $(OUT) --pdf
	@$(BIN)/ecoreport validate --coverage | tail -n 2

html: install
	$(BIN)/ecoreport build --region $(REGION) $(YEAR_ARG) --out $(OUT)

test: install system-deps test-system-deps browser-deps $(LAB_STAMP)
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q tests/unit

# Build times, sizes and memory beside the targets (benchmarks, not tests).
bench: install system-deps
	$(BIN)/python scripts/bench.py --region $(REGION) $(YEAR_ARG)

bench-all: install
	$(BIN)/python scripts/bench.py --all $(YEAR_ARG)

# Rebuild data/ from ../shared (the real files) and the seeded generator.
data: install
	$(BIN)/python scripts/build_dataset.py

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^ecoreport' | grep -v -x -F -f requirements-lab.txt > requirements.txt.new
	@{ echo "# Pinned dependencies of ecoreport (pip freeze of a working environment, Python 3.11)."; \
	   echo "# Regenerate: make lock"; cat requirements.txt.new; } > requirements.txt && rm requirements.txt.new
	$(BIN)/python scripts/write_environment.py

clean:
	rm -rf $(OUT) _build
