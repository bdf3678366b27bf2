"""`models[].extraArgs`: more `vllm serve` flags, read the way vLLM 0.31.0 reads its command line.

serving/server.py runs `/bin/sh -c "... exec vllm serve <cache path> <the platform's flags> <extraArgs>"` with
every item `shlex.quote`d, so each item reaches vLLM as exactly one argv entry, after the platform's own flags
(argparse keeps the last of a flag given twice: an extra flag would silently win). vLLM then reads argv in two
passes, which `check_extra_args` replays over catalog/vllm_flags.py's table of the flags `vllm serve` knows:

1. vllm/utils/argparse_utils.py `FlexibleArgumentParser.parse_args` rewrites argv: `--model X` moves to the
   front (the cache path becomes a stray positional), `--config FILE` is replaced by the file's flags
   (`_pull_args_from_config`), `_` becomes `-` in every `--` flag name (before any `=` and the first `.`), `-O3`,
   `-O=3` and `-O 3` become `--optimization-level 3`, and `--flag.key value` / `--flag.key=value` /
   `--flag.key+ value` fold into one `--flag '<json>'`; that dotted form takes the next item as its value
   whatever it looks like (with none, vLLM dies on an IndexError), so `-0.5` after a flag is read as one too.
2. argparse (the image runs Python 3.12; vLLM leaves allow_abbrev on) reads an item as a flag when it is one
   of its spellings, `spelling=value`, a one-letter short flag with its value glued on (`-qfp8`), or the
   prefix of exactly one spelling (`--max-model` is `--max-model-len`, `-t` is `-tp`; a prefix of several is an
   error). An item matching nothing is an unknown flag (an error), unless it is a negative number or holds a
   space: then it is a positional. So one item `--max-model-len 65536` is a positional, not a flag and its
   value. A flag taking a value takes the next item unless that reads as a flag, one taking one or more takes
   every item up to the next flag, `=value` on a flag taking none is an error, and `--` ends the flags.
   vLLM's one positional, the model, is the cache path: another is "unrecognized arguments" and vLLM exits.
   (Read in CPython 3.12's argparse.py `_parse_optional` and `_get_option_tuples`; 3.11 and 3.13 match the
   whole single-dash item the same way, so `-t=2` is an unknown flag in all of them.)
The replay was checked against vLLM 0.31.0's own parser (a throwaway venv, as catalog/vllm_flags.py says) on
over 60,000 random extraArgs lists of real, abbreviated, underscored, glued, dotted and stray items: it accepts
and refuses the same ones. It does not check a value's type or choices (`-tp two`): vLLM does that at start.

Refused, each naming its item (`item 2 (...)`): what vLLM would exit on (an unknown or ambiguous flag, a missing
value, a value on a flag that takes none, a stray positional), the flags in `REFUSED` (what the platform sets
from other keys, and what changes placement or memory behind sizing's back, each with why), a flag sizing reads
spelled so that its reader would miss it (`READ_BY_SIZING`), and credentials: `--api-key`, `--hf-token`, and
any value that looks like a secret, which the error shows redacted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from difflib import get_close_matches
from itertools import takewhile
from types import MappingProxyType

from catalog.vllm_flags import SPELLINGS, VllmFlag
from vocabulary.objects import SERVING_PORT


@dataclass(frozen=True)
class Refusal:
    why: str  # what the flag would do; the message reads "`<flag>` <why>"
    key: str | None = None  # the model key that says it instead
    only: tuple[str, ...] = ()  # refused only with one of these values (empty: with any)


def _each(flags: tuple[str, ...], why: str, key: str | None = None) -> dict[str, Refusal]:
    return {flag: Refusal(why, key) for flag in flags}


_PLATFORM = "is set by the platform from the model's keys"
_WEIGHTS = "is set by the platform: vLLM loads the preload's copy of `source` from the model cache, as it is"
_OFFLINE = (
    "would read another repository than `source`: the preload caches only `source`, and the server runs "
    "offline (HF_HUB_OFFLINE=1)"
)
_CREDENTIAL_WHY = (
    "a credential on the command line is visible in `ps`, the Deployment, the plan and Pulumi state: keep it "
    "out of extraArgs (the platform takes secrets only as `pulumi config set --secret` keys)"
)

# Keyed by the flag's name in catalog/vllm_flags.py, which covers every spelling of it (short forms, the second
# name of --gpu-memory-utilization) except a `--no-` form: turning a mode off is harmless unless listed as such.
# Knobs that act only inside a mode refused here (--all2all-backend, --dcp-comm-backend, --offload-params, the
# LoRA limits ...) are allowed: without the mode they do nothing. Harmless tuning stays allowed too:
# --enforce-eager, -O / --compilation-config, --cudagraph-capture-sizes (CUDA graphs sit in sizing's reserve),
# --block-size, --seed, --max-num-active-seqs (it only admits fewer), tool and reasoning parsers, chat templates;
# and the prefill batch flags, which sizing reads (READ_BY_SIZING below).
REFUSED: Mapping[str, Refusal] = MappingProxyType(
    {
        # What serving/server.py `vllm_args` passes itself (a test keeps this list in step with it).
        "--served-model-name": Refusal(_PLATFORM, "name"),
        "--tensor-parallel-size": Refusal(_PLATFORM, "tensorParallelSize"),
        "--max-model-len": Refusal(_PLATFORM, "maxModelLen"),
        "--gpu-memory-utilization": Refusal(_PLATFORM, "gpuMemoryUtilization"),
        "--max-num-seqs": Refusal(_PLATFORM, "maxNumSeqs"),
        "--dtype": Refusal(_PLATFORM, "dtype"),
        "--quantization": Refusal(_PLATFORM, "quantization"),
        "--quantization-config": Refusal(
            "configures the weights' quantization, whose bytes per parameter sizing takes", "quantization"
        ),
        "--kv-cache-dtype": Refusal(_PLATFORM, "kvCacheDtype"),
        "--kv-cache-dtype-skip-layers": Refusal(
            "keeps some layers' KV cache in full precision, which sizing does not count", "kvCacheDtype"
        ),
        **_each(("--enable-prefix-caching", "--no-enable-prefix-caching"), _PLATFORM, "prefixCaching"),
        # The platform's rope scaling goes through the HF config: vLLM 0.31.0 has no --rope-scaling flag.
        "--hf-overrides": Refusal(_PLATFORM, "ropeScaling"),
        "--port": Refusal(
            f"is set by the platform: the Service, the probes and the PodMonitor use {SERVING_PORT}"
        ),
        # Where the weights come from and how they are read: the preload's copy of `source` at `revision`.
        "--model": Refusal("is set by the platform: vLLM serves the cached copy of `source`", "source"),
        **_each(
            ("--revision", "--code-revision", "--tokenizer-revision"),
            "would read another revision than the one the preload cached (the server runs offline)",
            "revision",
        ),
        **_each(("--tokenizer", "--hf-config-path"), _OFFLINE, "source"),
        "--download-dir": Refusal("is set by the platform: the weights come from `llm-platform:modelCache`"),
        **_each(
            ("--load-format", "--model-loader-extra-config", "--config-format", "--ignore-patterns"), _WEIGHTS
        ),
        "--config": Refusal(
            "reads more flags from a YAML file this check cannot see: list them in extraArgs"
        ),
        # What the pod's contract needs: HTTP on the serving port, the probes, vLLM's metrics.
        "--host": Refusal(
            "is set by the platform: vLLM listens on every address of the pod, as the Service needs"
        ),
        "--uds": Refusal(
            "makes vLLM listen on a Unix socket and ignore the port: the Service and probes get nothing"
        ),
        "--grpc": Refusal(
            "serves gRPC instead of HTTP: the probes, the Service and the HTTP add-on speak HTTP"
        ),
        "--headless": Refusal(
            "runs the engine without the API server: nothing answers the probes or the Service"
        ),
        **_each(
            ("--ssl-keyfile", "--ssl-certfile"), "turns TLS on: the probes and the Service speak plain HTTP"
        ),
        "--disable-log-stats": Refusal(
            "turns vLLM's engine metrics off: KEDA, the alerts and the dashboards read them"
        ),
        "--help": Refusal("prints the help and exits: the pod would restart forever"),
        # Placement: a replica is one pod of `tensorParallelSize` GPUs on one node; replicas scale through KEDA.
        "--pipeline-parallel-size": Refusal("asks for more GPUs than the pod gets", "tensorParallelSize"),
        "--prefill-context-parallel-size": Refusal(
            "asks for more GPUs than the pod gets", "tensorParallelSize"
        ),
        "--decode-context-parallel-size": Refusal("shards the KV cache in a way sizing does not model"),
        **_each(
            (
                "--data-parallel-size",
                "--data-parallel-size-local",
                "--data-parallel-rank",
                "--data-parallel-start-rank",
                "--data-parallel-hybrid-lb",
                "--data-parallel-external-lb",
                "--data-parallel-multi-port-external-lb",
                "--enable-elastic-ep",
                "--elastic-ep-max-dp-size",
            ),
            "runs several engines (data parallel) in a pod sized for one: replicas scale through `replicas`",
        ),
        "--enable-expert-parallel": Refusal(
            "shards MoE experts whole instead of splitting each: not the tensor-parallel split sizing computes"
        ),
        "--enable-eplb": Refusal("adds redundant experts: more weights per GPU than sizing counts"),
        **_each(("--nnodes", "--node-rank"), "spreads one replica over several nodes: a replica is one pod"),
        "--distributed-executor-backend": Refusal(
            "picks an executor that needs a Ray cluster or an outside launcher: the pod runs vLLM's own",
            only=("ray", "external_launcher"),
        ),
        "--device-ids": Refusal("picks GPUs by id: the pod sees only the GPUs the device plugin gave it"),
        **_each(
            ("--kv-transfer-config", "--ec-transfer-config"),
            "connects to other engines or to host memory (disaggregated serving, KV offload) the platform does "
            "not run or size",
        ),
        # Memory: what sizing (sizing/gpu_memory.py) computes a model's fit from.
        **_each(
            ("--cpu-offload-gb", "--offload-group-size"),
            "moves weights to host memory: sizing keeps them on the GPU, and the pod's memory limit does not "
            "count them",
        ),
        "--kv-offloading-size": Refusal(
            "keeps KV cache in host memory, which the pod's memory limit does not count"
        ),
        **_each(
            ("--kv-cache-memory-bytes", "--num-gpu-blocks-override"),
            "sizes the KV cache directly, so the fit check no longer holds",
            "gpuMemoryUtilization",
        ),
        "--mm-ipc-gpu-memory-gb": Refusal(
            "carves GPU memory out of the KV cache, which the fit check counts in full"
        ),
        **_each(
            ("--speculative-config", "--spec-method", "--spec-model", "--spec-tokens"),
            "turns speculative decoding on: a draft model's weights and KV cache, which sizing does not count, "
            "from a repository the preload does not fetch",
        ),
        **_each(
            ("--enable-lora", "--lora-modules"),
            "serves LoRA adapters: their weights and buffers take GPU memory sizing does not count, from files "
            "the preload does not fetch",
        ),
        # Credentials: whatever is on the command line shows in `ps`, the Deployment, the plan and Pulumi state.
        "--api-key": Refusal(
            "puts an API key on the command line, where `ps`, the Deployment, the plan and Pulumi state show it "
            "(vLLM also reads VLLM_API_KEY from the environment, which the platform does not set: the inference "
            "namespace's NetworkPolicies decide who may call, `llm-platform:access.clientNamespaces`)"
        ),
        "--hf-token": Refusal(
            "puts a Hugging Face token on the command line, where `ps`, the Deployment, the plan and Pulumi state "
            "show it: the server reads only the model cache, which the preload fills with "
            "`llm-platform:huggingFaceToken`"
        ),
    }
)
_CREDENTIAL_FLAGS = frozenset({"--api-key", "--hf-token"})

# Allowed because sizing models them: catalog/vllm_hardware.py `max_num_batched_tokens` reads these from extraArgs
# to size the activation reserve (the prefill batch of vLLM's profiling run). Its reader takes only the spelling
# here, written in full (`--flag value` or `--flag=value`), and a batch as a plain number: vLLM would also take
# `--max_num_batched_tokens`, `--max-num-b` or `16k`, which sizing would miss, so those are refused.
READ_BY_SIZING: Mapping[str, re.Pattern[str] | None] = MappingProxyType(
    {
        "--max-num-batched-tokens": re.compile(r"[0-9]+"),
        "--performance-mode": None,
        "--no-enable-chunked-prefill": None,
    }
)

# The flags the platform sets itself (config/reference.py lists them in the docs).
MANAGED_VLLM_FLAGS = frozenset(
    flag for flag, r in REFUSED.items() if r.why.startswith("is set by the platform")
)


class ExtraArgsError(ValueError):
    """What extraArgs may not do, one problem per item. Only these messages quote the items, redacted:
    config/issues.py adds the given value to a validator's message only when it is a scalar, not a list."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def check_extra_args(args: list[str]) -> list[str]:
    """The extra flags as given, or ExtraArgsError naming each item vLLM would exit on or the platform refuses."""
    argv, findings = _rewrite(args)
    findings += _argparse(argv)
    leaks = {i: found for i, a in enumerate(args) if (found := credential_in(a))}
    of_credential_flags = {i for f in findings for i in f.credential_items()}
    hidden = set(leaks) | of_credential_flags
    # The refusal of --api-key / --hf-token already says why their values may not be here.
    problems = [
        ((i,), f"looks like {kind}: {_CREDENTIAL_WHY}")
        for i, (kind, _) in leaks.items()
        if i not in of_credential_flags
    ]
    # Of an item holding a credential, only a refusal is worth saying too: other messages quote the item.
    problems += [(f.items, f.problem) for f in findings if f.problem and (f.refused or f.start not in leaks)]
    if not problems:
        return args
    secrets = (
        [args[i] for i in hidden]
        + [args[i].partition("=")[2] for i in hidden]
        + [m for _, m in leaks.values()]
    )
    lines = [_scrub(_line(args, items, problem, hidden), secrets) for items, problem in sorted(problems)]
    # A folded `-0.5` and the JSON vLLM makes of it may both be strays.
    raise ExtraArgsError(list(dict.fromkeys(lines)))


