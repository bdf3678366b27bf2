"""`models[].extraArgs`: read the way vLLM 0.31.0's `vllm serve` reads argv, and refused item by item."""

from __future__ import annotations

import random
import string

import pytest

from catalog.gpus import GPU_INSTANCES
from catalog.images import SERVING_IMAGES
from catalog.vllm import VLLM_VERSION
from catalog.vllm_flags import GENERATED_FROM, SPELLINGS, VLLM_SERVE_FLAGS
from catalog.vllm_hardware import max_num_batched_tokens
from config.issues import ConfigError
from config.loader import load_config
from config.schema.rope import RopeScalingConfig
from config.schema.vllm_args import (
    MANAGED_VLLM_FLAGS,
    READ_BY_SIZING,
    REFUSED,
    ExtraArgsError,
    check_extra_args,
    credential_in,
)
from fleet.load import load_fleet
from planner.stackfile import read_stack
from serving.server import vllm_args
from tests.conftest import PROJECT_DIR, model_plan
from tests.unit.test_models_config import errors, model, with_models


def refusal(args: list[str]) -> str:
    with pytest.raises(ExtraArgsError) as exc:
        check_extra_args(args)
    return str(exc.value)


# -- the table of vLLM's flags --------------------------------------------------------------------------------


def test_the_flag_table_was_generated_from_the_pinned_vllm():
    assert GENERATED_FROM == VLLM_VERSION
    assert SERVING_IMAGES["vllm"].endswith(f":v{GENERATED_FROM}")


def test_every_spelling_belongs_to_one_flag_and_reads_as_a_flag():
    assert len(SPELLINGS) == sum(len(f.spellings) for f in VLLM_SERVE_FLAGS) == 422
    assert all(f.name.startswith("--") and not f.name.startswith("--no-") for f in VLLM_SERVE_FLAGS)
    assert all(s.startswith("-") and " " not in s and "=" not in s and "." not in s for s in SPELLINGS)


def test_the_table_holds_what_vllm_0_31_0_registers():
    # Short aliases, second names, the `--no-` form of booleans, and what each takes (argparse's nargs).
    assert SPELLINGS["-tp"].name == "--tensor-parallel-size" and SPELLINGS["-tp"].takes == "one"
    assert SPELLINGS["-q"].name == "--quantization" and SPELLINGS["-pp"].name == "--pipeline-parallel-size"
    assert SPELLINGS["--device-memory-utilization"].name == "--gpu-memory-utilization"
    assert SPELLINGS["--no-enable-prefix-caching"].name == "--enable-prefix-caching"
    assert SPELLINGS["--enforce-eager"].takes == "nothing" and SPELLINGS["--headless"].takes == "nothing"
    assert (
        SPELLINGS["--api-key"].takes == "one or more"
        and SPELLINGS["--served-model-name"].takes == "one or more"
    )
    assert SPELLINGS["--hf-token"].takes == "optional"
    assert "--kv-cache-memory-bytes" in SPELLINGS and "--optimization-level" in SPELLINGS
    # Gone by 0.31.0 (or never there): a typo of these would crash-loop the pod.
    assert not {"--swap-space", "--kv-cache-memory", "--rope-scaling", "--disable-log-requests"} & set(
        SPELLINGS
    )


def test_every_refusal_names_a_flag_of_the_table():
    # A typo in REFUSED would refuse nothing; a `--no-` key refuses only that form.
    for flag in REFUSED:
        assert flag in SPELLINGS and (SPELLINGS[flag].name == flag or flag.startswith("--no-")), flag


@pytest.fixture(scope="module")
def prod():
    sf = read_stack(PROJECT_DIR, "prod")
    return load_config(sf.config, sf.path.name, sf.secret_keys)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"quantization": "fp8", "kv_cache_dtype": "fp8", "prefix_caching": False},
        {"rope_scaling": RopeScalingConfig(factor=2)},
    ],
)
def test_the_platforms_own_flags_are_all_refused_as_set_by_the_platform(prod, changes):
    # Every flag serving/server.py passes itself is a real vLLM flag, with a value where it takes one, and
    # extraArgs may not set it again (argparse keeps the last one: an extra flag would silently win).
    own = vllm_args(model_plan(prod, "qwen3-32b", **changes))
    flags = [a for a in own if a.startswith("--")]
    assert len(flags) >= 8
    for flag in flags:  # keyed by the flag's name, or by the `--no-` form itself
        assert (flag if flag in REFUSED else SPELLINGS[flag].name) in MANAGED_VLLM_FLAGS, flag
    message = refusal(own)
    assert "needs a value" not in message and "no flag" not in message and "positional" not in message
    assert message.count("is set by the platform") == len(flags)


