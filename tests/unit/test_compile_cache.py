"""The shared compile cache: its directory changes when an input vLLM hashes changes, and only then; it is seeded
into each replica's own cache and published whole, once, even when two replicas publish at the same moment."""

from __future__ import annotations

import http.server
import subprocess
import threading

import pytest

from serving import compile_cache as cc
from serving.server import ENV, image, vllm_args
from tests.conftest import model_plan


def key_of(plans, **changes) -> str:
    m = model_plan(plans["prod"].config, "qwen3-8b", **changes)
    return cc.cache_key(m, image(m), vllm_args(m), ENV)


@pytest.mark.parametrize(
    "change",
    [{"revision": "0" * 40}, {"tensor_parallel_size": 2}, {"dtype": "float16"}, {"quantization": "fp8"},
     {"max_model_len": 16384}, {"max_num_seqs": 32}, {"kv_cache_dtype": "fp8"}, {"extra_args": ["--enforce-eager"]},
     {"image": "vllm/vllm-openai:v0.30.0"}],
)  # fmt: skip
def test_the_key_changes_with_every_input_vllm_hashes(plans, change):
    assert key_of(plans, **change) != key_of(plans)


@pytest.mark.parametrize("change", [{"gpu_memory_utilization": 0.8}, {"prefix_caching": False},
                                    {"load_format": "auto"}, {"streamer_concurrency": 4},
                                    {"streamer_memory_limit_gib": 2}, {"replicas": {"min": 1, "max": 3}}])  # fmt: skip
def test_the_key_stays_for_what_vllm_does_not_hash(plans, change):
    """vLLM 0.31.0's LoadConfig.compute_hash has no factors: the loader and its settings share one cache."""
    assert plans["prod"].fleet.model("qwen3-8b").config.load_format == "runai_streamer"  # each change is one
    assert key_of(plans, **change) == key_of(plans)


def test_the_server_mounts_the_shared_cache_writable_and_the_weights_read_only(plans):
    (d,) = [
        r
        for r in plans["prod"].of_type("kubernetes:apps/v1:Deployment")
        if r["inputs"]["metadata"]["name"] == "qwen3-8b"
    ]
    (server,) = d["inputs"]["spec"]["template"]["spec"]["containers"]
    mounts = {v["mountPath"]: v for v in server["volumeMounts"]}
    assert mounts["/models"]["readOnly"] is True
    assert mounts[cc.SHARED_ROOT] == {
        "name": "model-cache",
        "mountPath": cc.SHARED_ROOT,
        "subPath": cc.SUBPATH,
    }
    assert {"name": "VLLM_CACHE_ROOT", "value": cc.LOCAL_ROOT} in server["env"]
    command = server["command"][2]
    assert command.index("|| exit 1") < command.index("exec vllm serve")  # no GPU: no serving, no publishing


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_two_replicas_publishing_at_once_leave_one_whole_directory(tmp_path, monkeypatch, plans):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(cc, "HEALTH", f"http://127.0.0.1:{server.server_port}/health")
    monkeypatch.setattr(cc, "SHARED_ROOT", str(tmp_path / "shared"))
    m = plans["prod"].fleet.model("qwen3-8b")
    runs = []
    for pod in ("a", "b"):
        local = tmp_path / f"local-{pod}"
        monkeypatch.setattr(cc, "LOCAL_ROOT", str(local))
        script = cc.seed_and_publish(m, "k") + f"printf {pod} > {local}/artefact; wait"
        runs.append(
            subprocess.Popen(["/bin/sh", "-c", script], env={"HOSTNAME": pod, "PATH": "/usr/bin:/bin"})
        )
    assert [r.wait(timeout=60) for r in runs] == [0, 0]
    server.shutdown()
    published = tmp_path / "shared" / m.name
    assert sorted(p.name for p in published.iterdir()) == ["k"]  # no temporary directory left behind
    assert (published / "k" / "artefact").read_text() in {"a", "b"}
    # The next replica starts from it.
    local = tmp_path / "local-c"
    monkeypatch.setattr(cc, "LOCAL_ROOT", str(local))
    subprocess.run(["/bin/sh", "-c", cc.seed_and_publish(m, "k").split("( ")[0]], check=True)
    assert (local / "artefact").exists()
