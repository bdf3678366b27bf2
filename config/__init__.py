"""Stack configuration: the schema of every `llm-platform:` key (schema/), loading and checking a stack's
config with errors that name keys as written (loader.py, rules.py, issues.py), warnings on risky but valid
choices (warnings.py), and the generated reference docs/configuration.md (reference.py)."""
