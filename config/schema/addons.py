"""`llm-platform:addons` — the in-cluster add-ons, each of which can be switched off."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from catalog.gpus import FAMILY_TYPES, GPU_INSTANCES, gpu_model, gpu_of_family
from config.schema.base import (
    DNS_LABEL,
    GP3_MAX_GIB,
    HOST_LABEL,
    DnsLabel,
    GoDuration,
    PoolName,
    Section,
    at_key,
    duration_s,
    pattern,
    said,
    split_plain_url,
    unique,
)
from config.schema.reservations import NodePoolReservationConfig, check_reservation
from config.schema.volumes import check_volume, disk_iops, disk_throughput, headroom
from vocabulary.addons import ADDON_RELEASES

# Bounds of a NodePool's durations (Karpenter v1.14.1 takes any `^(([0-9]+(s|m|h))+|Never)$`, 0s included).
# expireAfter: an expiry replaces every node of the pool, one at a time, each drain taking up to the pool's
# terminationGracePeriod (at least 30 minutes, fleet/budgets.py) and each evicted replica a cold start elsewhere
# (prod: about 24 minutes). Under a day the pool's GPU nodes would spend much of their life launching and
# draining (0h expires every node as it joins, forcefully: do-not-disrupt does not hold an expiry); AMI updates
# arrive through drift anyway, so expiry is a backstop.
EXPIRE_AFTER_MIN = "24h"
# consolidateAfter: Karpenter's 0s default deletes an empty node the moment its last pod goes, so a replica placed
# right after (a rollout's surge, a scale-down that KEDA reverses) waits for a new GPU node and its image pull,
# about 8 minutes (fleet/budgets.py NODE_AND_IMAGE_S); past a day an empty GPU node is a day paid for nothing
# (keep warm capacity with replicas.min or a node group's minSize instead).
CONSOLIDATE_AFTER_BOUNDS = ("1m", "24h")


class NodePoolConfig(Section):
    """One entry of `llm-platform:addons.karpenter.nodePools` — a Karpenter NodePool of GPU nodes."""

    name: PoolName = Field(description="NodePool name; also the node label llm-platform.io/pool.")
    capacity_type: Literal["on-demand", "spot", "reserved"] = Field(
        description="on-demand | spot | reserved (only nodes in `capacityReservation`, Karpenter's `reserved` "
        "capacity type)."
    )
    instance_families: Annotated[list[str], AfterValidator(unique)] = Field(
        min_length=1, description="GPU instance families (g6, g6e, p5 …), all with the same GPU model."
    )
    gpu_limit: int = Field(ge=1, le=1024, description="Spending cap: most nvidia.com/gpu this pool may hold.")
    weight: int = Field(0, ge=0, le=100, description="Higher is tried first: give spot pools more weight.")
    consolidate_after: GoDuration = Field(
        "10m",
        description="How long a node must be empty before it is removed (WhenEmpty consolidation only), "
        "1m to 24h.",
    )
    expire_after: GoDuration | Literal["Never"] = Field(
        "720h",
        description="Nodes are replaced after this age, at least 24h (AMI updates arrive through drift); an "
        "expiry is forceful: drained one node at a time within the pool's terminationGracePeriod.",
    )
    disk_size_gib: int = Field(200, ge=100, le=4096, description="Image volume (gp3) of each node.")
    disk_throughput_mibps: int = disk_throughput()
    disk_iops: int = disk_iops()
    headroom: int = headroom()
    capacity_reservation: NodePoolReservationConfig | None = Field(
        None,
        description="The ODCR or Capacity Block the pool launches into, with capacityType: reserved; see the "
        "README's 'Reserved capacity'.",
    )

    @model_validator(mode="after")
    def _reservation_holds_the_pool(self) -> NodePoolConfig:
        reservation = self.capacity_reservation
        types = [reservation.instance_type] if reservation else []
        check_reservation(self, self.capacity_type, reservation, "capacityReservation.instanceType", types)
        if reservation is None:
            return self
        reserved = GPU_INSTANCES.get(reservation.instance_type)
        if reserved is None or reserved.family not in self.instance_families:
            raise at_key(
                "capacityReservation.instanceType",
                f"{reservation.instance_type} is not a type of instanceFamilies ({', '.join(self.instance_families)})"
                ": the pool launches only the reserved type, so name the reservation's type and its family",
            )
        gpus = reservation.instances * reserved.gpu_count
        if self.gpu_limit > gpus:
            raise at_key(
                "gpuLimit",
                f"{self.gpu_limit} is above the reservation's {gpus} GPUs ({reservation.instances} x "
                f"{reservation.instance_type}): a reserved pool launches nothing beyond it; lower gpuLimit to "
                f"{gpus} at most",
            )
        return self

    @model_validator(mode="after")
    def _volume_within_gp3(self) -> NodePoolConfig:
        check_volume(self, self.disk_size_gib, self.disk_iops, self.disk_throughput_mibps)
        return self

    @field_validator("consolidate_after")
    @classmethod
    def _consolidation_in_bounds(cls, v: str) -> str:
        low, high = CONSOLIDATE_AFTER_BOUNDS
        if not duration_s(low) <= duration_s(v) <= duration_s(high):
            raise ValueError(
                f"{v} is outside {low} to {high}: shorter, a GPU node is deleted as its last pod goes and the "
                "next replica waits minutes for a new one; longer, an empty GPU node is paid for a day or more"
            )
        return v

    @field_validator("expire_after")
    @classmethod
    def _expiry_long_enough(cls, v: str) -> str:
        if v != "Never" and duration_s(v) < duration_s(EXPIRE_AFTER_MIN):
            raise ValueError(
                f"{v} is shorter than {EXPIRE_AFTER_MIN}: Karpenter replaces every node of the pool this often, "
                "forcefully, each replacement a drain and cold starts of its models; write at least "
                f"{EXPIRE_AFTER_MIN} (Karpenter's default is 720h), or Never"
            )
        return v

    @field_validator("instance_families")
    @classmethod
    def _known_gpu_families(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in FAMILY_TYPES]
        if unknown:
            raise ValueError(
                f"not GPU families in the catalog: {', '.join(unknown)} (known: {', '.join(sorted(FAMILY_TYPES))})"
            )
        gpus = sorted({gpu_model(gpu_of_family(f)) for f in v})
        if len(gpus) > 1:
            raise ValueError("families mix GPU models " + ", ".join(f"{n} {m} GiB" for n, m in gpus))
        return v


class GpuOperatorConfig(Section):
    """`llm-platform:addons.gpuOperator` — NVIDIA GPU Operator (device plugin, DCGM exporter, GFD)."""

    enabled: bool = Field(True, description="Install the GPU operator: without it no node advertises GPUs.")
    time_slicing: dict[PoolName, Annotated[int, Field(ge=2, le=48)]] = Field(
        default_factory=dict,
        description="Per GPU pool (node group or NodePool name): share each GPU between N pods. For dev and "
        "batch pools only: time-sliced pods share memory with no isolation.",
    )


class KarpenterConfig(Section):
    """`llm-platform:addons.karpenter` — GPU nodes on demand, spot first."""

    enabled: bool = Field(True, description="Install Karpenter and the NodePools below.")
    node_pools: list[NodePoolConfig] = Field(
        default_factory=list, description="GPU NodePools (at least one when Karpenter is enabled)."
    )


class KedaConfig(Section):
    """`llm-platform:addons.keda` — event-driven autoscaling on Prometheus metrics."""

    enabled: bool = Field(
        True, description="Install KEDA: every model scales through its ScaledObject, so models need it."
    )


class KedaHttpConfig(Section):
    """`llm-platform:addons.kedaHttp` — KEDA's HTTP add-on: the activation signal for scale to zero."""

    enabled: bool = Field(False, description="Install the HTTP add-on (needed by scale-to-zero models).")


