PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	$(BIN)/buscheck audit sample_feeds/sample_city/gtfs.zip \
	  --built-up sample_feeds/sample_city/built_up.geojson \
	  --city "示例市" --profile sample_feeds/sample_city/profile.toml \
	  --districts sample_feeds/sample_city/districts.geojson \
	  --hubs sample_feeds/sample_city/hubs.csv --facilities sample_feeds/sample_city/facilities.csv \
	  --out demo_out; status=$$?; \
	  if [ $$status -le 1 ]; then \
	    echo "buscheck exit status $$status (0: no rule fails, 1: some rule fails); result files in demo_out/"; \
	  else exit $$status; fi

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench.run

lint: setup
	$(BIN)/ruff check checker tests bench sample_feeds

clean:
	rm -rf $(VENV) demo_out .pytest_cache
