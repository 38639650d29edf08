"""The import structure of ``src/promptsales`` (issue 14): no import cycles, and no import from a lower layer
up to a higher one. The layers are declared in docs/architecture.md ("Layers and wiring").

Imports are read from the source with ``ast`` — module level and inside functions alike, since a late import
is still a dependency — so nothing is imported to check them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "promptsales"

#: Bottom to top. A module may import its own layer's modules (no cycles) and any lower layer; modules in a
#: group of independent siblings (``|`` below) may not import one another.
LAYERS: list[tuple[str, ...]] = [
    ("errors", "config", "caller", "progress", "seeding"),
    ("runtime",),
    ("db",),
    ("audit",),  # the central audit (issue 23): written by the issuer, the kit, the companies and the jobs
    ("auth",),
    ("ai",),
    ("cache",),
    ("mcpkit",),
    ("lab",),
    ("warehouse",),  # what the warehouse holds (the measure registry), read by the sales questions and the ETL
    ("ads", "crm", "content", "sales"),  # independent companies: cross-company calls go over MCP
    ("backup", "etl", "privileges", "privacy"),  # platform jobs over the companies, independent of each other
    ("seed", "stats"),
    ("wiring", "testing"),
    ("drills",),  # failover drills of the HA profile: load through the MCP servers (testing helpers), faults
    ("commands", "definitions"),
    ("cli",),
]
INDEPENDENT = {("ads", "crm", "content", "sales"), ("backup", "etl", "privileges", "privacy")}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The longest prefix of ``name`` that is one of our modules."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for every import statement in ``path``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.startswith(PACKAGE) else None
            if target and target != module:
                yield target, node.lineno


GRAPH: dict[str, list[tuple[str, int]]] = {module: list(_imports(module, path)) for module, path in MODULES.items()}


def _part(module: str) -> str:
    """The top-level part of ``promptsales.<part>…`` a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(root)"


LAYER_OF = {part: index for index, layer in enumerate(LAYERS) for part in layer}


def test_every_part_of_the_package_has_a_declared_layer():
    undeclared = sorted({_part(module) for module in MODULES} - set(LAYER_OF) - {"(root)"})
    assert not undeclared, f"declare the layer of {undeclared} in LAYERS (and docs/architecture.md)"


def test_no_import_goes_up_a_layer_or_across_independent_siblings():
    violations = []
    for module, imports in GRAPH.items():
        source = _part(module)
        for target, line in imports:
            destination = _part(target)
            if source == destination or "(root)" in (source, destination):
                continue
            upward = LAYER_OF[destination] > LAYER_OF[source]
            sideways = any(source in group and destination in group for group in INDEPENDENT)
            if upward or sideways:
                violations.append(f"{MODULES[module].relative_to(SRC)}:{line} imports {target}")
    assert not violations, "imports against the layers:\n" + "\n".join(sorted(violations))


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in GRAPH:
        if root in index:
            continue
        work = [(root, iter(GRAPH[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target, _line in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(GRAPH[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_import_graph_has_no_cycle():
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize(
    ("source", "target"),
    [("promptsales.runtime.prefork", "promptsales.cli"), ("promptsales.ai.textgen", "promptsales.cache.ai")],
)
def test_the_checker_sees_the_imports_it_must_forbid(source, target, tmp_path):
    """The checks above can fail: an upward import is reported, whether at module level or inside a function."""
    upward = _part(target)
    assert LAYER_OF[upward] > LAYER_OF[_part(source)]
    code = f"def late():\n    from {target} import something\n"
    fake = tmp_path / "fake.py"
    fake.write_text(code)
    assert [t for t, _ in _imports(source, fake)] == [target]


def test_the_cli_does_not_import_the_drills_or_an_mcp_client_until_asked() -> None:
    """Every `promptsales` command imports the CLI: the failover drills (and the MCP client they load, ≈ 0.8 s)
    are imported only by `promptsales drill …`, and `drill --help` still names every drill."""
    import subprocess
    import sys

    probe = (
        "import sys, promptsales.cli; "
        "print(sorted(m for m in ('promptsales.drills.run', 'mcp.client') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", loaded
    from promptsales.drills import DRILL_NAMES
    from promptsales.drills.run import DRILLS

    assert tuple(DRILLS) == DRILL_NAMES
