"""Model limits: maxModelLen within the model's context (config.json's max_position_embeddings), past it only with
an explicit ropeScaling, and that scaling served to vLLM 0.31.0 the way it takes it (`--hf-overrides`)."""

from __future__ import annotations

import json
import shlex

import pytest

from catalog.models import MODEL_CATALOG
from config.issues import ConfigError
from config.loader import check_config
from fleet.load import load_fleet
from fleet.resolved import RopeOverride
from planner.stackfile import read_stack
from serving.server import deployment, vllm_args
from tests.conftest import PROJECT_DIR

REV = "c1899de289a04d12100db370d81485cdf75e47ca"
CUSTOM = {
    "paramsB": 7.0,
    "layers": 32,
    "hiddenSize": 4096,
    "attentionHeads": 32,
    "kvHeads": 8,
    "headDim": 128,
}


def stack(models: list[dict]) -> dict[str, str]:
    c = dict(read_stack(PROJECT_DIR, "dev").config)
    c["llm-platform:models"] = json.dumps(models)
    addons = json.loads(c["llm-platform:addons"])
    addons["gpuOperator"].pop("timeSlicing", None)
    c["llm-platform:addons"] = json.dumps(addons)
    return c


def entry(source: str, max_model_len: int, **kw) -> dict:
    return {"name": "m1", "source": source, "revision": REV, "maxModelLen": max_model_len, "minConcurrency": 1,
            "placement": {"pools": ["gpu-spot"]}, **kw}  # fmt: skip


def rule_issues(models: list[dict]) -> dict[str, str]:
    """The issues of the config rules and the schema alone (no placement)."""
    return {i.key: i.message for i in check_config(stack(models)).issues}


KEY = "llm-platform:models[0].maxModelLen"


@pytest.mark.parametrize(
    ("model", "limit"), [("qwen3-32b", 40960), ("qwen3-8b", 40960), ("qwen3-0.6b", 40960), ("mixtral-8x7b-instruct", 32768)]
)  # fmt: skip
def test_a_context_past_the_models_is_refused_with_the_limit(model, limit):
    hf = MODEL_CATALOG[model].hf_id
    assert KEY not in rule_issues([entry(f"hf://{hf}", limit)])  # the limit itself is fine
    msg = rule_issues([entry(f"hf://{hf}", limit + 256)])[KEY]
    assert f"above {hf}'s context of {limit:,} tokens (max_position_embeddings" in msg
    assert f"maxModelLen <= {limit}" in msg


def test_the_way_out_is_the_yarn_the_model_card_documents():
    msg = rule_issues([entry("hf://Qwen/Qwen3-32B", 131072)])[KEY]
    assert (
        "ropeScaling: {type: yarn, factor: 4, originalMaxPositionEmbeddings: 32768} (the model card's YaRN"
        in msg
    )
    # Past the card's 4x the factor needed is offered, and said to be beyond what the card documents.
    longer = rule_issues([entry("hf://Qwen/Qwen3-32B", 262144)])[KEY]
    assert "factor: 8," in longer and "beyond the 4x its model card documents" in longer
    # Mistral's card documents no rope scaling: only the shorter context is offered.
    assert "ropeScaling" not in rule_issues([entry("hf://mistralai/Mistral-7B-Instruct-v0.3", 65536)])[KEY]


def test_an_explicit_rope_scaling_raises_the_limit_to_factor_times_original():
    yarn = {"factor": 4}  # type yarn; original: the card's 32,768
    assert KEY not in rule_issues([entry("hf://Qwen/Qwen3-32B", 131072, ropeScaling=yarn)])
    msg = rule_issues([entry("hf://Qwen/Qwen3-32B", 131072, ropeScaling={"factor": 2})])[KEY]
    assert (
        "above the 65,536 tokens ropeScaling allows (factor 2 x 32,768" in msg
        and "ropeScaling.factor >= 4" in msg
    )
    stated = {"factor": 2, "originalMaxPositionEmbeddings": 40960}
    assert KEY not in rule_issues([entry("hf://Qwen/Qwen3-32B", 81920, ropeScaling=stated)])


def test_a_native_long_context_needs_no_rope_scaling_and_takes_none():
    # Llama 3.1 ships llama3 rope scaling: its 131,072 positions are native, and a ropeScaling would replace it.
    llama = "hf://meta-llama/Llama-3.1-8B-Instruct"
    assert KEY not in rule_issues([entry(llama, 131072)])
    assert "includes the llama3 rope scaling it ships" in rule_issues([entry(llama, 262144)])[KEY]
    msg = rule_issues([entry(llama, 262144, ropeScaling={"factor": 2})])["llm-platform:models[0].ropeScaling"]
    assert "ships llama3 rope scaling already" in msg
    assert (
        "ships yarn"
        in rule_issues([entry("hf://openai/gpt-oss-20b", 8192, ropeScaling={"factor": 2})])[
            "llm-platform:models[0].ropeScaling"
        ]
    )