PROMETHEUS_URL_EXAMPLE = "http://prometheus-operated.observability.svc:9090"
# The uid of the Prometheus datasource kube-prometheus-stack 88.5.3 provisions (values.yaml
# grafana.sidecar.datasources.uid), which the dashboards query in our Grafana.
KUBE_PROMETHEUS_STACK_DATASOURCE = "prometheus"
# A Service's in-cluster name, `<service>.<namespace>.svc` (optionally `.cluster.local`, EKS's cluster domain).
_SERVICE_HOST = re.compile(r"^[^.]+\.(?P<namespace>[^.]+)\.svc(\.cluster\.local)?$", re.ASCII)


def _url_problem(url: str) -> str | None:
    """What makes `url` unusable as the address KEDA's Prometheus scaler queries, or None. KEDA 2.20.2
    (pkg/scalers/prometheus_scaler.go, ExecutePromQuery) requests `<serverAddress>/api/v1/query?query=…`, so the
    address is a base URL: a path prefix may end it, a '/', a query or a fragment may not."""
    parts, problem = split_plain_url(url, "URL")
    if parts is None:
        return problem
    if parts.port == 0:
        return "port 0 is no port: give 1-65535, or none for the scheme's default"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "has a query or fragment: KEDA appends /api/v1/query?query=… to the address"
    if parts.path.endswith("/"):
        return "ends with '/': KEDA appends /api/v1/query to the address, so drop the trailing '/'"
    if not _valid_host(parts.hostname or ""):
        return "needs a host: a DNS name such as prometheus-operated.observability.svc, or an IP address"
    return None


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        labels = host.split(".")
        return len(host) <= 253 and all(len(x) <= 63 and HOST_LABEL.match(x) for x in labels)


