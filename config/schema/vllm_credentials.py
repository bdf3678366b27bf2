"""Credentials in `models[].extraArgs`: the flags that take one, what a value that looks like a secret is, and
the redaction of every message that would quote one."""

from __future__ import annotations

import math
import re
from collections import Counter

CREDENTIAL_WHY = (
    "a credential on the command line is visible in `ps`, the Deployment, the plan and Pulumi state: keep it "
    "out of extraArgs (the platform takes secrets only as `pulumi config set --secret` keys)"
)

# The flags whose value is a credential (REFUSED in vllm_refusals.py says why each is refused).
CREDENTIAL_FLAGS = frozenset({"--api-key", "--hf-token"})


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


# -- redaction --------------------------------------------------------------------------------------------------


def redacted(item: str) -> str:
    key, eq, _ = item.partition("=")
    return f"{key}=<redacted>" if eq and item.startswith("-") and not credential_in(key) else "<redacted>"


def scrub(text: str, secrets: list[str]) -> str:
    # Belt and braces: no message carries a credential, whichever part of it quoted an item.
    for secret in sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return text