def test_a_custom_architecture_has_no_known_limit_but_its_rope_scaling_must_say_everything():
    custom = entry("s3://weights-bucket/my-model", 262144, architecture=CUSTOM)
    custom.pop("revision")
    assert not [k for k in rule_issues([custom]) if k.startswith("llm-platform:models[0]")]
    errs = rule_issues([{**custom, "ropeScaling": {"factor": 4}}])
    assert (
        "required with a custom architecture"
        in errs["llm-platform:models[0].ropeScaling.originalMaxPositionEmbeddings"]
    )
    assert "required with a custom architecture" in errs["llm-platform:models[0].ropeScaling.ropeTheta"]
    full = {"factor": 4, "originalMaxPositionEmbeddings": 32768, "ropeTheta": 500000}
    over = rule_issues([{**custom, "ropeScaling": full}])
    assert "above the 131,072 tokens ropeScaling allows" in over[KEY]  # stated, so checked


def test_hf_overrides_in_extra_args_cannot_stretch_the_context_behind_the_check():
    # extraArgs may not carry --hf-overrides (config/schema/vllm_args.py): the context goes through ropeScaling.
    key = "llm-platform:models[0].extraArgs"
    for extra in (["--hf-overrides", '{"max_position_embeddings": 131072}'],
                  ["--hf-overrides.rope_parameters.factor", "4"]):  # fmt: skip
        assert "ropeScaling" in rule_issues([entry("hf://Qwen/Qwen3-8B", 8192, extraArgs=extra)])[key]


def served_overrides(models: list[dict]) -> dict:
    """The --hf-overrides the Deployment's container command passes, parsed as the shell and vLLM would."""
    fleet = load_fleet(stack(models), "x")
    m = fleet.model("m1")
    command = shlex.split(
        deployment(m, "model-cache")["spec"]["template"]["spec"]["containers"][0]["command"][2]
    )
    return json.loads(command[command.index("--hf-overrides") + 1])


def test_yarn_is_served_as_rope_parameters_with_the_scaled_limit_and_the_models_rope_theta():
    got = served_overrides([entry("hf://Qwen/Qwen3-8B", 65536, ropeScaling={"factor": 2})])
    # vLLM 0.31.0 takes yarn's max_position_embeddings as already scaled (_get_and_verify_max_len).
    assert got == {
        "max_position_embeddings": 65536,
        "rope_parameters": {"rope_type": "yarn", "factor": 2.0, "original_max_position_embeddings": 32768,
                            "rope_theta": MODEL_CATALOG["qwen3-8b"].rope_theta},
    }  # fmt: skip


def test_linear_scaling_leaves_the_multiplication_to_vllm_and_keeps_a_non_default_theta():
    # R1-Distill-Qwen-7B keeps Qwen2.5-Math's rope_theta 10,000, the 32B Qwen2.5's 1,000,000: each passed on.
    r1 = served_overrides([entry("hf://deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", 262144,
                                 ropeScaling={"type": "linear", "factor": 2})])  # fmt: skip
    assert r1["max_position_embeddings"] == 131072  # vLLM multiplies it by factor for linear: 262,144
    assert r1["rope_parameters"]["rope_theta"] == 10_000.0 and r1["rope_parameters"]["rope_type"] == "linear"
    r32 = served_overrides([entry("hf://deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", 262144,
                                  ropeScaling={"type": "dynamic", "factor": 2})])  # fmt: skip
    assert r32["max_position_embeddings"] == 131072 and r32["rope_parameters"]["rope_theta"] == 1e6


def test_a_model_without_rope_scaling_gets_no_override():
    fleet = load_fleet(stack([entry("hf://Qwen/Qwen3-8B", 32768)]), "x")
    assert fleet.model("m1").rope is None and "--hf-overrides" not in vllm_args(fleet.model("m1"))


@pytest.mark.parametrize("rope_type", ["yarn", "linear", "dynamic"])
def test_every_rope_type_lets_vllm_accept_exactly_the_limit(rope_type):
    r = RopeOverride(rope_type, 4.0, 32768, 1e6, 131072)
    o = r.hf_overrides()
    # vLLM's derived limit: max_position_embeddings, times factor unless yarn (vllm/config/model.py).
    derived = o["max_position_embeddings"] * (1 if rope_type == "yarn" else o["rope_parameters"]["factor"])
    assert derived == r.max_context == 131072


def test_a_limit_issue_comes_before_any_resource_with_the_rest():
    with pytest.raises(ConfigError) as exc:
        load_fleet(stack([entry("hf://Qwen/Qwen3-32B", 131072)]), "Pulumi.dev.yaml")
    assert KEY in {i.key for i in exc.value.issues}
