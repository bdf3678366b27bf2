"""Long values in the plan diff: split where a reader would break them, diffed with difflib, never cut inside a
piece (plan_diff/long_values.py)."""

from __future__ import annotations

import base64

from plan_diff.long_values import INLINE_WIDTH, MAX_LINES, diff_lines, is_long, pieces
from plan_diff.values import MISSING, FieldChange, diff_values


def test_a_command_breaks_after_shell_separators_and_before_long_options_only():
    command = "mkdir -p /c && cp -R /a/. /c/ || true; exec vllm serve /m --port 8000 --max-model-len 4096"
    assert pieces(command) == [
        "mkdir -p /c &&",
        "cp -R /a/. /c/ ||",
        "true;",
        "exec vllm serve /m",
        "--port 8000",
        "--max-model-len 4096",
    ]
    # Nothing is lost: the pieces are the whole text, split at single spaces.
    assert " ".join(pieces(command)) == command


def test_an_expression_breaks_before_its_operators_outside_brackets_only():
    expr = '(count(x{t="a"}) or vector(0)) * 1.5 + (count(x{t="b"}) or vector(0)) * 2.5'
    assert pieces(expr) == [
        '(count(x{t="a"}) or vector(0))',
        "* 1.5",
        '+ (count(x{t="b"}) or vector(0))',
        "* 2.5",
    ]


def test_scripts_diff_by_line_with_context_and_a_gap_between_distant_changes():
    old = "\n".join(f"line {i}" for i in range(10))
    new = old.replace("line 1", "line one").replace("line 8", "line eight")
    assert diff_lines(old, new) == [
        "  line 0",
        "- line 1",
        "+ line one",
        "  line 2",
        "…",
        "  line 7",
        "- line 8",
        "+ line eight",
        "  line 9",
    ]


def test_an_edit_repeated_in_many_places_is_shown_once_with_its_count():
    def cmd(key: str, n: int) -> str:
        return (
            f"test -d /cache/{key} && cp -R /cache/{key}/. /home/; exec vllm serve --tensor-parallel-size {n}"
        )

    assert diff_lines(cmd("5f1f", 4), cmd("8aa0", 2)) == [
        "- test -d /cache/5f1f &&",
        "+ test -d /cache/8aa0 &&   (and 1 more place)",
        "…",
        "  exec vllm serve",
        "- --tensor-parallel-size 4",
        "+ --tensor-parallel-size 2",
    ]


def test_objects_diff_as_indented_json_and_a_missing_side_is_all_added():
    old = {"panels": [{"title": "TTFT", "expr": "a"}], "title": "LLM", "uid": "x" * 80}
    new = {**old, "title": "LLM serving"}
    assert [line for line in diff_lines(old, new) if line.startswith(("-", "+"))] == [
        '-   "title": "LLM",',
        '+   "title": "LLM serving",',
    ]
    assert diff_lines(MISSING, "a && b") == ["+ a &&", "+ b"]


def test_a_long_diff_stops_at_a_whole_line():
    old = "\n".join(f"{i}" for i in range(100))
    new = "\n".join(f"{i}x" for i in range(100))
    lines = diff_lines(old, new)
    assert len(lines) == MAX_LINES + 1 and lines[-1] == f"… {200 - MAX_LINES} more lines of this diff"
    assert all(
        line in {f"- {i}" for i in range(100)} | {f"+ {i}x" for i in range(100)} for line in lines[:-1]
    )


def test_what_is_long():
    assert not is_long("x" * (INLINE_WIDTH - 2)) and is_long("x" * INLINE_WIDTH) and is_long("a\nb")
    assert is_long(list(range(40))) and not is_long(MISSING) and not is_long(12)


def test_base64_text_is_compared_decoded():
    def encoded(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    old = "MIME-Version: 1.0\n--==b==\nkind: NodeConfig\nspec:\n  featureGates:\n    FastImagePull: true\n"
    new = old.replace("true", "false")
    assert diff_values(encoded(old), encoded(new), "userData") == [
        FieldChange("userData (base64-decoded)", old, new)
    ]
    # Short or binary base64 is a plain string.
    assert diff_values("dHJ1ZQ==", "ZmFsc2U=", "x") == [FieldChange("x", "dHJ1ZQ==", "ZmFsc2U=")]
