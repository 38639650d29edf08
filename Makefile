# The two commands of the README: `make up` (everything running, with data) and `make test`.
PYTHON ?= python3

.PHONY: up test down status bench

up:
	$(PYTHON) -m pip install -q -e ".[dev]"
	promptsales up
	promptsales seed --scale official --if-empty
	promptsales etl run

test:
	$(PYTHON) -m pytest

down:
	promptsales down

status:
	promptsales status

bench:
	$(PYTHON) bench/run_all.py
