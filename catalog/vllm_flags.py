r"""The flags `vllm serve` accepts at the pinned vLLM: each flag's spellings and how many values it takes.

Our own restatement of vLLM 0.31.0's `serve` parser (image vllm/vllm-openai:v0.31.0), made from its source:
- vllm/entrypoints/cli/main.py builds the `vllm` parser and its subcommands; vllm/entrypoints/cli/serve.py
  `ServeSubcommand.subparser_init` makes the `serve` one with vllm/entrypoints/launchers/cli_args.py
  `make_arg_parser` (vllm/entrypoints/openai/cli_args.py in older releases): the positional `model_tag`
  (where the platform passes the weights' cache path), `--headless`, `--api-server-count`, `--config` and
  `--grpc`, then `FrontendArgs.add_cli_args` (same file) and vllm/engine/arg_utils.py
  `AsyncEngineArgs.add_cli_args` -> `EngineArgs.add_cli_args`.
- Those derive each flag from a config dataclass field (arg_utils.py `get_kwargs`): a bool becomes `--x` and
  `--no-x` (argparse.BooleanOptionalAction), a list takes one or more values, a dataclass or dict takes JSON;
  a few get short aliases (`-tp`, `-pp`, `-dp`, `-q`, `-cc` ...) or a second name
  (`--device-memory-utilization`).
- vllm/utils/argparse_utils.py `FlexibleArgumentParser` (every vLLM parser's class) rewrites argv before
  argparse reads it (underscores, `-O3`, `--flag.key value`): config/schema/vllm_argv.py replays that over this
  table.
No platform adds flags at this version (vllm/platforms/*.py `pre_register_and_update` only sets env on ROCm).

How the table was made, and how to regenerate it for a new vLLM pin (the table must list every spelling: an
abbreviation is accepted only when it matches exactly one, so a missing flag would hide an ambiguity). In a
throwaway virtualenv outside this project, install vLLM's torch pin (the CPU wheel is enough) and
`pip install --no-deps vllm==<pin>`, then the imports it asks for (transformers, fastapi, openai, ...); run
this with `VLLM_TARGET_DEVICE=cpu` and paste its output over the rows of `VLLM_SERVE_FLAGS`, then re-read the
refusals in config/schema/vllm_refusals.py against the new flags (tests/unit/test_extra_args.py checks that each
refusal still names a flag of this table):

    import argparse, sys
    sys.argv = ["vllm", "serve"]  # as the pod runs it (`--model` is left out under `serve --help`)
    from vllm.entrypoints.cli.serve import ServeSubcommand
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    serve = ServeSubcommand().subparser_init(FlexibleArgumentParser().add_subparsers())
    KIND = {0: "_switch", None: "_value", "?": "_optional", "+": "_values"}
    for group in serve._action_groups:
        actions = [a for a in group._group_actions if a.option_strings]
        print(f"    # {group.title}" if actions else "", end="\n" if actions else "")
        for a in actions:
            boolean = isinstance(a, argparse.BooleanOptionalAction)
            kind = "_bool" if boolean else KIND[a.nargs]
            names = [o for o in a.option_strings if not (boolean and o.startswith("--no-"))]
            names.sort(key=lambda o: not o.startswith("--"))  # the long name first
            print(f"    {kind}({', '.join(f'{n!r}' for n in names)}),".replace("'", '"'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

# How many values follow the flag: argparse's nargs 0 / None / "?" / "+".
Takes = Literal["nothing", "one", "optional", "one or more"]


@dataclass(frozen=True)
class VllmFlag:
    """One `vllm serve` flag (one argparse action)."""

    name: str  # the long spelling vLLM's docs use
    takes: Takes
    aliases: tuple[str, ...] = ()  # the other spellings of the same action: `--no-` forms, short forms

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _switch(name: str, *aliases: str) -> VllmFlag:
    return VllmFlag(name, "nothing", aliases)


def _bool(name: str, *aliases: str) -> VllmFlag:
    # argparse.BooleanOptionalAction registers `--no-<name>` beside `--<name>`.
    return VllmFlag(name, "nothing", (f"--no-{name[2:]}", *aliases))


def _value(name: str, *aliases: str) -> VllmFlag:
    return VllmFlag(name, "one", aliases)


def _optional(name: str, *aliases: str) -> VllmFlag:
    return VllmFlag(name, "optional", aliases)


def _values(name: str, *aliases: str) -> VllmFlag:
    return VllmFlag(name, "one or more", aliases)


# The vLLM release the rows below were generated from; a test keeps it equal to catalog/vllm.py VLLM_VERSION, so
# bumping the pin without regenerating the table fails.
GENERATED_FROM = "0.31.0"

# In vLLM's own order, under its argument groups (`options`: make_arg_parser's own flags and argparse's -h).
VLLM_SERVE_FLAGS: tuple[VllmFlag, ...] = (
    # options
    _switch("--help", "-h"),
    _switch("--headless"),
    _value("--api-server-count", "-asc"),
    _value("--config"),
    _switch("--grpc"),
    _switch("--disable-log-stats"),
    _switch("--aggregate-engine-logging"),
    _bool("--fail-on-environ-validation"),
    _value("--shutdown-timeout"),
    _value("--gdn-prefill-backend"),
    _value("--kda-prefill-backend"),
    _value("--kda-decode-backend"),
    _bool("--enable-log-requests"),
    # Frontend
    _values("--lora-modules"),
    _value("--chat-template"),
    _value("--chat-template-content-format"),
    _bool("--trust-request-chat-template"),
    _bool("--trust-request-mm-kwargs"),
    _value("--default-chat-template-kwargs"),
    _value("--response-role"),
    _bool("--return-tokens-as-token-ids"),
    _bool("--enable-auto-tool-choice"),
    _bool("--exclude-tools-when-tool-choice-none"),
    _value("--tool-call-parser"),
    _value("--tool-parser-plugin"),
    _value("--tool-strict-level"),
    _value("--tool-server"),
    _value("--max-log-len"),
    _bool("--enable-prompt-tokens-details"),
    _bool("--enable-per-request-metrics"),
    _bool("--enable-server-load-tracking"),
    _bool("--enable-force-include-usage"),
    _value("--sse-keep-alive-interval"),
    _bool("--enable-tokenizer-info-endpoint"),
    _bool("--enable-log-outputs"),
    _bool("--enable-log-deltas"),
    _bool("--cohere-is-reasoning-model"),
    _value("--cohere-format"),
    _value("--anthropic-disabled-thinking-effort"),
    _bool("--log-error-stack"),
    _bool("--tokens-only"),
    _bool("--enable-scale-out"),
    _value("--fingerprint-mode"),
    _value("--fingerprint-value"),
    _value("--host"),
    _value("--port"),
    _value("--data-parallel-supervisor-port"),
    _value("--dp-supervisor-probe-interval-s"),
    _value("--dp-supervisor-probe-timeout-s"),
    _value("--dp-supervisor-probe-failure-threshold"),
    _value("--uds"),
    _value("--uvicorn-log-level"),
    _bool("--disable-uvicorn-access-log"),
    _value("--disable-access-log-for-endpoints"),
    _bool("--allow-credentials"),
    _value("--allowed-origins"),
    _value("--allowed-methods"),
    _value("--allowed-headers"),
    _values("--api-key"),
    _value("--ssl-keyfile"),
    _value("--ssl-certfile"),
    _value("--ssl-ca-certs"),
    _bool("--enable-ssl-refresh"),
    _value("--ssl-cert-reqs"),
    _value("--ssl-ciphers"),
    _value("--root-path"),
    _value("--middleware"),
    _bool("--enable-request-id-headers"),
    _bool("--disable-fastapi-docs"),
    _value("--h11-max-incomplete-event-size"),
    _value("--h11-max-header-count"),
    _bool("--enable-offline-docs"),
    _bool("--enable-flash-late-interaction"),
    # ModelConfig
    _value("--model"),
    _value("--runner"),
    _value("--convert"),
    _value("--tokenizer"),
    _value("--tokenizer-mode"),
    _bool("--trust-remote-code"),
    _value("--dtype"),
    _value("--seed"),
    _value("--hf-config-path"),
    _value("--allowed-local-media-path"),
    _values("--allowed-media-domains"),
    _value("--revision"),
    _value("--code-revision"),
    _value("--tokenizer-revision"),
    _value("--max-model-len"),
    _value("--quantization", "-q"),
    _value("--quantization-config"),
    _bool("--allow-deprecated-quantization"),
    _bool("--enforce-eager"),
    _bool("--enable-return-routed-experts"),
    _bool("--return-sampling-mask"),
    _value("--max-logprobs"),
    _value("--logprobs-mode"),
    _bool("--use-fp64-gumbel"),
    _bool("--enable-trace-replay"),
    _bool("--disable-sliding-window"),
    _bool("--disable-cascade-attn"),
    _bool("--skip-tokenizer-init"),
    _bool("--enable-prompt-embeds"),
    _values("--served-model-name"),
    _value("--config-format"),
    _optional("--hf-token"),
    _value("--hf-overrides"),
    _value("--model-class-overrides"),
    _value("--pooler-config"),
    _value("--generation-config"),
    _value("--override-generation-config"),
    _bool("--enable-sleep-mode"),
    _values("--sleep-preserve-parameter-names"),
    _bool("--enable-cumem-allocator"),
    _bool("--enable-nccl-comm-suspend"),
    _value("--model-impl"),
    _values("--logits-processors"),
    _value("--io-processor-plugin"),
    _value("--renderer-num-workers"),
    # LoadConfig
    _value("--load-format"),
    _value("--download-dir"),
    _value("--safetensors-load-strategy"),
    _value("--safetensors-prefetch-num-threads"),
    _value("--safetensors-prefetch-block-size"),
    _value("--model-loader-extra-config"),
    _values("--ignore-patterns"),
    _bool("--use-tqdm-on-load"),
    _value("--pt-load-map-location"),
    # AttentionConfig
    _value("--attention-backend"),
    # MambaConfig
    _value("--mamba-backend"),
    _value("--mamba-ssu-algorithm"),
    _bool("--enable-mamba-cache-stochastic-rounding"),
    _value("--mamba-cache-philox-rounds"),
    # StructuredOutputsConfig
    _value("--reasoning-parser"),
    _value("--reasoning-parser-plugin"),
    # ParallelConfig
    _value("--distributed-executor-backend"),
    _value("--pipeline-parallel-size", "-pp"),
    _value("--master-addr"),
    _value("--master-port"),
    _value("--nnodes", "-n"),
    _value("--node-rank", "-r"),
    _value("--distributed-timeout-seconds"),
    _value("--cpu-distributed-timeout-seconds"),
    _bool("--numa-bind"),
    _values("--numa-bind-nodes"),
    _values("--numa-bind-cpus"),
    _value("--device-ids"),
    _value("--tensor-parallel-size", "-tp"),
    _value("--decode-context-parallel-size", "-dcp"),
    _value("--dcp-comm-backend"),
    _bool("--dcp-q-replicate"),
    _value("--dcp-kv-cache-interleave-size"),
    _value("--cp-kv-cache-interleave-size"),
    _value("--prefill-context-parallel-size", "-pcp"),
    _value("--data-parallel-size", "-dp"),
    _value("--data-parallel-rank", "-dpn"),
    _value("--data-parallel-start-rank", "-dpr"),
    _value("--data-parallel-size-local", "-dpl"),
    _value("--data-parallel-address", "-dpa"),
    _value("--data-parallel-rpc-port", "-dpp"),
    _value("--data-parallel-backend", "-dpb"),
    _bool("--data-parallel-hybrid-lb", "-dph"),
    _bool("--data-parallel-external-lb", "-dpe"),
    _switch("--data-parallel-multi-port-external-lb", "-dpm"),
    _bool("--enable-expert-parallel", "-ep"),
    _bool("--enable-batch-sharded-sampling"),
    _bool("--enable-ep-weight-filter"),
    _value("--all2all-backend"),
    _bool("--enable-dbo"),
    _value("--ubatch-size"),
    _bool("--enable-elastic-ep"),
    _value("--elastic-ep-max-dp-size"),
    _value("--dbo-decode-token-threshold"),
    _value("--dp-sync-interval"),
    _value("--dbo-prefill-token-threshold"),
    _bool("--disable-nccl-for-dp-synchronization"),
    _bool("--enable-eplb"),
    _value("--eplb-config"),
    _value("--expert-placement-strategy"),
    _value("--max-parallel-loading-workers"),
    _bool("--ray-workers-use-nsight"),
    _bool("--disable-custom-all-reduce"),
    _value("--worker-cls"),
    _value("--worker-extension-cls"),
    _bool("--enable-fault-tolerance"),
    _value("--fault-tolerance-config"),
    # CacheConfig
    _value("--block-size"),
    _value("--gpu-memory-utilization", "--device-memory-utilization"),
    _value("--kv-cache-memory-bytes"),
    _value("--kv-cache-dtype"),
    _value("--num-gpu-blocks-override"),
    _bool("--enable-prefix-caching"),
    _value("--prefix-caching-hash-algo"),
    _value("--prefix-cache-retention-interval"),
    _values("--kv-cache-dtype-skip-layers"),
    _bool("--kv-sharing-fast-prefill"),
    _bool("--swa-bounded-replay"),
    _value("--mamba-cache-dtype"),
    _value("--mamba-ssm-cache-dtype"),
    _value("--mamba-block-size"),
    _value("--prefix-match-unit"),
    _value("--mamba-cache-mode"),
    _bool("--enable-mamba-shared-prefix-checkpoint"),
    _value("--replayssm-buffer-len"),
    _bool("--use-replayssm"),
    _value("--kv-offloading-size"),
    _value("--kv-offloading-backend"),
    # OffloadConfig
    _value("--offload-backend"),
    _value("--cpu-offload-gb"),
    _values("--cpu-offload-params"),
    _value("--offload-group-size"),
    _value("--offload-num-in-group"),
    _value("--offload-prefetch-step"),
    _values("--offload-params"),
    # MultiModalConfig
    _bool("--language-model-only"),
    _value("--limit-mm-per-prompt"),
    _bool("--enable-mm-embeds"),
    _value("--media-io-kwargs"),
    _value("--mm-processor-kwargs"),
    _value("--mm-processor-cache-gb"),
    _value("--mm-processor-cache-type"),
    _value("--mm-hasher-algorithm"),
    _value("--mm-shm-cache-max-object-size-mb"),
    _bool("--mm-encoder-only"),
    _value("--mm-encoder-tp-mode"),
    _value("--mm-encoder-attn-backend"),
    _value("--mm-encoder-attn-dtype"),
    _value("--mm-encoder-fp8-scale-path"),
    _value("--mm-encoder-fp8-scale-save-path"),
    _value("--mm-encoder-fp8-scale-save-margin"),
    _bool("--interleave-mm-strings"),
    _bool("--skip-mm-profiling"),
    _value("--video-pruning-rate"),
    _value("--video-pruning-method"),
    _value("--mm-tensor-ipc"),
    _value("--mm-processor-device"),
    _value("--mm-ipc-gpu-memory-gb"),
    _bool("--mm-device-do-normalize"),
    # LoRAConfig
    _bool("--enable-lora"),
    _value("--max-loras"),
    _value("--max-lora-rank"),
    _value("--lora-dtype"),
    _bool("--enable-tower-connector-lora"),
    _value("--max-cpu-loras"),
    _bool("--fully-sharded-loras"),
    _values("--lora-target-modules"),
    _value("--default-mm-loras"),
    _bool("--specialize-active-lora"),
    _bool("--enable-mixed-moe-lora-format"),
    _bool("--enable-moe-shared-loras"),
    _value("--max-lora-cls-labels"),
    # LoggingConfig
    _value("--logging-config"),
    _value("--log-level"),
    _value("--log-config-file"),
    # ObservabilityConfig
    _value("--show-hidden-metrics-for-version"),
    _value("--otlp-traces-endpoint"),
    _values("--collect-detailed-traces"),
    _value("--per-request-spec-decode-metrics"),
    _bool("--kv-cache-metrics"),
    _value("--kv-cache-metrics-sample"),
    _bool("--cudagraph-metrics"),
    _bool("--enable-layerwise-nvtx-tracing"),
    _bool("--enable-mfu-metrics"),
    _bool("--enable-logging-iteration-details"),
    _value("--jit-monitor-mode"),
    _bool("--jit-monitor-verbose"),
    # SchedulerConfig
    _value("--max-num-batched-tokens"),
    _value("--max-num-scheduled-tokens"),
    _value("--max-num-seqs"),
    _value("--max-num-active-seqs"),
    _value("--max-num-queued-reqs"),
    _value("--max-num-queued-tokens"),
    _value("--long-prefill-token-threshold"),
    _bool("--long-prefill-token-threshold-adaptive"),
    _value("--scheduling-policy"),
    _bool("--enable-chunked-prefill"),
    _bool("--disable-chunked-mm-input"),
    _value("--scheduler-cls"),
    _bool("--scheduler-reserve-full-isl"),
    _value("--watermark"),
    _value("--prefill-schedule-interval"),
    _bool("--disable-hybrid-kv-cache-manager"),
    _bool("--async-scheduling"),
    _value("--stream-interval"),
    # CompilationConfig
    _values("--cudagraph-capture-sizes"),
    _value("--max-cudagraph-capture-size"),
    # KernelConfig
    _value("--ir-op-priority"),
    _bool("--enable-flashinfer-autotune"),
    _value("--moe-backend"),
    _value("--linear-backend"),
    _value("--sparse-indexer-topk-backend"),
    # VllmConfig
    _value("--speculative-config", "-sc"),
    _value("--spec-method"),
    _value("--spec-model"),
    _value("--spec-tokens"),
    _value("--watermark-config"),
    _value("--diffusion-config", "-dc"),
    _value("--kv-transfer-config"),
    _value("--kv-events-config"),
    _value("--ec-transfer-config"),
    _value("--ec-manager-config"),
    _value("--compilation-config", "-cc"),
    _value("--attention-config", "-ac"),
    _value("--engram-config"),
    _value("--reasoning-config"),
    _value("--kernel-config"),
    _value("--additional-config"),
    _value("--structured-outputs-config"),
    _value("--aux-output-config"),
    _value("--profiler-config"),
    _value("--optimization-level"),
    _value("--performance-mode"),
    _value("--weight-transfer-config"),
)

# Every spelling (option string) vLLM's `serve` parser registers -> its flag.
SPELLINGS: Mapping[str, VllmFlag] = MappingProxyType(
    {spelling: flag for flag in VLLM_SERVE_FLAGS for spelling in flag.spellings}
)
