# The two everyday commands bootstrap everything they need on a fresh machine:
#   make plan [STACK=dev]   render a stack offline into build/<stack>/ (no Pulumi CLI, no AWS account)
#   make test               run the whole test suite
STACK ?= dev
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp records the requirements the venv was built from: editing requirements.txt rebuilds it.
STAMP := $(VENV)/.installed

.PHONY: plan size test lint fmt clean venv

venv: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned requirements into $(VENV) (about a minute on a fresh machine)"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -c 'import pulumi, pulumi_aws, pulumi_eks, pulumi_kubernetes, pydantic' || (echo "install failed"; exit 1)
	@touch $(STAMP)

plan: $(STAMP)
	$(PY) -m planner --stack $(STACK) --out build/$(STACK)

# make size MODEL=qwen3-32b CONTEXT=32768 [CONCURRENCY=4] [REGION=us-west-2]
size: $(STAMP)
	@test -n "$(MODEL)" -a -n "$(CONTEXT)" || (echo "usage: make size MODEL=<catalog name or hf id> CONTEXT=<tokens> [CONCURRENCY=<n>] [REGION=<region>]"; exit 2)
	@$(PY) -m planner.size --model "$(MODEL)" --context "$(CONTEXT)" --concurrency "$(or $(CONCURRENCY),1)" --region "$(or $(REGION),us-east-1)"

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf build .pytest_cache .ruff_cache
