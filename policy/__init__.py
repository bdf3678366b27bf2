"""The llm-platform policy pack: guardrails checked by `pulumi preview/up --policy-pack policy` and by `make plan`."""
