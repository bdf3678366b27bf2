"""The front door's Kubernetes objects, built from the resolved GatewayPlan as plain data: the Gateway and its
proxies (gateway/proxies.py), the model routes and /v1/models (gateway/routes.py), keys, authorization, rate
limits and OpenAI-style errors (gateway/policies.py), the rate-limit store (gateway/valkey.py), the load
balancer (gateway/exposure.py) and the NetworkPolicies of the gateway's namespace (gateway/network.py).

Every field is read in the CRDs of the pinned releases (catalog/gateway.py): Gateway API v1.5.1, Envoy Gateway
v1.8.3, Envoy AI Gateway v1.1.0; `make crd-check` validates every rendered object against those CRDs.
"""
