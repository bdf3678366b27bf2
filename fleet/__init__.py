"""The resolved fleet: every fact about the platform, worked out once from the validated config.

`load.load_fleet` validates a stack's config and resolves it into one immutable `Fleet` (resolved.py): the GPU
pools with their GPU model and capacity (pools.py), where each model runs, at what TP and price
(placement.py), each model's endpoint, cache directory and time budgets (budgets.py), and where each add-on is
released (addons.py). The composition, the planner, the cost report, the dashboards and the plan diff read it;
nothing else works these facts out again.
"""
