# Two commands set everything up:  `make run`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Where the page listens: 127.0.0.1 (this machine only) or 0.0.0.0 (every
# network the host is on: a class's students reach it at http://HOST:PORT).
ADDRESS ?= 127.0.0.1
# Compile the engine's kernels into their disk cache (once; then a check).
WARM = $(PY) -c 'import kseg; print(f"kseg: kernels ready in {kseg.warm_up():.1f} s")'
APT := apt-get -o DPkg::Lock::Timeout=600 -q

.PHONY: run check test lint browser nginx parallel serve password service bench bench-highk bench-kernels bench-page bench-series bench-shapes bench-zip bench-picking bench-uploads bench-first bench-gc load cli clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(PY) -m pip install -q -r requirements-bench.txt
	touch $@

## Start the app on http://$(ADDRESS):$(PORT), showing a bundled sample photo.
run: $(VENV)/.runtime
	MALLOC_ARENA_MAX=2 $(PY) deploy/launch.py --server.address $(ADDRESS) --server.port $(PORT)

## Debian's Chromium for the browser tests (never `playwright install`).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    DEBIAN_FRONTEND=noninteractive $(APT) update && \
	    DEBIAN_FRONTEND=noninteractive $(APT) install -y chromium; \
	  else echo "chromium is missing; run: sudo apt-get install -y chromium"; fi; \
	fi
	@if [ "$${CI:-}" = true ] && [ ! -x /usr/bin/chromium ]; then \
	  echo "CI: /usr/bin/chromium is missing; browser tests cannot run." >&2; exit 1; fi

## Debian's nginx for `make serve` and its test (installed if missing, as root).
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's nginx..."; \
	    DEBIAN_FRONTEND=noninteractive $(APT) update && \
	    DEBIAN_FRONTEND=noninteractive $(APT) install -y --no-install-recommends nginx; \
	  else echo "nginx is missing; run: sudo apt-get install -y nginx"; fi; \
	fi
	@if [ "$${CI:-}" = true ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  echo "CI: nginx is missing; the proxy test cannot run." >&2; exit 1; fi

## GNU parallel for the batch recipe's test (installed if missing, as root).
parallel:
	@if ! command -v parallel >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's parallel..."; \
	    DEBIAN_FRONTEND=noninteractive $(APT) update && \
	    DEBIAN_FRONTEND=noninteractive $(APT) install -y --no-install-recommends parallel; \
	  else echo "parallel is missing; run: sudo apt-get install -y parallel"; fi; \
	fi
	@if [ "$${CI:-}" = true ] && ! command -v parallel >/dev/null; then \
	  echo "CI: GNU parallel is missing; the batch recipe's test cannot run." >&2; exit 1; fi

## REPLICAS Streamlit processes behind nginx on $(ADDRESS):$(PORT), sticky sessions
## (TLS_CERT and TLS_KEY: HTTPS; PASSWORD_FILE: a class password; docs/hosting.md).
REPLICAS ?= 2
serve: $(VENV)/.runtime nginx
	ADDRESS=$(ADDRESS) deploy/serve.sh $(REPLICAS) $(PORT)

## A name and password for the class: `make password NAME=class` asks for the password.
NAME ?= class
password:
	deploy/password.sh $(or $(PASSWORD_FILE),deploy/passwords) $(NAME)

## deploy/kseg.service for systemd, with this checkout's path (docs/hosting.md).
service:
	sed "s|@ROOT@|$(CURDIR)|g" deploy/kseg.service.in > deploy/kseg.service
	@echo "wrote deploy/kseg.service; install: sudo cp deploy/kseg.service /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now kseg"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## The fast tier, for every change: lint, unit, property and AppTest tests (no browser).
check: $(VENV)/.dev lint
	$(WARM)
	$(PY) -m pytest -q -n auto --ignore=tests/e2e -m "not integration"

## Every test: lint, unit, property, AppTest and browser tests.
test: $(VENV)/.dev browser nginx parallel lint
	$(WARM)
	$(PY) -m pytest -q -n auto --ignore=tests/e2e
	$(PY) -m pytest -q tests/e2e

## Speed and objective against the OpenCV tutorial recipe (see README.md, "Benchmarks").
bench: $(VENV)/.bench
	$(PY) bench/bench.py

## High k: kseg against scikit-learn's best of 30 and single start, on the same colours.
bench-highk: $(VENV)/.bench
	$(PY) bench/highk.py

## One Lloyd run from the same start: kseg's kernel, scikit-learn (lloyd, elkan), faiss.
bench-kernels: $(VENV)/.bench
	$(PY) bench/kernels.py

## What a user waits for in a real browser at 4, 15 and 40 MP, beside the engine, then the
## first screen beside a minimal Streamlit page (see docs/benchmarks.md).
bench-page: $(VENV)/.dev browser
	$(PY) bench/page.py
	$(PY) bench/first.py

## Many photos, one palette: the engine (20 x 12 MP) and the page (50 x 12 MP).
bench-series: $(VENV)/.dev browser
	$(PY) bench/series.py

## A new visitor's complete first view, beside a minimal Streamlit page, on a warm server
## and on a fresh host with no compiled kernels (docs/benchmarks.md).
bench-first: $(VENV)/.dev browser
	$(PY) bench/first.py
	$(PY) bench/first.py --cold 3

## The pause of the garbage collection after each page run, before and after the
## start-up heap is frozen (docs/benchmarks.md).
bench-gc: $(VENV)/.dev
	$(PY) bench/gc_pause.py

## Masks as shapes: the SVGs of 12 MP photos, time and size (docs/benchmarks.md).
bench-shapes: $(VENV)/.dev
	$(PY) bench/shapes.py

## The "Download everything" ZIP at 15 and 40 MP, in all and per part (docs/benchmarks.md).
bench-zip: $(VENV)/.dev
	$(PY) bench/zip.py

bench-picking: $(VENV)/.dev
	$(PY) bench/picking.py

## Two tabs flooding "Many photos" with uploads while a third segments (docs/benchmarks.md).
bench-uploads: $(VENV)/.dev browser
	$(PY) bench/uploads.py

## Many browser sessions at once against one server (see README.md, "Benchmarks").
load: $(VENV)/.dev browser
	$(PY) bench/load.py --sessions 10 --waves 3

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
