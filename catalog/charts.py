"""Every Helm chart the platform installs, pinned, each beside the link to its values.yaml at that version
and the value paths read there (`ChartPin.settable`)."""

from __future__ import annotations

from types import MappingProxyType

from components.helm_chart import ChartPin

HELM_CHARTS: MappingProxyType[str, ChartPin] = MappingProxyType(
    {
        "kube-prometheus-stack": ChartPin(
            chart="kube-prometheus-stack",
            repository="https://prometheus-community.github.io/helm-charts",
            version="88.5.3",
            values_url="https://github.com/prometheus-community/helm-charts/blob/kube-prometheus-stack-88.5.3/"
            "charts/kube-prometheus-stack/values.yaml",
            images=(
                "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
                "grafana 13.2.0 (subchart 12.11.1)",
                "kube-state-metrics (subchart 8.4.0)",
                "prometheus-node-exporter (subchart 4.56.1)",
            ),
            settable=frozenset(
                {
                    "crds.enabled",
                    "kubeControllerManager.enabled",
                    "kubeScheduler.enabled",
                    "kubeEtcd.enabled",
                    "kubeProxy.enabled",
                    "prometheusOperator.nodeSelector",
                    "prometheusOperator.admissionWebhooks.patch.nodeSelector",
                    *(
                        f"prometheus.prometheusSpec.{k}"
                        for k in (
                            "serviceMonitorSelectorNilUsesHelmValues",
                            "podMonitorSelectorNilUsesHelmValues",
                            "ruleSelectorNilUsesHelmValues",
                            "probeSelectorNilUsesHelmValues",
                            "scrapeConfigSelectorNilUsesHelmValues",
                            "retention",
                            "scrapeInterval",
                            "evaluationInterval",
                            "nodeSelector",
                            "resources",
                            "storageSpec",
                        )
                    ),
                    "alertmanager.enabled",
                    "alertmanager.alertmanagerSpec.nodeSelector",
                    # grafana.* below the first level are the grafana subchart's (12.11.1) values.
                    "grafana.enabled",
                    "grafana.nodeSelector",
                    "grafana.admin.existingSecret",
                    "grafana.admin.userKey",
                    "grafana.admin.passwordKey",
                    *(
                        f"grafana.sidecar.dashboards.{k}"
                        for k in ("enabled", "label", "labelValue", "searchNamespace")
                    ),
                    "prometheus-node-exporter.tolerations",  # subchart 4.56.1
                    "kube-state-metrics.nodeSelector",  # subchart 8.4.0
                    "kube-state-metrics.metricLabelsAllowlist",  # subchart 8.4.0 (default [])
                }
            ),
        ),
        "gpu-operator": ChartPin(
            chart="gpu-operator",
            repository="https://helm.ngc.nvidia.com/nvidia",
            version="v26.7.0",  # with the leading v, as NVIDIA publishes it
            values_url="https://github.com/NVIDIA/gpu-operator/blob/v26.7.0/deployments/gpu-operator/values.yaml",
            images=(
                "nvcr.io/nvidia/gpu-operator:v26.7.0",
                "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
                "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless",
            ),
            settable=frozenset(
                {
                    "driver.enabled",
                    "toolkit.enabled",
                    "devicePlugin.enabled",
                    "devicePlugin.config.create",
                    "devicePlugin.config.name",
                    "devicePlugin.config.data",
                    "dcgmExporter.enabled",
                    "dcgmExporter.serviceMonitor.enabled",
                    "dcgmExporter.serviceMonitor.interval",
                    "dcgmExporter.serviceMonitor.honorLabels",
                    "gfd.enabled",
                    "nfd.enabled",
                    "migManager.enabled",
                    "operator.nodeSelector",
                }
            ),
        ),
        # Helm installs a chart's crds/ only on first install and never upgrades them; Karpenter's own
        # karpenter-crd chart ships them as templates, so `pulumi up` after a version bump upgrades them too.
        "karpenter-crd": ChartPin(
            chart="karpenter-crd",
            repository="oci://public.ecr.aws/karpenter",
            version="1.14.1",
            values_url="https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/charts/karpenter-crd/values.yaml",
            images=(),
        ),
        "karpenter": ChartPin(
            chart="karpenter",
            repository="oci://public.ecr.aws/karpenter",
            version="1.14.1",
            values_url="https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/charts/karpenter/values.yaml",
            images=(
                "public.ecr.aws/karpenter/controller:1.14.1@sha256:723130949e4cab989461ff07d1be4cd781d63515432494641b33c235f300ae23",
            ),
            settable=frozenset(
                {
                    "settings.clusterName",
                    "settings.interruptionQueue",
                    "settings.featureGates.reservedCapacity",  # beta, default true at 1.14.1
                    "nodeSelector",
                    "replicas",
                    "controller.resources",
                    "serviceMonitor.enabled",
                }
            ),
        ),
        "keda": ChartPin(
            chart="keda",
            repository="https://kedacore.github.io/charts",
            version="2.20.2",
            values_url="https://github.com/kedacore/charts/blob/v2.20.2/keda/values.yaml",
            images=(
                "ghcr.io/kedacore/keda:2.20.2",
                "ghcr.io/kedacore/keda-metrics-apiserver:2.20.2",
                "ghcr.io/kedacore/keda-admission-webhooks:2.20.2",
            ),
            settable=frozenset(
                {
                    "nodeSelector",
                    "operator.replicaCount",
                    "webhooks.enabled",
                    "webhooks.replicaCount",
                    "podDisruptionBudget.operator",
                    "podDisruptionBudget.metricServer",
                    "podDisruptionBudget.webhooks",
                    *(
                        f"prometheus.{c}.{k}"
                        for c in ("operator", "metricServer", "webhooks")
                        for k in ("enabled", "serviceMonitor.enabled")
                    ),
                }
            ),
        ),
        # KEDA's HTTP add-on: the newest release whose chart and CRDs we read (0.16.0 was announced, unread).
        "keda-add-ons-http": ChartPin(
            chart="keda-add-ons-http",
            repository="https://kedacore.github.io/charts",
            version="0.15.0",
            values_url="https://github.com/kedacore/charts/blob/c4b92e9eed0ddc6668b1395d5f137e3ad4baa3d4/"
            "http-add-on/values.yaml",
            images=(
                "ghcr.io/kedacore/http-add-on-interceptor:0.15.0",
                "ghcr.io/kedacore/http-add-on-scaler:0.15.0",
                "ghcr.io/kedacore/http-add-on-operator:0.15.0",
            ),
            settable=frozenset(
                {
                    "crds.install",
                    "operator.nodeSelector",
                    "scaler.nodeSelector",
                    "interceptor.nodeSelector",
                    "interceptor.replicas.min",
                    "interceptor.readinessTimeout",
                    "interceptor.responseHeaderTimeout",
                }
            ),
        ),
        # The front door (catalog/gateway.py says which versions go together, and why the Envoy Gateway and
        # Gateway API CRDs are not a release of their own). Both projects push their charts to Docker Hub's
        # OCI registry at the release tag, with the leading v (their release workflows).
        "gateway-helm": ChartPin(
            chart="gateway-helm",
            repository="oci://docker.io/envoyproxy",
            version="v1.8.3",
            values_url="https://github.com/envoyproxy/gateway/blob/v1.8.3/charts/gateway-helm/values.tmpl.yaml",
            images=(
                "docker.io/envoyproxy/gateway:v1.8.3",
                "docker.io/envoyproxy/ratelimit:1e50889b",
                "docker.io/envoyproxy/envoy:distroless-v1.38.3 (the proxies it creates)",
            ),
            settable=frozenset(
                {
                    "crds.enabled",  # v1.8.2+: false drops the CRD subchart (ours are applied separately)
                    "deployment.pod.nodeSelector",
                    "certgen.job.nodeSelector",
                    # The EnvoyGateway configuration object (api/v1alpha1/envoygateway_types.go at v1.8.3),
                    # merged over the chart's defaults: its fields are that API's, checked in
                    # tests/unit/test_gateway_values.py.
                    "config.envoyGateway",
                }
            ),
        ),
        "ai-gateway-crds-helm": ChartPin(
            chart="ai-gateway-crds-helm",
            repository="oci://docker.io/envoyproxy",
            version="v1.1.0",
            values_url="https://github.com/envoyproxy/ai-gateway/blob/v1.1.0/manifests/charts/"
            "ai-gateway-crds-helm/values.yaml",
            images=(),
        ),
        "ai-gateway-helm": ChartPin(
            chart="ai-gateway-helm",
            repository="oci://docker.io/envoyproxy",
            version="v1.1.0",
            values_url="https://github.com/envoyproxy/ai-gateway/blob/v1.1.0/manifests/charts/ai-gateway-helm/"
            "values.yaml",
            images=(
                "docker.io/envoyproxy/ai-gateway-controller:v1.1.0",
                "docker.io/envoyproxy/ai-gateway-extproc:v1.1.0 (injected into each proxy pod)",
            ),
            settable=frozenset(
                {
                    "controller.nodeSelector",
                    "controller.resources",
                    # "header:label" pairs the ext_proc adds to its metrics (Format: "header1:label1,...").
                    "controller.metricsRequestHeaderAttributes",
                }
            ),
        ),
        # v3 is the maintained line (v2.17.1, 2026-01, was the last v2); the IAM policy is the same at both.
        "aws-load-balancer-controller": ChartPin(
            chart="aws-load-balancer-controller",
            repository="https://aws.github.io/eks-charts",
            version="3.5.0",
            values_url="https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/helm/"
            "aws-load-balancer-controller/values.yaml",
            images=("public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",),
            settable=frozenset(
                {
                    "clusterName",
                    "region",
                    "vpcId",
                    "serviceAccount.name",
                    "replicaCount",
                    "nodeSelector",
                    "resources",
                    "podDisruptionBudget",
                    "defaultTargetType",
                    "enableServiceMutatorWebhook",
                    "controllerConfig.featureGates",
                    "serviceMonitor.enabled",
                }
            ),
        ),
    }
)
