# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs synth, runs it on the bundled demo corpus
#   make test   (installs if needed, then) runs the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synth-installed
DEMO := corpora/ogd-occitanie-2023/cartes.csv
# No model hub is reachable from our machines: fail fast instead of waiting on the network.
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1

.PHONY: install demo test bench clean

install: $(STAMP)

# torch first and pinned: that CPU build is the one sentence-transformers then accepts,
# instead of pulling a CUDA build of several GB.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/synth cluster $(DEMO) -o synth-out --title "Journée du réseau des OGD d'Occitanie, octobre 2023 (corpus illustratif)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/bench_quality.py

clean:
	rm -rf $(VENV) synth-out .pytest_cache