def _line(args: list[str], items: tuple[int, ...], problem: str, hidden: set[int]) -> str:
    """`item 2 (`-tp 2`): …`: the item and those of the values its flag takes, credentials `<redacted>`."""
    text = " ".join(_redacted(args[i]) if i in hidden else args[i] for i in dict.fromkeys(items))
    return f"item {items[0]} (`{text if len(text) <= 80 else text[:77] + '...'}`): {problem}"


# -- the replay of vLLM's parse ---------------------------------------------------------------------------------

_NEGATIVE_NUMBER = re.compile(r"-\d+|-\d*\.\d+")  # argparse's _negative_number_matcher; vLLM has no such flag


@dataclass(frozen=True)
class _Arg:
    """One argv entry as vLLM's rewrite hands it to argparse, and the extraArgs items it was made of."""

    text: str
    items: tuple[int, ...]
    written: str  # the flag as the user wrote it, for messages: before any `=`, or the first dotted key
    dotted: bool = False  # `--flag` folded from `--flag.key value` items


@dataclass(frozen=True)
class _Read:
    """An argv entry argparse reads as a flag."""

    flag: VllmFlag
    spelling: str  # the spelling it resolves to: the name, an alias, a `--no-` form
    written: str
    value: str | None = None  # glued on: `=value`, `-qfp8`
    dotted: bool = False


