# The two everyday commands bootstrap everything they need on a fresh machine:
#   make plan [STACK=dev]   render a stack offline into build/<stack>/ (no Pulumi CLI, no AWS account)
#   make test               run the whole test suite
#   make scan               checkov over every stack's rendered manifests and AWS resources, parliament and
#                           cloudsplaining over its IAM documents, as CI does (README "Security scan")
#   make plan-diff BASE=<git ref> [STACK=dev]   what the working tree changes in a stack's offline plan
#                           against BASE, resource by resource and field by field (markdown, for the PR)
#   make config-reference   regenerate docs/configuration.md from the config schema (a test fails when stale)
#   make environments       the stacks CI previews and deploys, read from the stack files: deploy order, region,
#                           GitHub environments, policy config, secrets provider (README "Add an environment")
#   make crd-check CRDS=<dir>  validate every rendered custom resource strictly against the upstream CRDs of the
#                           pinned versions in <dir> (read from the releases, never committed; README "Gateway")
STACK ?= dev
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp records the requirements the venv was built from: editing requirements.txt rebuilds it.
STAMP := $(VENV)/.installed

# checkov lives in a venv of its own: its pins conflict with the project's (security/requirements.txt).
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# parliament and cloudsplaining (the IAM documents' linters) in another (security/iam-requirements.txt).
IAM_VENV := .venv-iam
IAM_STAMP := $(IAM_VENV)/.installed
STACKS := $(patsubst Pulumi.%.yaml,%,$(wildcard Pulumi.*.yaml))

.PHONY: plan plan-diff size test lint fmt clean venv scan config-reference crd-check environments

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

# Renders STACK at BASE (a temporary git worktree, with that tree's planner) and in the working tree,
# into temp dirs (build/ is left alone), and prints the diff of the two plans. Exit 2: bad ref or config.
plan-diff: $(STAMP)
	@test -n "$(BASE)" || (echo "usage: make plan-diff BASE=<git ref> [STACK=<stack>]   e.g. make plan-diff BASE=HEAD~1" >&2; exit 2)
	@$(PY) -m plan_diff --base "$(BASE)" --stack "$(STACK)"

# make size MODEL=qwen3-32b CONTEXT=32768 [CONCURRENCY=4] [REGION=us-west-2]
size: $(STAMP)
	@test -n "$(MODEL)" -a -n "$(CONTEXT)" || (echo "usage: make size MODEL=<catalog name or hf id> CONTEXT=<tokens> [CONCURRENCY=<n>] [REGION=<region>]"; exit 2)
	@$(PY) -m planner.size --model "$(MODEL)" --context "$(CONTEXT)" --concurrency "$(or $(CONCURRENCY),1)" --region "$(or $(REGION),us-east-1)"

test: $(STAMP)
	$(PY) -m pytest

# Writes docs/configuration.md, every stack-file key with its type, default, constraints and description,
# from the pydantic schema in config/schema/ (tests/unit/test_config_reference.py fails when it is stale).
config-reference: $(STAMP)
	$(PY) -m config.reference

# What the workflows' first job lists (python -m delivery matrix), as a table; exit 2 naming every problem.
environments: $(STAMP)
	@$(PY) -m delivery

crd-check: $(STAMP)
	@test -n "$(CRDS)" || (echo "usage: make crd-check CRDS=<dir of upstream CRD manifests>" >&2; exit 2)
	@for s in $(STACKS); do $(PY) -m planner --stack $$s --out build/$$s >/dev/null || test $$? -eq 1; done
	$(PY) -m security.crd_check --crds "$(CRDS)" $(addprefix build/,$(STACKS))

# Renders every stack first: skips are judged across all of them (one no stack needs any more is stale).
scan: $(STAMP) $(CHECKOV_STAMP) $(IAM_STAMP)
	@# Quiet when a plan succeeds; on a policy violation (exit 1) show the findings, not just make's error.
	@for s in $(STACKS); do $(PY) -m planner --stack $$s --out build/$$s >/dev/null || { cat build/$$s/policy.txt 2>/dev/null; exit 1; }; done
	$(PY) -m security.scan --checkov $(CHECKOV_VENV)/bin/checkov --iam-python $(IAM_VENV)/bin/python $(addprefix build/,$(STACKS))

$(CHECKOV_STAMP): security/requirements.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@echo "installing checkov into $(CHECKOV_VENV) (about a minute on a fresh machine)"
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r security/requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(CHECKOV_VENV)/bin/checkov --version >/dev/null || (echo "install failed"; exit 1)
	@touch $(CHECKOV_STAMP)

$(IAM_STAMP): security/iam-requirements.txt
	@test -x $(IAM_VENV)/bin/python || $(PYTHON) -m venv $(IAM_VENV)
	@echo "installing parliament and cloudsplaining into $(IAM_VENV) (about 15 seconds on a fresh machine)"
	@$(IAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r security/iam-requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(IAM_VENV)/bin/python -c 'import parliament, cloudsplaining' || (echo "install failed"; exit 1)
	@touch $(IAM_STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf build .pytest_cache .ruff_cache
