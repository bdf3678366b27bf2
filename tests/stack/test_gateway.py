"""The front door across the real stacks: what dev and prod expose, routing by served name, tenants held to
their models and limits, /v1/models per tenant (its Lua run in LuaJIT), OpenAI-style errors, the NetworkPolicies,
ordering, and no key anywhere in a build."""

from __future__ import annotations

import json
import re

import pytest
from lupa import luajit21

from gateway.errors import ERRORS
from planner.run import run_plan
from planner.stackfile import SECRET_PLACEHOLDER
from stacks.gateway import KEY_PREFIX
from tests.conftest import run_planner, write_variant
from vocabulary.gateway import CLIENT_HEADER, MODEL_HEADER, PROXY_LABELS, client_id

EG = "kubernetes:gateway.envoyproxy.io/v1alpha1"
AI = "kubernetes:aigateway.envoyproxy.io/v1beta1"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def one(plan, typ: str, name: str | None = None) -> dict:
    found = [
        r["inputs"] for r in plan.of_type(typ) if name is None or r["inputs"]["metadata"]["name"] == name
    ]
    assert len(found) == 1, (typ, name, len(found))
    return found[0]


def test_dev_is_internal_with_one_tenant_and_prod_an_internal_tls_nlb_with_two(plans):
    dev, prod = plans["dev"], plans["prod"]
    dev_service = one(dev, f"{EG}:EnvoyProxy")["spec"]["provider"]["kubernetes"]["envoyService"]
    assert dev_service == {"name": "llm-gateway", "type": "ClusterIP"}
    assert dev.outputs["openaiBaseUrl"] == "http://llm-gateway.envoy-gateway-system.svc.cluster.local/v1"
    assert list(dev.outputs["gatewayTenants"]) == ["playground"]
    nlb = one(prod, f"{EG}:EnvoyProxy")["spec"]["provider"]["kubernetes"]["envoyService"]
    notes = nlb["annotations"]
    assert nlb["type"] == "LoadBalancer" and nlb["loadBalancerClass"] == "service.k8s.aws/nlb"
    assert notes["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"
    assert notes["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"].startswith("arn:aws:acm:")
    assert notes["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] == "443"
    assert nlb["loadBalancerSourceRanges"] == ["10.40.0.0/16", "10.0.0.0/8"]
    tenants = prod.outputs["gatewayTenants"]
    assert {t: v["models"] for t, v in tenants.items()} == {
        "search": ["qwen3-8b"],
        "chat": ["qwen3-8b", "qwen3-32b"],
    }
    assert tenants["search"]["tokensPerMinute"] != tenants["chat"]["tokensPerMinute"]
    assert prod.outputs["openaiBaseUrl"] == f"https://{prod.outputs['gatewayDnsName']}/v1"


def test_each_model_is_routed_by_its_served_name_and_nothing_else(plan):
    g = plan.fleet.gateway
    called = {m for t in g.tenants for m in t.models}
    rules = [rule for r in plan.of_type(f"{AI}:AIGatewayRoute") for rule in r["inputs"]["spec"]["rules"]]
    routed = {}
    for rule in rules:
        ((match,),) = [m["headers"] for m in rule["matches"]]
        assert match["name"] == MODEL_HEADER and match["type"] == "Exact"
        assert rule["backendRefs"] == [{"name": match["value"]}]
        routed[match["value"]] = rule
    assert set(routed) == called
    for m in plan.fleet.models:
        if m.name not in called:
            continue
        backend = one(plan, f"{EG}:Backend", m.name)["spec"]["endpoints"]
        ai = one(plan, f"{AI}:AIServiceBackend", m.name)["spec"]
        assert ai["backendRef"] == {"group": "gateway.envoyproxy.io", "kind": "Backend", "name": m.name}
        (fqdn,) = [e["fqdn"] for e in backend]
        if m.scales_to_zero:  # through the interceptor, which holds a cold request until a replica is ready
            assert fqdn == {"hostname": f"{m.proxy_name}.{m.namespace}.svc.cluster.local", "port": 8080}
            assert int(routed[m.name]["timeouts"]["request"].rstrip("s")) > m.cold_start_s
        else:
            assert fqdn == {"hostname": f"{m.name}.{m.namespace}.svc.cluster.local", "port": 8000}


def test_each_tenant_may_call_only_its_models_and_keys_are_required_everywhere(plan):
    g = plan.fleet.gateway
    policies = {
        p["inputs"]["metadata"]["name"]: p["inputs"]["spec"] for p in plan.of_type(f"{EG}:SecurityPolicy")
    }
    routes = {r["inputs"]["metadata"]["name"] for r in plan.of_type(f"{AI}:AIGatewayRoute")}
    models_route = {"llm-gateway-models"}
    assert {t["name"] for p in policies.values() for t in p["targetRefs"]} == routes | models_route
    for spec in policies.values():
        auth = spec["apiKeyAuth"]
        assert auth["forwardClientIDHeader"] == CLIENT_HEADER and auth["sanitize"] is True
        assert auth["extractFrom"] == [{"headers": ["Authorization"]}]
        assert len(auth["credentialRefs"]) == sum(len(t.key_names) for t in g.tenants)
    authz = policies["llm-gateway"]["authorization"]
    assert authz["defaultAction"] == "Deny"
    allowed = {}
    for rule in authz["rules"]:
        headers = {h["name"]: h["values"] for h in rule["principal"]["headers"]}
        allowed[rule["name"]] = (set(headers[CLIENT_HEADER]), set(headers[MODEL_HEADER]))
    assert allowed == {
        t.name: ({client_id(t.name, k) for k in t.key_names}, set(t.models)) for t in g.tenants
    }


def test_rate_limits_count_each_tenant_once_across_its_keys(plan):
    g = plan.fleet.gateway
    spec = one(plan, f"{EG}:BackendTrafficPolicy")["spec"]
    assert spec["targetRefs"] == [
        {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "llm-gateway"}
    ]
    rules = spec["rateLimit"]["global"]["rules"]
    assert len(rules) == 2 * len(g.tenants)
    every_client = [client_id(t.name, k) for t in g.tenants for k in t.key_names] + ["other.key", "search.x"]
    for t, (requests, tokens) in zip(g.tenants, zip(rules[::2], rules[1::2], strict=True), strict=True):
        assert requests["limit"] == {"requests": t.requests_per_minute, "unit": "Minute"}
        assert tokens["limit"] == {"requests": t.tokens_per_minute, "unit": "Minute"}
        assert tokens["cost"]["request"] == {"from": "Number", "number": 0}
        assert tokens["cost"]["response"]["metadata"] == {
            "namespace": "io.envoy.ai_gateway",
            "key": "llm_total_token",
        }
        for rule in (requests, tokens):
            ((header,),) = [s["headers"] for s in rule["clientSelectors"]]
            assert header["name"] == CLIENT_HEADER and header["type"] == "RegularExpression"
            matched = {c for c in every_client if re.fullmatch(header["value"], c)}  # Envoy: RE2, full match
            assert matched == {client_id(t.name, k) for k in t.key_names}


def test_errors_are_openai_shaped_and_a_429_says_when_to_retry(plan):
    overrides = one(plan, f"{EG}:BackendTrafficPolicy")["spec"]["responseOverride"]
    by_status = {o["match"]["statusCodes"][0]["value"]: o for o in overrides}
    assert set(by_status) == {401, 403, 404, 429} == set(ERRORS)
    for _status, o in by_status.items():
        assert o["source"] == "Local"  # never a model server's own answer
        body = json.loads(o["response"]["body"]["inline"])
        assert set(body["error"]) == {"message", "type", "param", "code"}
        assert o["response"]["contentType"] == "application/json"
    assert by_status[429]["response"]["header"]["set"] == [{"name": "Retry-After", "value": "60"}]
    assert json.loads(by_status[401]["response"]["body"]["inline"])["error"]["code"] == "invalid_api_key"


class _Handle:
    """What Envoy's Lua filter hands `envoy_on_request`: headers, and respond()."""

    def __init__(self, runtime, headers: dict[str, str]):
        self.response = None
        lua_headers = runtime.table_from({"get": lambda _self, name: headers.get(name)})
        self.table = runtime.table_from({"headers": lambda _self: lua_headers, "respond": self._respond})

    def _respond(self, _self, headers, body):
        self.response = (dict(headers), body)


def test_v1_models_lists_each_tenants_own_models(plan):
    g = plan.fleet.gateway
    (script,) = [x["inline"] for x in one(plan, f"{EG}:EnvoyExtensionPolicy")["spec"]["lua"]]
    runtime = luajit21.LuaRuntime()  # LuaJIT 2.1: the Lua Envoy embeds
    runtime.execute(script)
    for t in g.tenants:
        for k in t.key_names:
            handle = _Handle(runtime, {CLIENT_HEADER: client_id(t.name, k)})
            runtime.globals().envoy_on_request(handle.table)
            headers, body = handle.response
            assert headers[":status"] == "200" and headers["content-type"] == "application/json"
            assert [m["id"] for m in json.loads(body)["data"]] == list(t.models)
    stranger = _Handle(runtime, {CLIENT_HEADER: "nobody.key"})
    runtime.globals().envoy_on_request(stranger.table)
    assert stranger.response is None  # falls through to the route's 403 filter
    fallback = one(plan, f"{EG}:HTTPRouteFilter")["spec"]["directResponse"]
    assert fallback["statusCode"] == 403


def _netpols(plan) -> dict[str, dict]:
    return {r["inputs"]["metadata"]["name"]: r["inputs"] for r in plan.of_type(NETPOL)}


def test_only_the_gateway_reaches_the_models_and_clients_reach_only_the_gateway(plan):
    g, pols = plan.fleet.gateway, _netpols(plan)
    assert "allow-model-clients" not in pols
    (peer,) = pols["allow-gateway"]["spec"]["ingress"][0]["from"]
    assert peer["podSelector"] == {"matchLabels": dict(PROXY_LABELS)}
    assert peer["namespaceSelector"]["matchExpressions"][0]["values"] == [g.namespace]
    proxies = pols["gateway-proxies"]["spec"]["ingress"]
    clients = [r for r in proxies if "namespaceSelector" in r["from"][0]
               and r["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"] == plan.config.access.client_namespaces]  # fmt: skip
    assert clients and clients[0]["ports"] == [{"port": g.container_port, "protocol": "TCP"}]
    (valkey_rule,) = pols["gateway-ratelimit-valkey"]["spec"]["ingress"]
    assert valkey_rule["from"][0]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/name": "envoy-ratelimit"}
    }
    if plan.fleet.addons.keda_http:  # no way round the gateway through the interceptor
        interceptor = pols["interceptor-from-gateway"]["spec"]["ingress"]
        assert interceptor[0]["from"][0]["podSelector"] == {"matchLabels": dict(PROXY_LABELS)}
        assert plan.config.access.client_namespaces[0] not in json.dumps(interceptor)


def test_crds_come_before_controllers_and_controllers_before_objects(plan):
    files = {r["name"]: r["urn"] for r in plan.of_type("kubernetes:yaml/v2:ConfigFile")}
    assert set(files) == {"gateway-api-crds", "envoy-gateway-crds"}
    releases = {r["inputs"]["name"]: r for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    assert set(files.values()) <= set(releases["envoy-gateway"]["dependsOn"])
    assert releases["envoy-gateway"]["inputs"]["skipCrds"] is True
    assert {releases["ai-gateway-crds"]["urn"], releases["envoy-gateway"]["urn"]} <= set(
        releases["ai-gateway"]["dependsOn"]
    )
    gateway = next(iter(plan.of_type("kubernetes:gateway.networking.k8s.io/v1:Gateway")))
    wanted = {releases["ai-gateway"]["urn"], *files.values()}
    if plan.fleet.gateway.load_balancer:  # the controller outlives the NLB's Service on destroy
        wanted.add(releases["aws-load-balancer-controller"]["urn"])
    assert wanted <= set(gateway["dependsOn"])


def _held_keys(c):
    c["llm-platform:gatewayApiKeys"] = {
        "search": {"laptop": {"secure": "v1:AAAAcipher-one"}},
        "chat": {"ci": {"secure": "v1:AAAAcipher-two"}},
    }


@pytest.fixture(scope="module")
def prod_with_held_keys(tmp_path_factory):
    project = write_variant(tmp_path_factory.mktemp("project"), _held_keys, base="prod", name="prod")
    out = tmp_path_factory.mktemp("build") / "prod"
    result = run_planner("--stack", "prod", "--out", str(out), "--project-dir", str(project))
    assert result.returncode in (0, 1), result.stderr
    return out, result


def test_no_key_is_in_any_file_of_the_build_or_in_what_the_planner_prints(prod_with_held_keys):
    out, result = prod_with_held_keys
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 50
    plan = json.loads((out / "plan.json").read_text())
    secrets = [r for r in plan["resources"] if r["type"] == "kubernetes:core/v1:Secret"
               and r["inputs"]["metadata"]["name"].startswith("gateway-key-")]  # fmt: skip
    assert len(secrets) == 4  # two held, two generated
    # Held keys arrive as the offline placeholder, generated ones as the mock's value behind KEY_PREFIX.
    for marker in (SECRET_PLACEHOLDER, KEY_PREFIX):
        assert [str(p) for p in files if marker in p.read_text(errors="replace")] == [], marker
        assert marker not in result.stdout + result.stderr
    assert plan["outputs"]["gatewayApiKeys"] == "[secret]"


def test_a_plain_text_key_is_refused_without_being_shown(tmp_path):
    from config.issues import ConfigError

    def plain(c):
        c["llm-platform:gatewayApiKeys"] = {"search": {"laptop": "sk-plain-text-key-0123456789abcdefghij"}}

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, plain, base="prod"), "variant")
    assert [i.key for i in exc.value.issues] == ["llm-platform:gatewayApiKeys"]
    assert "--secret" in str(exc.value) and "sk-plain" not in str(exc.value)


