"""A model streaming its weights from S3 (`streamFromSource`): no preload Job and no wait for the cache; vLLM
serves the s3:// source with the Run:ai streamer, as the service account holding the model's read-only role
(Pod Identity), told its region; and its cold start reads at the S3 rate."""

from __future__ import annotations

import math

import pytest

from config.issues import ConfigError
from planner.run import run_plan
from tests.conftest import write_variant

SOURCE = "s3://weights-bucket/qwen3-8b"


def streaming(c):
    m = c["llm-platform:models"][0]
    m.update(source=SOURCE, architecture="qwen3-8b", loadFormat="runai_streamer", streamFromSource=True)
    m.pop("revision")


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return run_plan(write_variant(tmp_path_factory.mktemp("p"), streaming, base="prod"), "variant")


def test_no_preload_and_the_server_streams_the_source_as_the_roles_service_account(plan):
    assert not [
        r for r in plan.of_type("kubernetes:batch/v1:Job") if "qwen3-8b" in r["inputs"]["metadata"]["name"]
    ]
    (d,) = [
        r["inputs"]
        for r in plan.of_type("kubernetes:apps/v1:Deployment")
        if r["inputs"]["metadata"]["name"] == "qwen3-8b"
    ]
    pod = d["spec"]["template"]["spec"]
    assert pod["initContainers"] == [] and pod["serviceAccountName"] == "preload-qwen3-8b"
    (server,) = pod["containers"]
    assert (
        f"exec vllm serve {SOURCE} " in server["command"][2]
        and "--load-format runai_streamer" in server["command"][2]
    )
    assert {"name": "AWS_REGION", "value": "us-east-1"} in server["env"]
    (association,) = [r["inputs"] for r in plan.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                      if r["inputs"]["serviceAccount"] == "preload-qwen3-8b"]  # fmt: skip
    assert association["namespace"] == "inference"


def test_its_weights_stage_reads_at_the_s3_rate(plan):
    m = plan.fleet.model("qwen3-8b")
    # The Run:ai benchmarks from S3 at the default concurrency, 16: 15 GB in 8.45 s.
    assert m.cold.next_replica.weights_s == math.ceil(m.weights_gib * 2**30 / (15e9 / 8.45))


def test_streaming_needs_an_s3_source_and_the_streamer(tmp_path):
    def hf(c):
        c["llm-platform:models"][0].update(loadFormat="runai_streamer", streamFromSource=True)

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, hf, base="prod"), "variant")
    (issue,) = exc.value.issues
    assert issue.key == "llm-platform:models[0].streamFromSource" and "s3://" in issue.message


def test_the_streamers_memory_counts_every_rank(tmp_path):
    """vLLM runs a process a GPU, each with its own streamer buffers: prod's qwen3-32b (TP 4, a 230 GiB memory
    limit) takes 4 x 40 GiB, over half the limit, though 40 GiB alone is not."""

    def big_buffers(c):
        c["llm-platform:models"][1]["streamerMemoryLimitGib"] = 40

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, big_buffers, base="prod"), "variant")
    (issue,) = exc.value.issues
    assert issue.key == "llm-platform:models[1].streamerMemoryLimitGib"
    assert "4 ranks x 40 GiB" in issue.message and "at most 28" in issue.message