@dataclass(frozen=True)
class _Finding:
    items: tuple[int, ...]  # the item of the flag (or positional) first, then those of the values it takes
    problem: str | None
    read: _Read | None = None
    refused: bool = False  # the problem is a refusal (REFUSED, READ_BY_SIZING): its text quotes no value

    @property
    def start(self) -> int:
        return self.items[0]

    def credential_items(self) -> tuple[int, ...]:
        """The items holding a credential flag's values: the flag's own item when glued on (`--api-key=…`)."""
        if self.read is None or self.read.flag.name not in _CREDENTIAL_FLAGS:
            return ()
        return self.items[:1] if self.read.value is not None else self.items[1:]


def _rewrite(args: list[str]) -> tuple[list[_Arg], list[_Finding]]:
    """FlexibleArgumentParser.parse_args before it calls argparse: underscores, `-O`, then dotted keys folded
    into one `--flag '<json>'` at the end (the next entry is a dotted key's value, whatever it is)."""
    first = [a for i in range(len(args)) for a in _first_pass(args, i)]
    kept, folded, problems = [], {}, []
    n = 0
    while n < len(first):
        a = first[n]
        key, eq, _ = a.text.partition("=")
        if not (a.text.startswith("-") and "." in key):  # what vLLM leaves to argparse
            kept.append(a)
        elif eq or n + 1 < len(first):
            base = key.partition(".")[0]
            earlier = folded.get(base, _Arg(base, (), a.written, dotted=True))
            value = () if eq else first[n + 1].items
            folded[base] = replace(earlier, items=earlier.items + a.items + value)
            if not eq:
                n += 1  # its value goes with it
        else:
            problems.append(_Finding(a.items, _dotted_without_value(a)))
        n += 1
    json = [x for a in folded.values() for x in (a, replace(a, text="{}"))]
    return kept + json, problems


