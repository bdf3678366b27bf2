"""The front door's pinned releases: Envoy AI Gateway, the Envoy Gateway release it supports, the Gateway API
CRDs that release bundles, and what each needs of the cluster.

Sources, each read at the tag named:
- envoyproxy/ai-gateway v1.1.0 `site/versioned_docs/version-1.1/compatibility.md`: AI Gateway v1.1.x needs
  Envoy Gateway v1.8.1+, Kubernetes v1.32+ and Gateway API v1.5.x (its go.mod pins gateway-api v1.5.1).
- envoyproxy/gateway v1.8.3: the newest v1.8 patch (2026-07-20); `charts/gateway-crds-helm` bundles Gateway API
  v1.5.1 (`gateway.networking.k8s.io/bundle-version`); the v1.8 row of its release matrix
  (`site/content/en/news/releases/matrix.md` at v1.9.0) supports Kubernetes v1.32 to v1.35.

Why the CRDs are not one Helm release each, as Karpenter's are: Helm stores every template of a release, and
its rendered manifest, in one Secret capped at 1 MiB. gateway-crds-helm v1.8.3's templates are 4.7 MB (both
Gateway API channels and every Envoy Gateway CRD, the EnvoyProxy CRD alone 1.35 MB): its release record would
be about 2.0 MB gzipped, and the API server refuses it (helm/helm#12277, "data: Too long"). The CRDs are applied
instead from the release manifests both projects publish for exactly this (`helm template | kubectl apply
--server-side`, gateway-crds-helm's README), by the Kubernetes provider's server-side apply, which also
upgrades them when the pin moves. ai-gateway-crds-helm v1.1.0 (1.86 MB of templates, a 0.88 MB record) fits a
release, and is one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayRelease:
    envoy_gateway: str
    ai_gateway: str
    gateway_api: str
    kubernetes_min: str  # the oldest and newest minor both projects support at these versions
    kubernetes_max: str
    # Server-side applied before anything that uses them (see the module docstring).
    crd_manifests: tuple[tuple[str, str], ...]  # (name, URL of the published manifest)

    def supports(self, minor: str) -> bool:
        def n(v: str) -> int:
            return int(v.split(".")[1])

        return n(self.kubernetes_min) <= n(minor) <= n(self.kubernetes_max)


GATEWAY_RELEASE = GatewayRelease(
    envoy_gateway="v1.8.3",
    ai_gateway="v1.1.0",
    gateway_api="v1.5.1",
    kubernetes_min="1.32",
    kubernetes_max="1.35",
    crd_manifests=(
        # The standard channel only: nothing here uses an experimental kind.
        (
            "gateway-api-crds",
            "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
        ),
        # `helm template gateway-crds-helm --set crds.envoyGateway.enabled=true` (tools/make/kube.mk at v1.8.3),
        # attached to the GitHub release by its release workflow.
        (
            "envoy-gateway-crds",
            "https://github.com/envoyproxy/gateway/releases/download/v1.8.3/envoy-gateway-crds.yaml",
        ),
    ),
)

# The Envoy proxy image Envoy Gateway v1.8.3 runs (api/v1alpha1/shared_types.go DefaultEnvoyProxyImage) and
# the AI Gateway's ext_proc sidecar (the chart's appVersion): listed for review, pinned by the charts.
PROXY_IMAGES = (
    "docker.io/envoyproxy/envoy:distroless-v1.38.3",
    "docker.io/envoyproxy/ai-gateway-extproc:v1.1.0",
)
