"""Security checks over the rendered stacks: `make scan` (checkov, security/scan.py)."""