def _first_pass(args: list[str], i: int) -> list[_Arg]:
    item, own = args[i], (i,)
    if item.startswith("--"):  # `_` -> `-` in the name, up to the first `.`
        key, eq, value = item.partition("=")
        name, dot, rest = key[2:].partition(".")
        return [_Arg("--" + name.replace("_", "-") + dot + rest + eq + value, own, key)]
    if item.startswith("-O") and item != "-O":  # -O3, -O=3, -Odecode
        return [
            _Arg("--optimization-level", own, "-O"),
            _Arg(item[3:] if item[2] == "=" else item[2:], own, ""),
        ]
    if item == "-O" and args[i + 1 : i + 2] in (["0"], ["1"], ["2"], ["3"]):
        return [_Arg("--optimization-level", own, "-O")]
    return [_Arg(item, own, item.partition("=")[0])]


def _dotted_without_value(a: _Arg) -> str:
    if _as_flag(_Arg(a.text.partition(".")[0], a.items, "")) is None:  # `-0.5`: not a flag at all
        return f"vLLM reads `{a.text}` as a `--flag.key` (a `-` and a `.`), not as a value: {_GLUE}"
    return f"`{a.written}` needs a value after it: vLLM dies reading past the end"


_GLUE = "glue it to the flag it is the value of, as in `--flag=-0.5`"