# -- flags the platform sets or sizes, in every spelling vLLM accepts -----------------------------------------


@pytest.mark.parametrize(
    ("args", "shown", "says"),
    [
        (["--max_model_len=65536"], "--max_model_len=65536", "vLLM reads it as `--max-model-len`"),
        (["-tp", "2"], "-tp 2", "`-tp` (`--tensor-parallel-size`)"),
        (["--max-model", "4096"], "--max-model 4096", "vLLM reads it as `--max-model-len`"),
        (["-t", "2"], "-t 2", "vLLM reads it as `-tp`"),
        (["-qfp8"], "-qfp8", "vLLM reads it as `-q`"),
        (["--no-enable-prefix"], "--no-enable-prefix", "vLLM reads it as `--no-enable-prefix-caching`"),
        (
            ["--device-memory-utilization", "0.5"],
            "--device-memory-utilization 0.5",
            "`--gpu-memory-utilization`",
        ),
        (["--hf-overrides.rope_scaling.factor", "4"], "--hf-overrides.rope_scaling.factor 4", "a key of"),
        (["--hf_overrides={}"], "--hf_overrides={}", "vLLM reads it as `--hf-overrides`"),
    ],
)
def test_a_platform_flag_is_refused_in_any_spelling(args, shown, says):
    message = refusal(args)
    assert message.startswith(f"item 0 (`{shown}`): ") and says in message
    assert "is set by the platform" in message and "instead" in message


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--max-model-len", "8192"], "maxModelLen"),
        (["-tp", "2"], "tensorParallelSize"),
        (["--served-model-name", "a", "b"], "name"),
        (["-q", "awq"], "quantization"),
        (["--kv-cache-dtype=fp8_e5m2"], "kvCacheDtype"),
        (["--enable-prefix-caching"], "prefixCaching"),
        (["--hf-overrides", '{"rope_scaling": {"rope_type": "yarn"}}'], "ropeScaling"),
        (["--revision", "main"], "revision"),
        (["--tokenizer", "other/repo"], "source"),
    ],
)
def test_the_refusal_names_the_model_key_to_set(args, key):
    assert f"set the model's `{key}` instead" in refusal(args)


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--pipeline-parallel-size=2"], "more GPUs than the pod gets"),
        (["-pp", "2"], "more GPUs than the pod gets"),
        (["-dp", "2"], "data parallel"),
        (["--data-parallel-size-local", "2"], "data parallel"),
        (["-ep"], "experts"),
        (["--nnodes", "2"], "several nodes"),
        (["--distributed-executor-backend", "ray"], "Ray cluster"),
        (["--cpu-offload-gb", "8"], "host memory"),
        (["--kv-offloading-size", "16"], "host memory"),
        (["--kv-cache-memory-bytes", "8G"], "sizes the KV cache directly"),
        (["--num-gpu-blocks-override", "1000"], "sizes the KV cache directly"),
        (["--speculative-config", '{"method": "ngram"}'], "draft model"),
        (["--enable-lora"], "LoRA"),
        (["--kv-transfer-config", "{}"], "other engines"),
    ],
)
def test_placement_and_memory_flags_are_refused_with_why(args, why):
    assert why in refusal(args)


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--port", "9000"], "the Service, the probes and the PodMonitor use 8000"),
        (["--host", "127.0.0.1"], "listens on every address"),
        (["--uds", "/tmp/v.sock"], "Unix socket"),
        (["--grpc"], "gRPC"),
        (["--ssl-keyfile", "/k.pem", "--ssl-certfile", "/c.pem"], "TLS"),
        (["--disable-log-stats"], "KEDA, the alerts and the dashboards"),
        (["--help"], "exits"),
        (["--hel"], "exits"),
        (["--help=ModelConfig"], "exits"),
        (["--config", "serve.yaml"], "YAML file"),
        (["--model", "other/repo"], "cached copy of `source`"),
        (["--load-format", "dummy"], "`loadFormat`"),
        (["--download-dir", "/tmp"], "llm-platform:modelCache"),
    ],
)
def test_flags_the_pod_relies_on_are_refused(args, why):
    assert why in refusal(args)


