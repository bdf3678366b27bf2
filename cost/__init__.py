"""What a stack costs a month, at minimum and maximum scale: the estimate from the resolved fleet
(estimate.py), its markdown report (report.py) and where prices come from (sources.py: the catalog's table,
or AWS's APIs with `--live-prices`)."""
