"""Stack configuration: the schema of every `llm-platform:` key (schema/), loading and checking a stack's
config (loader.py, namespaces.py, rules/), errors that name keys as written (issues.py, issue_location.py,
issue_messages.py), warnings on risky but valid choices (warnings.py), and the generated reference
docs/configuration.md (reference.py)."""
