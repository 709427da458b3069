"""Imports point down the layers, and no module imports itself round a circle.

The layers, top to bottom (see README.md, "Layout"):

- ``portal``: the entry points (the CLI, the server, the worker); they assemble the rest;
- ``functions``: the API's functions, the domain rules, the consumers and the store;
- ``site_config``: the site build; beside ``functions``, and neither imports the other;
- ``search_index``: text analysis, the index and its live writer;
- ``core``: settings and the shared vocabularies.

Every import counts, those inside functions included: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

from core.settings import PROJECT_ROOT

PACKAGES = ("portal", "functions", "site_config", "search_index", "core")
# What each package may import, besides itself.
ALLOWED = {
    "portal": {"functions", "site_config", "search_index", "core"},
    "functions": {"search_index", "core"},
    "site_config": {"search_index", "core"},
    "search_index": {"core"},
    "core": set(),
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (``from a import b`` names ``a.b`` when that is
    a module, else ``a``), and those it names in a string to import later
    (``importlib.import_module("functions.forum")``)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
            targets = [node.value]  # a dotted module path, imported by name later
        else:
            continue
        found |= {target for target in targets if target in known and target != name}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def wrong_imports(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in edges.items():
        top = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != top and other not in ALLOWED[top]:
                wrong.append(f"{module} imports {target}")
    return sorted(wrong)


def circles_in(edges: dict[str, set[str]]) -> list[str]:
    circles: list[str] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return circles


def test_the_checks_see_what_they_look_for():
    edges = graph()
    assert "functions.forum" in edges["functions.app"]
    assert "core.settings" in edges["portal.cli"]
    assert "functions.store.contract" in edges["functions.store.sqlite"]  # from a.b import c
    assert len(edges) > 50
    assert circles_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a -> b -> c -> a"]
    assert wrong_imports({"core.x": {"functions.y"}, "functions.y": {"core.x"}}) == [
        "core.x imports functions.y"
    ]


def test_imports_only_point_down():
    wrong = wrong_imports(graph())
    assert not wrong, "imports that point up or across:\n" + "\n".join(wrong)


def test_no_import_circles():
    circles = circles_in(graph())
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_no_function_module_imports_the_app_that_mounts_it():
    edges = graph()
    # The app factory, and the Lambda entry points made from it.
    mounting = {name for name in edges if name in ("functions.app", "functions.lambda_handlers")}
    for module, targets in edges.items():
        if module.startswith("functions.") and module not in mounting:
            assert not targets & mounting, f"{module} imports the app factory"
