"""Access boundaries over the real stacks: who may use the Kubernetes API (EKS access entries), who may reach the
model servers (NetworkPolicies), and what pods may do in each of our namespaces (Pod Security Admission)."""

from __future__ import annotations

import pytest

from access.pod_security import POD_SECURITY
from config.issues import ConfigError
from planner.run import run_plan
from tests.conftest import write_variant
from vocabulary.gateway import PROXY_LABELS
from vocabulary.objects import SERVING_PORT as PORT

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
EDIT = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
VIEW = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def entries(plan) -> dict[str, tuple[str, dict]]:
    (eks,) = plan.of_type("eks:index:Cluster")
    out = {}
    for entry in eks["inputs"].get("accessEntries", {}).values():
        (assoc,) = entry["accessPolicies"].values()
        out[entry["principalArn"]] = (assoc["policyArn"], assoc["accessScope"])
    return out


def test_each_role_gets_exactly_its_level_of_access(plan):
    access, ns = plan.config.access, plan.config.model_cache.namespace
    wanted = (
        {arn: (ADMIN, {"type": "cluster"}) for arn in plan.config.cluster.admin_role_arns}
        | {arn: (EDIT, {"type": "namespace", "namespaces": [ns]}) for arn in access.app_team_role_arns}
        | {arn: (VIEW, {"type": "cluster"}) for arn in access.read_only_role_arns}
    )
    assert entries(plan) == wanted


def test_prod_declares_every_kind_of_access(plans):
    prod = plans["prod"]
    assert {policy for policy, _ in entries(prod).values()} == {ADMIN, EDIT, VIEW}


def _policies(plan, namespace: str | None = None) -> dict[str, dict]:
    """The NetworkPolicies of one namespace (default: the inference namespace)."""
    ns = namespace or plan.config.model_cache.namespace
    return {
        r["inputs"]["metadata"]["name"]: r["inputs"]
        for r in plan.of_type(NETPOL)
        if r["inputs"]["metadata"]["namespace"] == ns
    }


def _sources(policy: dict) -> list[str]:
    (rule,) = policy["spec"]["ingress"]
    (peer,) = rule["from"]
    if "podSelector" in peer:  # the gateway's proxies, in their namespace
        assert peer["podSelector"] == {"matchLabels": dict(PROXY_LABELS)}
    (expr,) = peer["namespaceSelector"]["matchExpressions"]
    assert expr["key"] == "kubernetes.io/metadata.name" and expr["operator"] == "In"
    assert rule["ports"] == [{"port": PORT, "protocol": "TCP"}]
    return expr["values"]


def test_inference_namespace_denies_ingress_except_callers_prometheus_and_the_interceptor(plan):
    policies = _policies(plan)
    deny = policies.pop("default-deny-ingress")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress"]}
    allowed = {name: _sources(p) for name, p in policies.items()}
    # With the gateway, only its proxies call the models: the clients call the gateway (test_gateway.py).
    callers = ({"allow-gateway": ["envoy-gateway-system"]} if plan.fleet.gateway
               else {"allow-model-clients": plan.config.access.client_namespaces})  # fmt: skip
    wanted = {**callers, "allow-prometheus-scrape": ["monitoring"]}
    if plan.config.addons.keda_http.enabled:
        wanted["allow-keda-http-interceptor"] = ["keda"]
    assert allowed == wanted
    for p in policies.values():  # allows open the model servers only, never the preload Job or anything else
        assert p["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "vllm"}}


def test_network_policies_are_enforced_by_a_pinned_vpc_cni(plan):
    (eks,) = plan.of_type("eks:index:Cluster")
    cni = eks["inputs"]["vpcCniOptions"]
    assert cni["enableNetworkPolicy"] is True
    assert cni["addonVersion"].startswith("v1.") and "eksbuild" in cni["addonVersion"]


def test_every_namespace_we_create_carries_pod_security_labels(plan):
    namespaces = {r["inputs"]["metadata"]["name"]: r["inputs"]["metadata"]["labels"] for r in plan.of_type("kubernetes:core/v1:Namespace")}  # fmt: skip
    roles = {plan.config.model_cache.namespace: "inference", "monitoring": "monitoring", "keda": "keda", "gpu-operator": "gpu-operator",
             "envoy-gateway-system": "gateway", "envoy-ai-gateway-system": "ai-gateway"}  # fmt: skip
    assert set(namespaces) == set(roles)
    for name, labels in namespaces.items():
        psa = POD_SECURITY[roles[name]]
        assert labels["pod-security.kubernetes.io/enforce"] == psa.enforce
        assert (
            labels["pod-security.kubernetes.io/warn"]
            == labels["pod-security.kubernetes.io/audit"]
            == psa.report
        )
    assert namespaces[plan.config.model_cache.namespace]["pod-security.kubernetes.io/enforce"] != "privileged"


def test_charts_install_into_our_labelled_namespaces_not_their_own(plan):
    namespaces = {
        r["inputs"]["metadata"]["name"]: r["urn"] for r in plan.of_type("kubernetes:core/v1:Namespace")
    }
    for release in plan.of_type("kubernetes:helm.sh/v3:Release"):
        ns = release["inputs"]["namespace"]
        if ns in namespaces:
            assert release["inputs"].get("createNamespace") is not True, release["name"]
            # The release waits for the namespace (through its HelmAddon parent's explicit depends_on).
            assert namespaces[ns] in release["dependsOn"], release["name"]


def test_network_policies_switch_off(tmp_path):
    project = write_variant(
        tmp_path, lambda c: c.setdefault("llm-platform:access", {}).update(networkPolicies=False)
    )
    plan = run_plan(project, "variant")
    assert plan.of_type(NETPOL) == []
    (eks,) = plan.of_type("eks:index:Cluster")
    assert eks["inputs"]["vpcCniOptions"]["enableNetworkPolicy"] is False


def test_no_clients_means_only_platform_traffic(tmp_path):
    project = write_variant(tmp_path, lambda c: c["llm-platform:access"].pop("clientNamespaces"))
    assert "allow-model-clients" not in _policies(run_plan(project, "variant"))


@pytest.mark.parametrize(
    ("access", "key", "says"),
    [
        ({"appTeamRoleArns": ["arn:aws:iam::123456789012:role/ops"]}, "llm-platform:access.appTeamRoleArns[0]", "also in llm-platform:cluster.adminRoleArns"),
        ({"readOnlyRoleArns": ["arn:aws:iam::123456789012:user/bob"]}, "llm-platform:access.readOnlyRoleArns", "not an IAM role ARN"),
        ({"clientNamespaces": ["Search"]}, "llm-platform:access.clientNamespaces[0]", "must be lower-case letters"),
        ({"appTeamRoleArns": ["arn:aws:iam::123456789012:role/t"], "readOnlyRoleArns": ["arn:aws:iam::123456789012:role/t"]}, "llm-platform:access.readOnlyRoleArns[0]", "also in llm-platform:access.appTeamRoleArns"),
        ({"clientNamespace": ["a"]}, "llm-platform:access.clientNamespace", "clientNamespaces"),
    ],
)  # fmt: skip
def test_bad_access_config_names_the_key(tmp_path, access, key, says):
    def mutate(c):
        c["llm-platform:cluster"]["adminRoleArns"] = ["arn:aws:iam::123456789012:role/ops"]
        c["llm-platform:access"] = access

    project = write_variant(tmp_path, mutate)
    with pytest.raises(ConfigError) as err:
        run_plan(project, "variant")
    assert key in str(err.value) and says in str(err.value), str(err.value)
