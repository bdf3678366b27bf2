"""Access boundaries as data: Pod Security Admission per namespace (pod_security.py) and the NetworkPolicies
of the inference namespace (network_policies.py). Who may use the Kubernetes API is EKS access entries
(components/cluster.py). The composition registers these objects."""