def _argparse(argv: list[_Arg]) -> list[_Finding]:
    """argparse over the rewritten argv: each flag with the values it takes, each stray positional."""
    findings, n = [], 0
    while n < len(argv):
        a = argv[n]
        read = _as_flag(a)
        if not isinstance(read, _Read):
            findings += [_Finding(a.items, problem)] if (problem := read or _stray(a)) else []
            n += 1
            continue
        taken, problem = _take(read, argv[n + 1 :])
        values = argv[n + 1 : n + 1 + taken]
        given = [read.value] if read.value is not None else [v.text for v in values]
        refusal = _refusal(read, given) or _unsized(read, given)
        items = a.items + tuple(i for v in values for i in v.items)
        findings.append(_Finding(items, refusal or problem, read, refused=refusal is not None))
        n += 1 + taken
    return findings


def _as_flag(a: _Arg) -> _Read | str | None:
    """How argparse reads an argv entry: a flag, a problem (str), or a positional (None)."""
    if a.text == "--":
        return "`--` ends vLLM's flags: it would read every item after it as a stray positional"
    if not a.text.startswith("-") or a.text == "-":
        return None
    if a.text == "-O":
        return "`-O` needs its level glued on or next (`-O3`, `-O 3`): alone, vLLM hands it on as an unknown flag"
    found = _parse_optional(a.text)
    if isinstance(found, tuple):
        return _Read(found[0], found[1], a.written, found[2], a.dotted)
    return found