@pytest.mark.parametrize(
    ("args", "batch"),
    [
        (["--max-num-batched-tokens", "32768"], 32768),
        (["--max-num-batched-tokens=4096"], 4096),
        (["--performance-mode", "throughput"], 16384),
        (["--no-enable-chunked-prefill"], 65536),
    ],
)
def test_the_prefill_batch_flags_sizing_reads_are_allowed(args, batch):
    # Sizing models them: the activation reserve follows the batch they set (8,192 by default on an H100).
    h100 = GPU_INSTANCES["p5.4xlarge"]
    assert check_extra_args(args) == args
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=65536, extra_args=args) == batch


@pytest.mark.parametrize(
    "args",
    [
        ["--max_num_batched_tokens", "32768"],
        ["--max-num-b", "32768"],
        ["--max-num-batched-tokens", "32k"],
        ["--perf", "throughput"],
        ["--no-enable-chunked"],
    ],
)
def test_a_prefill_batch_flag_sizing_would_miss_is_refused(args):
    # vLLM reads each of these, sizing's reader does not: the reserve would be sized for the default batch.
    h100 = GPU_INSTANCES["p5.4xlarge"]
    assert max_num_batched_tokens(h100, max_num_seqs=64, max_model_len=65536, extra_args=args) == 8192
    assert "sizing reads it only as" in refusal(args)
    assert set(READ_BY_SIZING) == {
        "--max-num-batched-tokens",
        "--performance-mode",
        "--no-enable-chunked-prefill",
    }


def test_turning_a_refused_mode_off_or_a_harmless_value_is_allowed():
    allowed = [
        "--no-enable-expert-parallel",
        "--enable-chunked-prefill",
        "--performance-mode",
        "interactivity",
        "--distributed-executor-backend=mp",
        "--all2all-backend",
        "allgather_reducescatter",  # a knob of a refused mode: without the mode it does nothing
    ]
    assert check_extra_args(allowed) == allowed


# -- what vLLM would exit on -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--swap-space", "4"], "vLLM 0.31.0 has no flag `--swap-space`"),
        (["--enforce-eagre"], "did you mean `--enforce-eager`?"),
        (["-tp2"], "no flag `-tp2`"),
        (
            ["--max-num", "4"],
            "could be `--max-num-batched-tokens`, `--max-num-scheduled-tokens`, `--max-num-seqs`",
        ),
        (["--device", "cuda"], "could be `--device-ids`, `--device-memory-utilization`"),
        (["-d", "x"], "vLLM refuses the abbreviation `-d`"),
        (["-O"], "`-O` needs its level"),
    ],
)
def test_unknown_and_ambiguous_flags_are_refused(args, says):
    message = refusal(args)
    assert message.startswith("item 0 (") and says in message


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--seed"], "`--seed` needs a value (nothing follows it)"),
        (["--seed", "--enforce-eager"], "`--seed` needs a value (the next item is a flag)"),
        (["--chat-template", "-x"], "`--chat-template` needs a value"),
        (["--lora-target-modules"], "needs a value"),
        (["--enforce-eager=true"], "`--enforce-eager` takes no value"),
        (["--default-chat-template-kwargs.enable_thinking"], "needs a value after it"),
        (["--enforce-eager.x", "1"], "`--enforce-eager` takes no value"),
    ],
)
def test_a_missing_or_unexpected_value_is_refused(args, says):
    assert says in refusal(args)


def test_one_item_with_a_flag_and_its_value_is_a_stray_positional():
    # The container quotes each item on its own: vLLM gets one argv entry, which argparse reads as a positional.
    message = refusal(["--enforce-eager", "--max-model-len 65536"])
    assert message.startswith("item 1 (`--max-model-len 65536`): one item holding a flag and its value")
    assert "write `--max-model-len` and its value as two items" in message and "maxModelLen" in message
    assert "write `--seed`" in refusal(["--seed 7"]) and "maxModelLen" not in refusal(["--seed 7"])


@pytest.mark.parametrize(
    ("args", "index"),
    [(["stray"], 0), (["--enforce-eager", "x"], 1), (["--seed", "1", "2"], 2), ([""], 0), (["--", "x"], 0)],
)
def test_a_stray_positional_is_refused(args, index):
    message = refusal(args)
    assert message.startswith(f"item {index} (") and (
        "positional" in message or "ends vLLM's flags" in message
    )


def test_a_negative_decimal_must_be_glued_to_its_flag():
    # vLLM's dotted pass reads `-0.5` as `-0` with a key `5` (and takes the next item as its value).
    message = refusal(["--kv-cache-metrics-sample", "-0.5"])
    assert "item 0 (`--kv-cache-metrics-sample`): `--kv-cache-metrics-sample` needs a value" in message
    assert "item 1 (`-0.5`): vLLM reads `-0.5` as a `--flag.key`" in message
    assert check_extra_args(["--kv-cache-metrics-sample=-0.5", "--seed", "-1"])


