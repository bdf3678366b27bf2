"""Data tables the platform is built from: pinned versions, AMI families, GPU instances, models, prices, charts.

Everything here is data, not logic: adding an instance type or a Kubernetes version is a new row, never a new
`if`. Every version string is pinned; where it came from is written beside it. Nothing here reads config.
"""