def _parse_optional(seen: str) -> tuple[VllmFlag, str, str | None] | str | None:
    """argparse's `_parse_optional` on what it is handed: (flag, spelling, glued value), a problem, or None for
    a positional."""
    if seen in SPELLINGS:
        return SPELLINGS[seen], seen, None
    name, eq, value = seen.partition("=")
    if eq and name in SPELLINGS:
        return SPELLINGS[name], name, value
    if seen.startswith("--"):  # a prefix, split at `=`
        matches = [(s, value if eq else None) for s in SPELLINGS if s.startswith(name)]
    else:  # a one-letter flag with its value glued on, or a prefix of the whole item
        matches = [(s, seen[2:]) for s in SPELLINGS if s == seen[:2]]
        matches += [(s, None) for s in SPELLINGS if s.startswith(seen)]
    if len(matches) == 1:
        ((spelling, glued),) = matches
        return SPELLINGS[spelling], spelling, glued
    if matches:
        could = ", ".join(f"`{s}`" for s, _ in matches)
        return f"vLLM refuses the abbreviation `{name}`, which could be {could}: write the flag in full"
    if _NEGATIVE_NUMBER.fullmatch(seen) or " " in seen:
        return None
    return _unknown(name)


def _unknown(name: str) -> str:
    close = get_close_matches(name, [s for s in SPELLINGS if s.startswith("--")], n=1, cutoff=0.75)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"vLLM 0.31.0 has no flag `{name}`{hint}: the pod would exit on start, and restart forever"


def _take(read: _Read, rest: list[_Arg]) -> tuple[int, str | None]:
    """How many of the following entries the flag takes as values, and what is wrong with them."""
    takes = read.flag.takes
    if read.value is not None:
        return 0, f"`{read.written}` takes no value: drop `=…`" if takes == "nothing" else None
    if read.dotted and takes == "nothing":
        return 1, f"`{read.flag.name}` takes no value, so `{read.written}` names a key of nothing"
    values = len(list(takewhile(lambda a: _as_flag(a) is None, rest)))
    if values == 0 and takes in {"one", "one or more"}:
        after = "the next item is a flag" if rest else "nothing follows it"
        return 0, f"`{read.written}` needs a value ({after}): vLLM would exit with 'expected one argument'"
    return {"nothing": 0, "one": 1, "optional": min(1, values), "one or more": values}[takes], None


_MODEL_ONLY = (
    "vLLM's one positional is the model, which the platform passes (the cache path): it would exit with "
    "'unrecognized arguments'"
)