def test_every_problem_is_named_at_once_in_item_order():
    message = refusal(["--enforce-eager", "-tp", "2", "--swap-space", "4", "--api-key", "k"])
    items = [part.split(" (", 1)[0] for part in message.split("; ")]
    assert items == ["item 1", "item 3", "item 4", "item 5"]


def test_realistic_extra_args_pass_unchanged():
    args = [
        "--enforce-eager",
        "--seed", "0",
        "--tool-call-parser", "hermes", "--enable-auto-tool-choice",
        "--reasoning-parser", "qwen3",
        "--chat-template", "/models/qwen3-8b/c1899de289a04d12100db370d81485cdf75e47ca/chat_template.jinja",
        "-O3",
        "--compilation-config", '{"cudagraph_mode": "PIECEWISE"}',
        "--compilation_config.pass_config.fuse_norm_quant", "true",
        "--default-chat-template-kwargs", '{"enable_thinking": false}',
        "--override-generation-config", '{"temperature": 0.6, "top_p": 0.95}',
        "--limit-mm-per-prompt.image", "2",
        "--max-logprobs", "-1",
        "--block-size=32",
        "--max_num_active_seqs", "16",
        "--trust-remote-code",
        "--uvicorn-log-level", "warning",
        "--allowed-origins", '["https://chat.example.com"]',
        "--otlp-traces-endpoint", "http://otel-collector.observability:4317",
        "--middleware", "my_org.middleware.AuditLog",
    ]  # fmt: skip
    assert check_extra_args(args) == args


def test_the_stack_key_names_the_model_and_the_item():
    errs = errors(
        [model(extraArgs=["--enforce-eager", "-tp", "2"]), model(name="m2", extraArgs=["--seed", "1"])]
    )
    assert list(errs) == ["llm-platform:models[0].extraArgs"]
    assert errs["llm-platform:models[0].extraArgs"].startswith(
        "item 1 (`-tp 2`): `-tp` (`--tensor-parallel-size`)"
    )


# -- credentials ----------------------------------------------------------------------------------------------

# Made-up credentials of each format (none is real).
OPENAI = "sk-proj-Xq7bT2kLm9PzR4vN8cW1yH6dJ3fG5sA0eU2iO7pQ9rZ4tB8nM1xV6wC3"
CREDENTIALS = {
    OPENAI: "OpenAI",
    "sk-ant-api03-Zx9Kq2Lw7Pm4Nv8Rt1Yb6Hc3Jd5Fg0Es2Au7Io9Pq4Rz8Tb1Nm6Xv3Wc5Ky0Lh": "Anthropic",
    "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": "Hugging Face",
    "AKIAZ7EXAMPLE4Q2MNOP": "AWS access key",
    "ASIAY3EXAMPLE8K5RSTU": "AWS access key",
    "ghp_Zk8Qw3Er7Ty1Ui5Op9As2Df6Gh0Jk4Lz8Xc3V": "GitHub",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN": "GitHub",
    "Bearer q7Zk2Lm9Xw4Pv8Rt1Nb6Hc3Jd5Fg0": "bearer",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.Zq7bT2kLm9PzR4vN8cW1yH6dJ3fG5sA0": "JSON Web Token",
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx": "Slack",
    "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC": "private key",
    "https://otel:Hunter2Pass@collector.example.com:4317": "password in a URL",
    '{"api_key": "abc123def"}': "credential's name",
    "wJalrXUtnFEMI+K7MDENGbPxRfiCYq3Zk8Lw2": "generated secret",
}


@pytest.mark.parametrize("secret", CREDENTIALS)
def test_a_value_that_looks_like_a_credential_is_refused_and_never_echoed(secret):
    kind, _ = credential_in(secret)
    assert CREDENTIALS[secret] in kind
    with pytest.raises(ExtraArgsError) as exc:
        check_extra_args(["--enforce-eager", "--otlp-traces-endpoint", secret])
    message = str(exc.value)
    assert (
        message.startswith("item 2 (`<redacted>`): looks like")
        and "`ps`, the Deployment, the plan" in message
    )
    for part in (secret, secret[4:20], secret[-12:]):
        assert part not in message