def _has_credentials(url: str) -> bool:
    return "@" in urlsplit(url).netloc


def _prometheus_url(url: str) -> str:
    # A URL holding credentials is refused by ExternalPrometheusConfig, whose message does not quote it (a
    # field's error would: config/issue_messages.py adds the value given).
    problem = None if _has_credentials(url) else _url_problem(url)
    if problem:
        raise ValueError(f"{problem}; e.g. {PROMETHEUS_URL_EXAMPLE}")
    return url


def namespace_of_url(url: str) -> str | None:
    """The namespace in a `<service>.<namespace>.svc[.cluster.local]` host, or None for any other host."""
    m = _SERVICE_HOST.match(urlsplit(url).hostname or "")
    return m["namespace"] if m and re.match(DNS_LABEL, m["namespace"]) else None


class GrafanaDashboardsConfig(Section):
    """`llm-platform:addons.monitoring.external.dashboards` — the platform's dashboards for an existing
    Grafana, as ConfigMaps its dashboard sidecar loads."""

    namespace: DnsLabel = Field(
        examples=["grafana"],
        description="An existing namespace the Grafana dashboard sidecar searches (it must select the label "
        'grafana_dashboard: "1"); the dashboards\' ConfigMaps are created there.',
    )
    datasource_uid: str = Field(
        KUBE_PROMETHEUS_STACK_DATASOURCE,
        pattern=pattern(
            r"^[A-Za-z0-9_-]{1,40}$", "1-40 letters, digits, '-' or '_' (a Grafana uid)", "prometheus"
        ),
        description="uid of the Grafana datasource that queries the existing Prometheus; kube-prometheus-stack "
        "provisions its own as `prometheus` (grafana.sidecar.datasources.uid).",
    )


class ExternalPrometheusConfig(Section):
    """`llm-platform:addons.monitoring.external` — an existing Prometheus (the platform team's) that the
    platform uses instead of installing kube-prometheus-stack."""

    prometheus_url: Annotated[str, AfterValidator(_prometheus_url)] = Field(
        examples=[PROMETHEUS_URL_EXAMPLE],
        description="The Prometheus HTTP API KEDA queries for the models' scaling metrics, reachable from the "
        "cluster: http(s)://host[:port][/path] (a path for Thanos or Mimir prefixes), no credentials, no "
        "trailing '/'.",
    )
    namespace: DnsLabel | None = Field(
        None,
        examples=["observability"],
        description="Namespace of the Prometheus pods that scrape the model servers: the NetworkPolicy admits "
        "it and the platform's PrometheusRule goes there. Absent: the <namespace> of a "
        "<service>.<namespace>.svc[.cluster.local] URL host.",
    )
    operator_crds: bool = Field(
        True,
        description="The existing Prometheus runs on prometheus-operator, whose CRDs already exist, and selects "
        "PodMonitors, ServiceMonitors and PrometheusRules in the platform's namespaces (the inference namespace, "
        "gpu-operator, keda, kube-system for Karpenter) and its own. false: none are created, and that Prometheus scrapes the model servers, "
        "the DCGM exporter and kube-state-metrics itself (README, Cluster add-ons).",
    )
    dashboards: GrafanaDashboardsConfig | None = Field(
        None, description="The platform's Grafana dashboards for an existing Grafana. Absent: no dashboards."
    )

    @property
    def scrape_namespace(self) -> str | None:
        """The namespace the scrapes come from: as written, or read from the URL's Service host."""
        return self.namespace or namespace_of_url(self.prometheus_url)

    @model_validator(mode="after")
    def _usable(self) -> ExternalPrometheusConfig:
        if _has_credentials(self.prometheus_url):
            # The address is copied into every ScaledObject: plain text in the cluster and in Pulumi's state.
            raise at_key(
                "prometheusUrl",
                "holds credentials (user[:password]@), which would be stored in plain text in every "
                f"ScaledObject: give an address without them, e.g. {PROMETHEUS_URL_EXAMPLE}",
            )
        if self.operator_crds and self.scrape_namespace is None:
            raise at_key(
                "namespace",
                f"the platform's PrometheusRule goes to the existing Prometheus's namespace, and the host of "
                f"prometheusUrl ({self.prometheus_url}) is not <service>.<namespace>.svc: name it here, or set "
                "operatorCrds: false",
            )
        return self


