"""The per-model objects built from the resolved fleet (serving/), checked property by property."""

from __future__ import annotations

import json

import pytest

from components.model_server import s3_read_policy
from config.loader import load_config
from planner.stackfile import read_stack
from serving import autoscaling, preload, server
from tests.conftest import PROJECT_DIR, model_plan
from vocabulary.objects import HF_TOKEN_SECRET
from vocabulary.scheduling import GPU_TAINT


@pytest.fixture(scope="module")
def prod():
    sf = read_stack(PROJECT_DIR, "prod")
    return load_config(sf.config, sf.path.name, sf.secret_keys)


served = model_plan
QWEN3_32B_REVISION = "9216db5781bf21249d130ec9da846c4624c16137"


def cached(cfg, name: str = "qwen3-32b"):
    """qwen3-32b read from the EFS cache, as a Hub model is (prod streams its copy from S3 instead)."""
    hub = {"source": "hf://Qwen/Qwen3-32B", "revision": QWEN3_32B_REVISION, "stream_from_source": False}
    return model_plan(cfg, name, **hub)


def test_vllm_args_carry_the_sizing_and_the_served_name(prod):
    args = server.vllm_args(served(prod, "qwen3-32b"))
    pairs = dict(zip(args[::2], args[1::2], strict=False))
    assert pairs["--served-model-name"] == "qwen3-32b"
    assert pairs["--tensor-parallel-size"] == "4" and pairs["--max-model-len"] == "32768"
    assert "--enable-prefix-caching" in args and "--quantization" not in args


