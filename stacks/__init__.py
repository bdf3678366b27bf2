"""The program and the composition of a stack: `program.py` is what `pulumi up` runs; `platform.py` wires the
AWS side and the cluster and calls `addons.py` (the in-cluster add-ons) and `model_servers.py` (one ModelServer
per model). Only this package knows every component; everything it builds comes from the resolved fleet."""
