"""Where the enabled add-ons are released, and the in-cluster addresses derived from their releases (or, for
monitoring, the existing Prometheus the stack file names instead)."""

from __future__ import annotations

from config.schema.addons import AddonsConfig, MonitoringConfig
from fleet.resolved import AddonPlan
from vocabulary.addons import ADDON_RELEASES, Release

# kube-prometheus-stack names its Services `<fullname>-prometheus` / `-grafana`, and its fullname is the
# release name when that contains the chart name (its _helpers.tpl): ours is the chart name itself.
PROMETHEUS_PORT = 9090
GRAFANA_PORT = 80
# The KEDA HTTP add-on names its Services after the chart (`{{ .Chart.Name }}-external-scaler`,
# `-interceptor-proxy`), in the release's namespace (chart 0.15.0).
HTTP_SCALER_PORT = 9090
INTERCEPTOR_PORT = 8080


def resolve_addons(addons: AddonsConfig) -> AddonPlan:
    def enabled(key: str, on: bool) -> Release | None:
        return ADDON_RELEASES[key] if on else None

    monitoring = enabled("monitoring", addons.monitoring.enabled)
    keda_http = enabled("keda-http", addons.keda_http.enabled)
    m = addons.monitoring  # the namespaces come from config: ours, or those given for an existing Prometheus
    return AddonPlan(
        monitoring=monitoring,
        gpu_operator=enabled("gpu-operator", addons.gpu_operator.enabled),
        keda=enabled("keda", addons.keda.enabled),
        keda_http=keda_http,
        prometheus_url=_prometheus_url(m, monitoring),
        prometheus_namespace=m.prometheus_namespace,
        monitoring_crds=m.operator_crds,
        rules_namespace=m.rules_namespace,
        dashboards_namespace=m.dashboards_namespace,
        grafana_datasource_uid=m.datasource_uid,
        grafana_service=monitoring and f"{monitoring.name}-grafana.{monitoring.namespace}.svc:{GRAFANA_PORT}",
        http_scaler=keda_http
        and f"{keda_http.chart}-external-scaler.{keda_http.namespace}:{HTTP_SCALER_PORT}",
        interceptor_host=keda_http
        and f"{keda_http.chart}-interceptor-proxy.{keda_http.namespace}.svc.cluster.local",
        interceptor_port=INTERCEPTOR_PORT if keda_http else None,
    )


def _prometheus_url(config: MonitoringConfig, ours: Release | None) -> str | None:
    """Our release's Prometheus Service, or the existing Prometheus config names (never both: validated)."""
    if ours:
        return f"http://{ours.name}-prometheus.{ours.namespace}.svc:{PROMETHEUS_PORT}"
    return config.external.prometheus_url if config.external else None
