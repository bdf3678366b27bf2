"""`models[].extraArgs`: more `vllm serve` flags, read the way vLLM 0.31.0 reads its command line.

serving/server.py runs `/bin/sh -c "... exec vllm serve <cache path> <the platform's flags> <extraArgs>"` with
every item `shlex.quote`d, so each item reaches vLLM as exactly one argv entry, after the platform's own flags
(argparse keeps the last of a flag given twice: an extra flag would silently win). `check_extra_args` replays
how vLLM reads argv (vllm_argv.py) and judges each flag argparse reads, with the values it takes.

Refused, each naming its item (`item 2 (...)`): what vLLM would exit on (an unknown or ambiguous flag, a missing
value, a value on a flag that takes none, a stray positional), the flags in `REFUSED` (what the platform sets
from other keys, and what changes placement or memory behind sizing's back, each with why), a flag sizing reads
spelled so that its reader would miss it (`READ_BY_SIZING`), and credentials: `--api-key`, `--hf-token`, and
any value that looks like a secret, which the error shows redacted.

What is refused by name and why is vllm_refusals.py; what looks like a credential, and the redaction,
vllm_credentials.py.
"""

from __future__ import annotations

import re

from config.schema.vllm_argv import GLUE, MODEL_ONLY, Arg, Finding, Read, as_flag, rewrite, take
from config.schema.vllm_credentials import CREDENTIAL_FLAGS, CREDENTIAL_WHY, credential_in, redacted, scrub
from config.schema.vllm_refusals import READ_BY_SIZING, REFUSED

# The flags the platform sets itself (config/reference.py lists them in the docs).
MANAGED_VLLM_FLAGS = frozenset(
    flag for flag, r in REFUSED.items() if r.why.startswith("is set by the platform")
)


class ExtraArgsError(ValueError):
    """What extraArgs may not do, one problem per item. Only these messages quote the items, redacted:
    config/issue_messages.py adds the given value to a validator's message only when it is a scalar, not a
    list."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def check_extra_args(args: list[str]) -> list[str]:
    """The extra flags as given, or ExtraArgsError naming each item vLLM would exit on or the platform refuses."""
    argv, findings = rewrite(args)
    findings += _argparse(argv)
    leaks = {i: found for i, a in enumerate(args) if (found := credential_in(a))}
    of_credential_flags = {i for f in findings for i in _credential_items(f)}
    hidden = set(leaks) | of_credential_flags
    # The refusal of --api-key / --hf-token already says why their values may not be here.
    problems = [
        ((i,), f"looks like {kind}: {CREDENTIAL_WHY}")
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
    lines = [scrub(_line(args, items, problem, hidden), secrets) for items, problem in sorted(problems)]
    # A folded `-0.5` and the JSON vLLM makes of it may both be strays.
    raise ExtraArgsError(list(dict.fromkeys(lines)))


def _line(args: list[str], items: tuple[int, ...], problem: str, hidden: set[int]) -> str:
    """`item 2 (`-tp 2`): …`: the item and those of the values its flag takes, credentials `<redacted>`."""
    text = " ".join(redacted(args[i]) if i in hidden else args[i] for i in dict.fromkeys(items))
    return f"item {items[0]} (`{text if len(text) <= 80 else text[:77] + '...'}`): {problem}"


def _credential_items(finding: Finding) -> tuple[int, ...]:
    """The items holding a credential flag's values: the flag's own item when glued on (`--api-key=…`)."""
    if finding.read is None or finding.read.flag.name not in CREDENTIAL_FLAGS:
        return ()
    return finding.items[:1] if finding.read.value is not None else finding.items[1:]


# -- argparse's reading, judged ---------------------------------------------------------------------------------


def _argparse(argv: list[Arg]) -> list[Finding]:
    """argparse over the rewritten argv: each flag with the values it takes, each stray positional."""
    findings, n = [], 0
    while n < len(argv):
        a = argv[n]
        read = as_flag(a)
        if not isinstance(read, Read):
            findings += [Finding(a.items, problem)] if (problem := read or _stray(a)) else []
            n += 1
            continue
        taken, problem = take(read, argv[n + 1 :])
        values = argv[n + 1 : n + 1 + taken]
        given = [read.value] if read.value is not None else [v.text for v in values]
        refusal = _refusal(read, given) or _unsized(read, given)
        items = a.items + tuple(i for v in values for i in v.items)
        findings.append(Finding(items, refusal or problem, read, refused=refusal is not None))
        n += 1 + taken
    return findings


def _stray(a: Arg) -> str | None:
    if a.dotted:  # `-0.5` folded like `--flag.key`, or the JSON vLLM made of one
        base = a.written.partition(".")[0]
        if as_flag(Arg(base, a.items, base)) is not None:
            return None  # a dotted key of a flag: the flag's own problem, if any, is said
        return f"vLLM reads `{a.written}` as a `--flag.key` (a `-` and a `.`), not as a value: {GLUE}"
    head = a.text.split()[0] if a.text.strip() else ""
    if not head.startswith("-") or not re.search(r"\s", a.text):
        return f"a positional argument, not a flag or the value of one: {MODEL_ONLY}"
    text = (
        f"one item holding a flag and its value is one argument to vLLM, read as a positional: {MODEL_ONLY}"
    )
    flag = as_flag(Arg(head, a.items, head))
    if not isinstance(flag, Read):
        return text
    text += f"; write `{head}` and its value as two items, or as `{head}=<value>`"
    refused = _refusal(flag, [])
    return f"{text} (though {refused})" if refused else text


def _refusal(read: Read, values: list[str]) -> str | None:
    negated = read.spelling.startswith("--no-") and read.spelling != read.flag.name
    refusal = REFUSED.get(read.spelling) or (None if negated else REFUSED.get(read.flag.name))
    if refusal is None or (refusal.only and not set(refusal.only) & set(values)):
        return None
    text = f"{_named(read)} {refusal.why}"
    return f"{text}: set the model's `{refusal.key}` instead" if refusal.key else text


def _unsized(read: Read, values: list[str]) -> str | None:
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


def _named(read: Read) -> str:
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
