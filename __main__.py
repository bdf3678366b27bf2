"""Entry point for `pulumi up`: everything lives in stacks/ (config, composition) and components/."""

from stacks.program import run

run()
