"""The import graph, built from the source (every import statement, those inside functions included): no
cycle between modules or packages, no import of a layer above, and the resolution steps used only where the
fleet is resolved."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT_DIR

# bench/ holds stand-alone scripts with their own requirements (bench/requirements.txt), outside the program.
SKIP_DIRS = {
    "tests",
    "build",
    "docs",
    "bench",
    ".venv",
    ".venv-checkov",
    ".venv-iam",
    ".git",
    ".github",
    ".ci",
    "__pycache__",
}

# Bottom to top: a package may import its own modules and packages of LOWER layers only. Packages of one layer
# do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("components",),  # reusable Pulumi components: nothing of the program (they get everything through Args)
    ("catalog", "vocabulary"),  # data tables (the chart catalog builds components' ChartPin) and shared names
    ("sizing",),  # GPU memory arithmetic
    ("config",),  # the stack file's schema, loading and checks
    ("fleet",),  # the resolved fleet
    (
        "serving",
        "observability",
        "access",
        "gateway",
    ),  # Kubernetes objects, rules and dashboards, from the fleet
    ("helm_values",),  # chart values (monitoring's reads the dashboards' node labels)
    ("stacks",),  # the program and the composition
    ("cost", "policy"),  # the cost estimate; the policy pack (an independent guard)
    ("planner",),  # the offline plan
    ("plan_diff", "security"),  # tools over rendered plans
    ("delivery",),  # the workflows' view of the stack files (which a pull request changes: plan_diff)
    ("__main__",),  # `pulumi up`'s entry point
)
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}

# Resolution steps only the fleet's loader calls: each model is placed, and the pools resolved, in one place.
ONLY_FROM: Mapping[str, set[str]] = {
    "fleet.placement": {"fleet.load"},
    "fleet.pools": {"fleet.load"},
    "fleet.budgets": {"fleet.load"},
    "fleet.addons": {"fleet.load"},
    "fleet.gateway": {"fleet.load"},
}
# The memory arithmetic's `fit` is called by placement, and by `make size`, which explores the whole catalog.
FIT_CALLERS = {"fleet.placement", "planner.size"}


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported project module
    where: str  # file:line


def modules(root: Path = PROJECT_DIR) -> dict[str, Path]:
    """Every project module by dotted name (packages by their __init__)."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if set(rel.parts[:-1]) & SKIP_DIRS or rel.parts[0] in SKIP_DIRS:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    """The project module `name` refers to: itself, or the longest project module prefix of it."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _imported(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from the module's own package
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            yield f"{base}.{alias.name}"  # a submodule, or a name in `base` (resolved to `base` then)


def edges(known: Mapping[str, Path] | None = None) -> list[Edge]:
    known = known if known is not None else modules()
    out = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            for name in _imported(node, module, path.name == "__init__.py"):
                target = _resolve(name, known)
                if target is not None and target != module:
                    out.append(Edge(module, target, f"{path.relative_to(PROJECT_DIR)}:{node.lineno}"))
    return out


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def graph_at(depth: int, all_edges: Iterable[Edge]) -> dict[str, set[str]]:
    """The import graph between packages named by their first `depth` parts (modules at depth)."""
    g: dict[str, set[str]] = defaultdict(set)
    for e in all_edges:
        a, b = ".".join(e.source.split(".")[:depth]), ".".join(e.target.split(".")[:depth])
        if a != b:
            g[a].add(b)
    return g


def top(module: str) -> str:
    return module.split(".")[0]


# --- the tests ----------------------------------------------------------------------------------------------


def test_the_graph_is_read_from_the_source():
    # The graph is only worth its assertions if it sees the imports: a few that must be there.
    found = {(e.source, e.target) for e in edges()}
    assert ("stacks.program", "fleet.load") in found
    assert ("planner.run", "stacks.program") in found  # a lazy import inside a function
    assert ("catalog.charts", "components.helm_chart") in found
    assert len(found) > 150


def test_every_project_package_has_a_layer():
    assert {top(m) for m in modules()} == set(RANK)


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        f"{e.where}: {e.source} imports {e.target}"
        for e in edges()
        if top(e.source) != top(e.target) and RANK[top(e.target)] >= RANK[top(e.source)]
    ]
    assert upward == []


def test_components_import_nothing_of_the_program():
    program = [e for e in edges() if top(e.source) == "components" and top(e.target) != "components"]
    assert program == []


def test_no_import_cycles_between_modules():
    assert cycles(graph_at(99, edges())) == []


def test_no_import_cycles_between_packages():
    all_edges = edges()
    for depth in (1, 2):
        assert cycles(graph_at(depth, all_edges)) == [], f"packages at depth {depth}"


def test_resolution_steps_are_called_only_where_the_fleet_is_resolved():
    misplaced = [
        f"{e.where}: {e.source} imports {e.target}"
        for e in edges()
        if e.target in ONLY_FROM and e.source not in ONLY_FROM[e.target] | {e.target}
    ]
    assert misplaced == []


def test_only_placement_and_make_size_call_the_memory_arithmetic():
    callers = set()
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            imports_fit = isinstance(node, ast.ImportFrom) and node.module == "sizing.gpu_memory"
            if imports_fit and any(alias.name == "fit" for alias in node.names):
                callers.add(module)
    assert callers == FIT_CALLERS


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