class MonitoringConfig(Section):
    """`llm-platform:addons.monitoring` — kube-prometheus-stack: Prometheus, Alertmanager, Grafana; or an
    existing Prometheus (`external`)."""

    enabled: bool = Field(
        True,
        description="Install kube-prometheus-stack (KEDA scales models on its metrics). false: no Prometheus of "
        "ours; a stack with models then names an existing one under external.",
    )
    retention: str = Field(
        "15d",
        pattern=pattern(r"^[1-9][0-9]*(h|d|w|y)$", "a whole number of hours, days, weeks or years", "15d"),
        description="Prometheus retention time.",
    )
    storage_gib: int = Field(
        50, ge=10, le=GP3_MAX_GIB, description="Prometheus gp3 volume size (gp3 holds at most 16 TiB)."
    )
    external: ExternalPrometheusConfig | None = Field(
        None,
        description="An existing Prometheus to use instead (with enabled: false): KEDA queries it, and the "
        "platform's rules, monitors and dashboards are aimed at it.",
    )

    @model_validator(mode="after")
    def _one_prometheus(self) -> MonitoringConfig:
        # Two Prometheus servers would leave it unsaid which one KEDA reads and which one alerts: refuse.
        if self.enabled and self.external is not None:
            raise at_key(
                "external",
                f"names an existing Prometheus while {said(self, 'enabled')} installs kube-prometheus-stack: "
                "set enabled: false to use the existing one, or remove external",
            )
        return self

    @property
    def operator_crds(self) -> bool:
        """Whether the platform creates PodMonitors, ServiceMonitors and PrometheusRules: ours brings their CRDs;
        an existing Prometheus says whether it reads them."""
        return self.enabled or (self.external is not None and self.external.operator_crds)

    @property
    def prometheus_namespace(self) -> str | None:
        """The namespace of the Prometheus that scrapes the model servers, when one is known."""
        if self.enabled:
            return ADDON_RELEASES["monitoring"].namespace
        return self.external.scrape_namespace if self.external else None

    @property
    def rules_namespace(self) -> str | None:
        """Where the platform-wide PrometheusRule goes: beside that Prometheus (a prometheus-operator reads the
        rules of its own namespace when its ruleNamespaceSelector is unset); None without the CRDs."""
        return self.prometheus_namespace if self.operator_crds else None

    @property
    def dashboards_namespace(self) -> str | None:
        """Where the dashboards' ConfigMaps go: ours, or the namespace given for an existing Grafana."""
        if self.enabled:
            return ADDON_RELEASES["monitoring"].namespace
        dashboards = self.external.dashboards if self.external else None
        return dashboards.namespace if dashboards else None

    @property
    def datasource_uid(self) -> str:
        """The Grafana datasource the dashboards query: ours, or the one named for an existing Grafana."""
        dashboards = self.external.dashboards if self.external else None
        return dashboards.datasource_uid if dashboards else KUBE_PROMETHEUS_STACK_DATASOURCE


class AddonsConfig(Section):
    """`llm-platform:addons` — the in-cluster add-ons; each can be switched off."""

    gpu_operator: GpuOperatorConfig = Field(
        default_factory=GpuOperatorConfig, description="NVIDIA GPU Operator (see below)."
    )
    karpenter: KarpenterConfig = Field(default_factory=KarpenterConfig, description="Karpenter (see below).")
    keda: KedaConfig = Field(default_factory=KedaConfig, description="KEDA (see below).")
    keda_http: KedaHttpConfig = Field(
        default_factory=KedaHttpConfig, description="KEDA's HTTP add-on (see below)."
    )
    monitoring: MonitoringConfig = Field(
        default_factory=MonitoringConfig, description="kube-prometheus-stack (see below)."
    )

    @property
    def node_pools(self) -> tuple[NodePoolConfig, ...]:
        """The NodePools that exist: those of an enabled Karpenter."""
        return tuple(self.karpenter.node_pools) if self.karpenter.enabled else ()
