"""Named steps, not long blocks: no function outside tests/ runs past 50 lines (ruff checks complexity and
statement counts, C901 and PLR0915, but not length)."""

from __future__ import annotations

import ast

from tests.architecture.test_imports import modules

MAX_LINES = 50


def test_no_function_is_longer_than_fifty_lines():
    long = []
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_LINES:
                    long.append(f"{path.name}:{node.lineno} {module}.{node.name}: {lines} lines")
    assert long == []
