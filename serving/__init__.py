"""Per-model Kubernetes objects as plain data, built from the fleet's resolved model plans: the vLLM server
(server.py), the weights preload (preload.py) and autoscaling (autoscaling.py). Pure functions, so every
property is testable without Pulumi; the composition (stacks/model_servers.py) registers them."""