def test_deployment_serves_only_from_a_complete_cache_on_the_gpus_it_asks_for(prod):
    s = cached(prod)
    d = server.deployment(s, "model-cache")
    pod = d["spec"]["template"]["spec"]
    (vllm,) = pod["containers"]
    assert vllm["image"] == "vllm/vllm-openai:v0.31.0"
    assert (
        vllm["resources"]["limits"]["nvidia.com/gpu"]
        == "4"
        == vllm["resources"]["requests"]["nvidia.com/gpu"]
    )
    cmd = vllm["command"][2]
    assert f"exec vllm serve {s.cache_dir}" in cmd and "torch.cuda.device_count()" in cmd and "n >= 4" in cmd
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in vllm["env"]
    wait = pod["initContainers"][0]["command"][2]
    assert f"{s.cache_dir}/{preload.COMPLETE_MARKER}" in wait
    assert s.cache_dir == "/models/qwen3-32b/9216db5781bf21249d130ec9da846c4624c16137"
    assert pod["tolerations"] == [GPU_TAINT.toleration()]
    # No do-not-disrupt: it would hold Karpenter's drift (AMI updates) for as long as the pod runs.
    assert "karpenter.sh/do-not-disrupt" not in d["spec"]["template"]["metadata"].get("annotations", {})
    assert d["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    shm = next(v for v in pod["volumes"] if v["name"] == "shm")
    assert shm["emptyDir"] == {"medium": "Memory", "sizeLimit": "8Gi"}  # 2 GiB per tensor-parallel rank
    assert (
        pod["terminationGracePeriodSeconds"] > 30
        and vllm["lifecycle"]["preStop"]["exec"]["command"][-1] == "sleep 30"
    )
    cache = next(v for v in pod["volumes"] if v["name"] == "model-cache")
    assert cache["persistentVolumeClaim"] == {"claimName": "model-cache"}  # read-only at each mount instead
    for c in pod["initContainers"] + pod["containers"]:
        for mount in c["volumeMounts"]:
            if mount["name"] == "model-cache":  # only the compile cache's directory is writable
                assert mount.get("readOnly") is True or mount.get("subPath") == "compile-cache", mount


def _writable(container: dict, pod: dict) -> set[str]:
    """Where a container can write: its mounts of emptyDirs (the root filesystem is read-only)."""
    empty = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
    return {m["mountPath"] for m in container["volumeMounts"] if m["name"] in empty}


@pytest.mark.parametrize("streamed", [False, True])
def test_server_pods_run_unprivileged_on_a_read_only_root(prod, streamed):
    s = served(prod, "qwen3-32b") if streamed else cached(prod)
    assert s.loader.from_s3 == streamed
    pod = server.deployment(s, "model-cache")["spec"]["template"]["spec"]
    # The image's own non-root user: torch needs the UID in the image's /etc/passwd.
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": server.VLLM_UID,
        "runAsGroup": server.VLLM_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["automountServiceAccountToken"] is False and pod["enableServiceLinks"] is False
    for c in pod["initContainers"] + pod["containers"]:
        assert c["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, c["name"]
        assert c["imagePullPolicy"] == "IfNotPresent" and ":" in c["image"]
        assert "memory" in c["resources"]["limits"]
    (vllm,) = pod["containers"]
    # The wait for a complete cache, which a pod streaming from S3 does not need.
    assert len(pod["initContainers"]) == (0 if streamed else 1)
    for init in pod["initContainers"]:
        assert "cpu" in init["resources"]["limits"] and _writable(init, pod) == set()
    # vLLM: no CPU limit on purpose (CFS throttling of the threads that feed the GPU); a request sized to the node.
    assert "cpu" not in vllm["resources"]["limits"] and int(vllm["resources"]["requests"]["cpu"]) >= 2
    # Every cache vLLM, torch, Triton and FlashInfer write resolves under HOME or /tmp; NCCL uses /dev/shm.
    assert {"name": "HOME", "value": "/home/vllm"} in vllm["env"]
    assert _writable(vllm, pod) == {"/home/vllm", "/tmp", "/dev/shm"}


@pytest.mark.parametrize("source", ["hf", "s3"])
def test_preload_pods_run_unprivileged_as_a_high_uid(prod, source):
    changes = {} if source == "hf" else {"source": "s3://b/p", "revision": None, "architecture": "qwen3-8b"}
    s = served(prod, "qwen3-8b", **changes)
    pod = preload.preload_job(s, "model-cache", "sa", {})["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == pod["securityContext"]["runAsGroup"] >= 10000
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    # EKS Pod Identity (the S3 role) brings its own token volume: the Kubernetes API token stays unmounted.
    assert pod["serviceAccountName"] == "sa" and pod["automountServiceAccountToken"] is False
    (c,) = pod["containers"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert set(c["resources"]["limits"]) == {"cpu", "memory"}
    assert {"name": "HOME", "value": "/tmp"} in c["env"] and _writable(c, pod) == {"/tmp"}
    assert ("hf-token" in {v["name"] for v in pod["volumes"]}) == (source == "hf")


def test_probes_budget_follows_model_size(prod):
    small, big = served(prod, "qwen3-8b"), cached(prod)
    probes = {}
    for s in (small, big):
        (c,) = server.deployment(s, "pvc")["spec"]["template"]["spec"]["containers"]
        probes[s.name] = c
        assert c["readinessProbe"]["httpGet"]["path"] == "/v1/models"  # ready only once the model is listed
        assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    budget = {
        n: c["startupProbe"]["failureThreshold"] * c["startupProbe"]["periodSeconds"]
        for n, c in probes.items()
    }
    # By hand (fleet/cold_start.py), both on the Run:ai streamer from the cache at concurrency 16, one replica per
    # node: twice the weights at 15 GB in 14.34 s (~998 MiB/s) and an uncached engine start (126 s):
    # 61.0 GiB -> 2 x (63 + 126) = 378 s; 15.3 GiB -> 2 x (16 + 126) = 284 s.
    assert budget["qwen3-32b"] == pytest.approx(378, abs=10) and budget["qwen3-8b"] == pytest.approx(
        284, abs=10
    )
    # Streamed from S3 at concurrency 32 (15 GB in 4.88 s), as prod does: 2 x (22 + 126) = 296 s.
    (streamed,) = server.deployment(served(prod, "qwen3-32b"), "pvc")["spec"]["template"]["spec"][
        "containers"
    ]
    probe = streamed["startupProbe"]
    assert probe["failureThreshold"] * probe["periodSeconds"] == pytest.approx(296, abs=10)


def test_placement_affinity(prod):
    either = server.node_affinity(served(prod, "qwen3-8b"))["nodeAffinity"]
    (term,) = either["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"] == [
        {
            "key": "llm-platform.io/pool",
            "operator": "In",
            "values": ["l40s-on-demand", "l40s-spot", "gpu-spot", "gpu-on-demand"],
        }
    ]
    assert either["preferredDuringSchedulingIgnoredDuringExecution"][0]["preference"]["matchExpressions"][0][
        "values"
    ] == ["spot"]
    od = server.node_affinity(served(prod, "qwen3-32b"))["nodeAffinity"]
    exprs = od["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchExpressions"]
    assert {"key": "llm-platform.io/capacity-type", "operator": "In", "values": ["on-demand"]} in exprs
    assert "preferredDuringSchedulingIgnoredDuringExecution" not in od


def test_queries_are_aggregated_and_filtered_by_namespace_and_model(prod):
    q = autoscaling.queries(served(prod, "qwen3-8b"))
    for query in q.values():
        assert 'namespace="inference",model_name="qwen3-8b"' in query
    assert q["queue"] == 'sum(vllm:num_requests_waiting{namespace="inference",model_name="qwen3-8b"})'
    assert q["ttft_p95"].startswith(
        "(histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket"
    )
    assert q["kv_cache"].startswith("max(vllm:kv_cache_usage_perc")


def test_scaled_object_scales_up_fast_down_slowly_with_fallback(prod):
    so = autoscaling.scaled_object(served(prod, "qwen3-8b"), "http://prom:9090")["spec"]
    assert (so["minReplicaCount"], so["maxReplicaCount"]) == (2, 8)
    (queue,) = so["triggers"]
    assert queue["metricType"] == "AverageValue" and queue["metadata"]["threshold"] == "4"
    assert queue["metadata"]["serverAddress"] == "http://prom:9090"
    behavior = so["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] >= 300
    assert so["fallback"] == {"failureThreshold": 3, "replicas": 2}


def test_optional_triggers_and_warm_windows(prod):
    from config.schema.models import AutoscalingConfig

    auto = AutoscalingConfig.model_validate(
        {"ttftP95Seconds": 2.5, "kvCacheUsage": 0.85,
         "warmWindows": [{"timezone": "Europe/Berlin", "start": "0 8 * * 1-5", "end": "0 19 * * 1-5", "replicas": 3}]}
    )  # fmt: skip
    so = autoscaling.scaled_object(served(prod, "qwen3-8b", autoscaling=auto), "http://prom:9090")["spec"]
    kinds = [(t["type"], t.get("metricType")) for t in so["triggers"]]
    assert kinds == [
        ("prometheus", "AverageValue"),
        ("prometheus", "Value"),
        ("prometheus", "Value"),
        ("cron", None),
    ]
    assert so["triggers"][1]["metadata"]["threshold"] == "2.5"
    assert so["triggers"][3]["metadata"] == {
        "timezone": "Europe/Berlin",
        "start": "0 8 * * 1-5",
        "end": "0 19 * * 1-5",
        "desiredReplicas": "3",
    }
    assert "fallback" not in so  # KEDA refuses fallback with Value triggers


def test_ttft_target_must_sit_on_a_bucket_edge():
    from pydantic import ValidationError

    from config.schema.models import AutoscalingConfig

    with pytest.raises(ValidationError, match="bucket edge"):
        AutoscalingConfig.model_validate({"ttftP95Seconds": 2.0})


def test_preload_is_idempotent_per_revision_and_skips_unused_files(prod):
    s = served(prod, "qwen3-8b")
    script = preload.preload_script(s)
    assert script.startswith("set -eu; if [ -f ")
    assert f"hf download Qwen/Qwen3-8B --revision {s.config.revision} --local-dir {s.cache_dir}" in script
    assert script.index("hf download") < script.index(
        f"mv {s.cache_dir}/.llm-platform-complete.tmp"
    )  # marker last
    job = preload.preload_job(s, "model-cache", "preload-qwen3-8b", {"llm-platform.io/pool": "system"})
    pod = job["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"llm-platform.io/pool": "system"} and "tolerations" not in pod
    # The token is a file from the optional Secret, never an environment variable.
    (fetch,) = pod["containers"]
    assert {"name": "HF_TOKEN_PATH", "value": f"{preload.HF_TOKEN_DIR}/token"} in fetch["env"]
    assert all("valueFrom" not in e for e in fetch["env"])
    token = next(v for v in pod["volumes"] if v["name"] == "hf-token")
    assert token["secret"] == {"secretName": HF_TOKEN_SECRET, "optional": True}
    assert {"name": "hf-token", "mountPath": preload.HF_TOKEN_DIR, "readOnly": True} in fetch["volumeMounts"]
    llama = served(prod, "qwen3-8b", source="hf://meta-llama/Llama-3.1-8B-Instruct", architecture=None)
    excludes = preload.preload_script(llama)
    assert "--exclude 'original/*'" in excludes


def test_s3_sources_sync_with_a_role_scoped_to_their_prefix(prod):
    s = served(
        prod, "qwen3-8b", source="s3://weights-bucket/qwen/qwen3-8b", revision=None, architecture="qwen3-8b"
    )
    assert (
        "aws s3 sync s3://weights-bucket/qwen/qwen3-8b /models/qwen3-8b/snapshot" in preload.preload_script(s)
    )
    job = preload.preload_job(s, "model-cache", "sa", {})
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].startswith("amazon/aws-cli:")
    policy = s3_read_policy("weights-bucket", "qwen/qwen3-8b")
    listing, read = policy["Statement"]
    assert listing["Resource"] == "arn:aws:s3:::weights-bucket"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["qwen/qwen3-8b/*"]}}
    assert read == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::weights-bucket/qwen/qwen3-8b/*",
    }
    assert "*" not in json.dumps([s["Action"] for s in policy["Statement"]])