def _stray(a: _Arg) -> str | None:
    if a.dotted:  # `-0.5` folded like `--flag.key`, or the JSON vLLM made of one
        base = a.written.partition(".")[0]
        if _as_flag(_Arg(base, a.items, base)) is not None:
            return None  # a dotted key of a flag: the flag's own problem, if any, is said
        return f"vLLM reads `{a.written}` as a `--flag.key` (a `-` and a `.`), not as a value: {_GLUE}"
    head = a.text.split()[0] if a.text.strip() else ""
    if not head.startswith("-") or not re.search(r"\s", a.text):
        return f"a positional argument, not a flag or the value of one: {_MODEL_ONLY}"
    text = (
        f"one item holding a flag and its value is one argument to vLLM, read as a positional: {_MODEL_ONLY}"
    )
    flag = _as_flag(_Arg(head, a.items, head))
    if not isinstance(flag, _Read):
        return text
    text += f"; write `{head}` and its value as two items, or as `{head}=<value>`"
    refused = _refusal(flag, [])
    return f"{text} (though {refused})" if refused else text


def _refusal(read: _Read, values: list[str]) -> str | None:
    negated = read.spelling.startswith("--no-") and read.spelling != read.flag.name
    refusal = REFUSED.get(read.spelling) or (None if negated else REFUSED.get(read.flag.name))
    if refusal is None or (refusal.only and not set(refusal.only) & set(values)):
        return None
    text = f"{_named(read)} {refusal.why}"
    return f"{text}: set the model's `{refusal.key}` instead" if refusal.key else text


def _unsized(read: _Read, values: list[str]) -> str | None:
    """A flag sizing reads, spelled or valued so that its reader would miss it."""
    if read.spelling not in READ_BY_SIZING:
        return None
    number = READ_BY_SIZING[read.spelling]
    unreadable = number is not None and not all(number.fullmatch(v) for v in values)
    if read.written == read.spelling and not unreadable:
        return None
    plain = ", with a plain number of tokens" if number else ""
    return (
        f"{_named(read)} sizes the activation reserve, and sizing reads it only as `{read.spelling}`{plain}"
    )


def _named(read: _Read) -> str:
    if read.dotted:
        return f"`{read.written}` (a key of `{read.flag.name}`)"
    if read.written == read.flag.name:
        return f"`{read.written}`"
    if read.written == read.spelling:  # another spelling: a short form, a second name, the `--no-` form
        return (
            f"`{read.written}`"
            if read.written.startswith("--no-")
            else f"`{read.written}` (`{read.flag.name}`)"
        )
    return f"`{read.written}` (vLLM reads it as `{read.spelling}`)"


def _redacted(item: str) -> str:
    key, eq, _ = item.partition("=")
    return f"{key}=<redacted>" if eq and item.startswith("-") and not credential_in(key) else "<redacted>"


def _scrub(text: str, secrets: list[str]) -> str:
    # Belt and braces: no message carries a credential, whichever part of it quoted an item.
    for secret in sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return text


# -- credentials ------------------------------------------------------------------------------------------------