def test_an_internet_facing_alb_terminates_tls_for_named_sources_only(tmp_path):
    import kubernetes_validate

    def alb(c):
        c["llm-platform:gateway"]["loadBalancer"] = {
            "type": "alb", "scheme": "internet-facing", "sourceCidrs": ["203.0.113.0/24"],
            "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        }  # fmt: skip

    plan = run_plan(write_variant(tmp_path, alb, base="prod"), "variant")
    ingress = one(plan, "kubernetes:networking.k8s.io/v1:Ingress")
    kubernetes_validate.validate({k: ingress[k] for k in ("apiVersion", "kind", "metadata", "spec")}, "1.35.0",
                                 strict=True)  # fmt: skip
    notes = ingress["metadata"]["annotations"]
    assert notes["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert notes["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTPS": 443}]'
    assert notes["alb.ingress.kubernetes.io/inbound-cidrs"] == "203.0.113.0/24"
    service = one(plan, f"{EG}:EnvoyProxy")["spec"]["provider"]["kubernetes"]["envoyService"]
    assert service == {"name": "llm-gateway", "type": "ClusterIP"}  # the ALB, not an NLB, is the way in
    assert plan.outputs["openaiBaseUrl"] == f"https://{plan.outputs['gatewayDnsName']}/v1"
