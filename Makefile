PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: setup
	@rm -rf demo_out/.buscheck-* 2>/dev/null; [ ! -d demo_out ] || [ -f demo_out/.buscheck-out ] || rm -rf demo_out  # 0.2.0 left it unmarked
	$(BIN)/buscheck audit sample_feeds/sample_city/gtfs.zip \
	  --built-up sample_feeds/sample_city/built_up.geojson \
	  --city "示例市" --profile sample_feeds/sample_city/profile.toml \
	  --districts sample_feeds/sample_city/districts.geojson \
	  --hubs sample_feeds/sample_city/hubs.csv --facilities sample_feeds/sample_city/facilities.csv --week \
	  --out demo_out; status=$$?; \
	  if [ $$status -le 1 ] || [ $$status -eq 4 ]; then \
	    echo "buscheck exit status $$status (0: every rule passes, 1: some rule fails, 4: incomplete); result files in demo_out/"; \
	  else exit $$status; fi

# The HTML report test renders in headless Chromium: Debian's package, installed here when missing
# (as root, or with sudo); elsewhere install chromium yourself, or that test skips outside CI.
browser:
	@{ command -v chromium && command -v pdfinfo; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  if command -v apt-get >/dev/null 2>&1; then \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	      --no-install-recommends chromium fonts-wqy-microhei poppler-utils >/dev/null; \
	  else echo "chromium not found and no apt-get: the HTML rendering test will skip"; fi; }

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.batch

# ruff everywhere; mypy strict on the shared records (model/), and on the stages whose types are clean so far
lint: setup
	$(BIN)/ruff check checker tests bench sample_feeds
	$(BIN)/mypy --strict checker/model
	$(BIN)/mypy --ignore-missing-imports --follow-imports=silent checker/judge checker/report checker/pipeline.py checker/api.py \
	  checker/inputs.py checker/cli.py checker/metrics/compute.py checker/metrics/route_kinds.py \
	  checker/batch/runner.py checker/faults.py checker/errors.py checker/__main__.py

clean:
	rm -rf $(VENV) demo_out .pytest_cache