# Known token formats, each with what it is. `random`: the match must also hold a random-looking run of 16+
# letters and digits, so a model or adapter named `sk-…` or prose with "bearer" in it is not taken for a key.
_CREDENTIAL_FORMATS: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("an Anthropic API key (sk-ant-…)", re.compile(r"(?<![A-Za-z0-9])sk-ant-[A-Za-z0-9_-]{20,}"), True),
    ("an OpenAI-style API key (sk-…)", re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}"), True),
    ("a Hugging Face token (hf_…)", re.compile(r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}"), False),
    (
        "an AWS access key id (AKIA…/ASIA…)",
        re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
        False,
    ),
    ("a GitHub token (ghp_…)", re.compile(r"(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}"), False),
    ("a GitHub token (github_pat_…)", re.compile(r"(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{22,}"), False),
    ("a bearer token (Bearer …)", re.compile(r"(?i)(?<![A-Za-z0-9])bearer\s+[A-Za-z0-9._~+/=-]{16,}"), True),
    (
        "a JSON Web Token (eyJ…)",
        re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
        False,
    ),
    ("a Slack token (xox…-)", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}"), False),
    (
        "a private key (-----BEGIN … PRIVATE KEY-----)",
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        False,
    ),
    (
        "a password in a URL (scheme://user:password@)",
        re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@"),
        False,
    ),
)
# A value under a key that names a credential: a quoted key with a quoted value (`"api_key": "…"`, JSON or a
# Python dict) or `key=value`. Not `token` alone (bos_token, pad_token, max_tokens are model settings), and not an
# unquoted `key: text` (prose, docs).
_KEY = r"[A-Za-z0-9_-]*(?:password|passwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|"
_KEY += r"(?:access|auth|api|bearer|refresh|session|hf)[_-]?token)"
_CREDENTIAL_KEY = re.compile(
    rf"""(?i)["']{_KEY}["']\s*:\s*["']([^"']+)["']|(?<![A-Za-z0-9]){_KEY}\s*=\s*([^\s,;&'"{{}}]+)"""
)
_NOT_A_VALUE = frozenset({"null", "none", "true", "false", "empty", "0"})

# A generated secret of no known format: a run of 24+ letters and digits (joined by `-`, `_` or `+`, as in
# base64) that reads as random. Random text breaks into many short pieces (case and digit changes: `k`, `Q`, `7`,
# `zP`); identifiers into words (`Qwen2VLForConditionalGeneration`: Qwen 2 VL For Conditional Generation).
# Measured over every string literal of vLLM 0.31.0's source and a list of model ids, class names, paths and
# JSON values (tests/unit/test_extra_args.py keeps those): class names like `CPUFp8W8A8BlockScaledMMKernel` score
# 2.64 at the lowest; of random tokens, 95 % of 24-character and 99 % of 32-character letter-and-digit ones score
# <= 2.5 (base64 with `/` in it is cut at the `/`, like a path: about 80 % of 40-character AWS secret keys).
# All-hex runs are left alone: commit shas and digests (revisions, snapshot paths) are not secrets.
_RUN = re.compile(r"[A-Za-z0-9+_-]{24,}")
_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
MAX_RANDOM_PIECE = 2.5  # mean characters per piece at or under which a run reads as random
MIN_ENTROPY_BITS = 3.5  # Shannon bits per character, so `aAaAaA…` or `a1a1a1…` does not count


def random_looking(run: str, min_length: int = 24) -> bool:
    """Whether the letters and digits of `run` read as generated rather than as words and numbers."""
    core = re.sub(r"[^A-Za-z0-9]", "", run)
    if len(core) < min_length or _HEX.fullmatch(core):
        return False
    kinds = sum(any(test(c) for c in core) for test in (str.isupper, str.islower, str.isdigit))
    pieces = len(_PIECE.findall(core))
    return kinds >= 2 and len(core) / pieces <= MAX_RANDOM_PIECE and _entropy(core) >= MIN_ENTROPY_BITS


def _entropy(text: str) -> float:
    counts = Counter(text).values()
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def credential_in(text: str) -> tuple[str, str] | None:
    """(what it looks like, the matching text) for the first credential in `text`, or None."""
    for kind, pattern, random in _CREDENTIAL_FORMATS:
        for match in pattern.finditer(text):
            runs = re.findall(r"[A-Za-z0-9]{16,}", match.group())
            if not random or any(random_looking(r, min_length=16) for r in runs):
                return kind, match.group()
    for match in _CREDENTIAL_KEY.finditer(text):
        value = match.group(1) or match.group(2)
        if value.lower() not in _NOT_A_VALUE:
            return "a value under a credential's name (password, secret, api_key, …)", value
    run = next((r for r in _RUN.findall(text) if random_looking(r)), None)
    return (f"a generated secret (a random-looking run of {len(run)} characters)", run) if run else None
