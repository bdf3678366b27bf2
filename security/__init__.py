"""Security checks over the rendered stacks: `make scan` (security/scan.py: checkov over the manifests and the AWS
resources, parliament and cloudsplaining over the IAM documents)."""
