"""Helm values for each add-on, as pure functions of the resolved fleet.

Every key written here exists in the chart's values.yaml at the version pinned in catalog/charts.py (each
pin's `values_url`), and `HelmAddon` refuses any path outside the pin's verified list before it registers
anything. The docstring of each function names the chart version.
"""