@pytest.mark.parametrize(
    "args",
    [
        ["--api-key", "not-a-known-format"],
        ["--api-key=short", "--enforce-eager"],
        ["--api-key", OPENAI, "second-key"],
        ["--api_key=" + OPENAI],
        ["--hf-token", "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"],
        ["--hf-token"],
    ],
)
def test_api_key_and_hf_token_are_refused_without_showing_the_value(args):
    with pytest.raises(ExtraArgsError) as exc:
        check_extra_args(args)
    message = str(exc.value)
    assert "on the command line, where `ps`, the Deployment, the plan and Pulumi state show it" in message
    assert message.count("item 0 (") == 1 and ("<redacted>" in message or args == ["--hf-token"])
    for value in args[1:] + [a.partition("=")[2] for a in args]:
        assert not value or value == "--enforce-eager" or value not in message


# Real flag values of the kinds extraArgs carries: model ids, vLLM class names, paths with commit shas, JSON.
# None may read as a credential (a false refusal would block a valid config).
NOT_CREDENTIALS = [
    "Qwen/Qwen3-30B-A3B-Instruct-2507-FP8",
    "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8",
    "TheBloke/Llama-2-13B-chat-GPTQ:gptq-4bit-32g-actorder_True",
    "neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8-dynamic",
    "nm-testing/Meta-Llama-3-8B-Instruct-W8A8-Dynamic-Per-Token-Test",
    "ModelCloud/DeepSeek-R1-Distill-Qwen-7B-gptqmodel-4bit-vortex-v2",
    "RedHatAI/Qwen3-235B-A22B-Instruct-2507-quantized.w4a16",
    "Qwen2VLForConditionalGeneration",
    "Qwen2_5_VLForConditionalGeneration",
    "Eagle3MiniMaxM2ForCausalLM",
    "CPUFp8W8A8BlockScaledMMKernel",
    "FlashInferCuteDslNvFp4W4A16LinearKernel",
    "DeepseekV4FlashInferSM120Attention",
    "/models/hub/models--Qwen--Qwen3-8B/snapshots/9c925d64d72725edaf899c6cb9c377fd0709d9c5/tokenizer_config.json",
    "c1899de289a04d12100db370d81485cdf75e47ca",
    "sha256:3f786850e387550fdab836ed7e6dc881de23001b5d8d0c9a7d3d7a5b5e8f5c0d",
    "123e4567-e89b-12d3-a456-426614174000",
    "E=128,N=768,device_name=NVIDIA_H100_80GB_HBM3,dtype=fp8_w8a8,block_shape=[128,128].json",
    '{"rope_scaling":{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":32768}}',
    '{"cudagraph_mode":"FULL_AND_PIECEWISE","pass_config":{"enable_fusion":true}}',
    '{"bos_token": "<s>", "pad_token": "<pad>", "max_tokens": 512, "hf_token": null, "api_key": "EMPTY"}',
    "hf_token: HuggingFace token for authenticated model access",
    "my_org.plugins.custom_logits:RepetitionGuardProcessor",
    "s3://my-bucket/loras/customer-support-v3-2025-06-01",
    "sk-adapter-customer-support-finetuned-v2",
    "the bearer of the model card",
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] }}{% endfor %}",
]


@pytest.mark.parametrize("value", NOT_CREDENTIALS)
def test_real_flag_values_are_not_taken_for_credentials(value):
    assert credential_in(value) is None
    assert check_extra_args(["--chat-template", value]) == ["--chat-template", value]


def test_the_random_string_threshold_catches_generated_tokens_and_spares_hex():
    rng = random.Random(7)
    alnum = string.ascii_letters + string.digits

    def caught(alphabet: str, length: int) -> float:
        return (
            sum(credential_in("".join(rng.choices(alphabet, k=length))) is not None for _ in range(500)) / 500
        )

    assert caught(alnum, 32) >= 0.95 and caught(alnum, 40) >= 0.95
    assert caught(alnum + "-_", 43) >= 0.9  # base64url, as many API tokens
    assert caught("0123456789abcdef", 40) == 0 and caught("0123456789abcdef", 64) == 0  # shas and digests
    assert caught(alnum, 20) == 0  # under the length a generated secret is looked for at


def test_the_stack_error_never_echoes_the_credential():
    with pytest.raises(ConfigError) as exc:
        load_fleet(with_models([model(extraArgs=["--api-key", OPENAI])]), "Pulumi.test.yaml")
    (issue,) = exc.value.issues
    assert (
        issue.key == "llm-platform:models[0].extraArgs" and "item 0 (`--api-key <redacted>`)" in issue.message
    )
    assert OPENAI not in str(exc.value) and OPENAI[:20] not in str(exc.value)
