"""`models[].extraArgs` read as vLLM 0.31.0's `vllm serve` reads its argv: the replay vllm_args.py judges.

vLLM reads argv in two passes, replayed here over catalog/vllm_flags.py's table of the flags `vllm serve`
knows:

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import get_close_matches
from itertools import takewhile

from catalog.vllm_flags import SPELLINGS, VllmFlag

_NEGATIVE_NUMBER = re.compile(r"-\d+|-\d*\.\d+")  # argparse's _negative_number_matcher; vLLM has no such flag


@dataclass(frozen=True)
class Arg:
    """One argv entry as vLLM's rewrite hands it to argparse, and the extraArgs items it was made of."""

    text: str
    items: tuple[int, ...]
    written: str  # the flag as the user wrote it, for messages: before any `=`, or the first dotted key
    dotted: bool = False  # `--flag` folded from `--flag.key value` items


@dataclass(frozen=True)
class Read:
    """An argv entry argparse reads as a flag."""

    flag: VllmFlag
    spelling: str  # the spelling it resolves to: the name, an alias, a `--no-` form
    written: str
    value: str | None = None  # glued on: `=value`, `-qfp8`
    dotted: bool = False


@dataclass(frozen=True)
class Finding:
    """A problem with some items (None: a flag read without one), and the flag it is about, if any."""

    items: tuple[int, ...]  # the item of the flag (or positional) first, then those of the values it takes
    problem: str | None
    read: Read | None = None
    refused: bool = False  # the problem is a refusal (REFUSED, READ_BY_SIZING): its text quotes no value

    @property
    def start(self) -> int:
        return self.items[0]


def rewrite(args: list[str]) -> tuple[list[Arg], list[Finding]]:
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
            earlier = folded.get(base, Arg(base, (), a.written, dotted=True))
            value = () if eq else first[n + 1].items
            folded[base] = replace(earlier, items=earlier.items + a.items + value)
            if not eq:
                n += 1  # its value goes with it
        else:
            problems.append(Finding(a.items, _dotted_without_value(a)))
        n += 1
    json = [x for a in folded.values() for x in (a, replace(a, text="{}"))]
    return kept + json, problems


def _first_pass(args: list[str], i: int) -> list[Arg]:
    item, own = args[i], (i,)
    if item.startswith("--"):  # `_` -> `-` in the name, up to the first `.`
        key, eq, value = item.partition("=")
        name, dot, rest = key[2:].partition(".")
        return [Arg("--" + name.replace("_", "-") + dot + rest + eq + value, own, key)]
    if item.startswith("-O") and item != "-O":  # -O3, -O=3, -Odecode
        return [
            Arg("--optimization-level", own, "-O"),
            Arg(item[3:] if item[2] == "=" else item[2:], own, ""),
        ]
    if item == "-O" and args[i + 1 : i + 2] in (["0"], ["1"], ["2"], ["3"]):
        return [Arg("--optimization-level", own, "-O")]
    return [Arg(item, own, item.partition("=")[0])]


def _dotted_without_value(a: Arg) -> str:
    if as_flag(Arg(a.text.partition(".")[0], a.items, "")) is None:  # `-0.5`: not a flag at all
        return f"vLLM reads `{a.text}` as a `--flag.key` (a `-` and a `.`), not as a value: {GLUE}"
    return f"`{a.written}` needs a value after it: vLLM dies reading past the end"


GLUE = "glue it to the flag it is the value of, as in `--flag=-0.5`"


def as_flag(a: Arg) -> Read | str | None:
    """How argparse reads an argv entry: a flag, a problem (str), or a positional (None)."""
    if a.text == "--":
        return "`--` ends vLLM's flags: it would read every item after it as a stray positional"
    if not a.text.startswith("-") or a.text == "-":
        return None
    if a.text == "-O":
        return "`-O` needs its level glued on or next (`-O3`, `-O 3`): alone, vLLM hands it on as an unknown flag"
    found = _parse_optional(a.text)
    if isinstance(found, tuple):
        return Read(found[0], found[1], a.written, found[2], a.dotted)
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


def take(read: Read, rest: list[Arg]) -> tuple[int, str | None]:
    """How many of the following entries the flag takes as values, and what is wrong with them."""
    takes = read.flag.takes
    if read.value is not None:
        return 0, f"`{read.written}` takes no value: drop `=…`" if takes == "nothing" else None
    if read.dotted and takes == "nothing":
        return 1, f"`{read.flag.name}` takes no value, so `{read.written}` names a key of nothing"
    values = len(list(takewhile(lambda a: as_flag(a) is None, rest)))
    if values == 0 and takes in {"one", "one or more"}:
        after = "the next item is a flag" if rest else "nothing follows it"
        return 0, f"`{read.written}` needs a value ({after}): vLLM would exit with 'expected one argument'"
    return {"nothing": 0, "one": 1, "optional": min(1, values), "one or more": values}[takes], None


MODEL_ONLY = (
    "vLLM's one positional is the model, which the platform passes (the cache path): it would exit with "
    "'unrecognized arguments'"
)
