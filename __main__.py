"""Entry point for `pulumi up`: the program is stacks/program.py; README "Where each concern lives" maps the rest."""

from stacks.program import run

run()
