"""What the platform watches: alert and recording rules (alerts.py), Grafana dashboards (dashboards.py) and
the metric names the pinned versions export (metric_names.yaml), which every shipped query must use."""
