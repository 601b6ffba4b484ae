"""The architecture is checked, not hoped for (docs/architecture.md, "Layers").

Read from the import graph (grimp, the library import-linter uses) of everything under
``huigong`` except tests (``huigong.<app>.tests``, ``huigong.tests``, ``huigong.testing``),
which may import whatever they test:

- the import-linter contracts of ``pyproject.toml`` hold (the layers, no cycles);
- no import cycle between the top-level packages, nor between the modules of one package;
- no module imports a private name (``_name``) of a module outside its own package;
- no app's pages, portal or API import another app's views.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

import huigong

PACKAGE = "huigong"
SOURCE = Path(huigong.__file__).parent
PYPROJECT = SOURCE.parent.parent / "pyproject.toml"


def is_test_module(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[1:2] in (["testing"], ["tests"])


def top_level(module: str) -> str:
    """``huigong.cases.api.cases`` → ``huigong.cases``; a project module is its own."""
    return ".".join(module.split(".")[:2])


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The import graph without test modules, built fresh (no cache on disk)."""
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    for module in [m for m in graph.modules if is_test_module(m)]:
        graph.remove_module(module)
    return graph


def direct_imports(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    return {
        (i["importer"], i["imported"])
        for i in graph.find_matching_direct_imports(import_expression=f"{PACKAGE}.** -> **")
    }


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    successors: dict[str, set[str]] = {}
    for a, b in edges:
        successors.setdefault(a, set()).add(b)
        successors.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(successors):
        if root in index:
            continue
        work = [(root, iter(sorted(successors[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
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
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(successors[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def describe(components: list[list[str]], edges: set[tuple[str, str]]) -> str:
    lines = []
    for component in components:
        members = set(component)
        lines.append(" ↔ ".join(component))
        lines += [f"    {a} -> {b}" for a, b in sorted(edges) if a in members and b in members]
    return "\n".join(lines)


def test_the_cycle_check_finds_every_cycle_and_nothing_else():
    edges = {("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({("a", "b"), ("b", "c"), ("a", "c")}) == []


def test_import_linter_contracts_are_kept(capsys):
    from importlinter import api  # noqa: F401  (configures import-linter)
    from importlinter.application import use_cases

    kept = use_cases.lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def test_no_import_cycle_between_top_level_packages(graph):
    edges = {(top_level(a), top_level(b)) for a, b in direct_imports(graph)}
    edges = {(a, b) for a, b in edges if a != b}
    found = cycles(edges)
    assert not found, "import cycles between packages:\n" + describe(found, edges)


def test_no_import_cycle_between_the_modules_of_a_package(graph):
    edges = {(a, b) for a, b in direct_imports(graph) if top_level(a) == top_level(b)}
    found = cycles(edges)
    assert not found, "import cycles inside a package:\n" + describe(found, edges)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def private_imports() -> set[tuple[str, str, str]]:
    """Every ``from <huigong module> import _name`` where the module is neither the
    importer's own package, nor a module of it, nor the importer itself:
    (importer, module, name)."""
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        importer = module_name(path)
        if is_test_module(importer):
            continue
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            if source.split(".")[0] != PACKAGE:
                continue
            if source in (importer, package) or source.rpartition(".")[0] == package:
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    found.add((importer, source, name))
    return found


def test_no_module_imports_a_private_name_from_outside_its_package():
    found = private_imports()
    assert not found, "\n".join(
        f"{importer} imports {name} from {source}" for importer, source, name in sorted(found)
    )


def test_the_private_import_check_sees_relative_and_absolute_imports(tmp_path, monkeypatch):
    # The check itself: a package importing private names in each way it may be written.
    root = tmp_path / "huigong"
    (root / "one" / "sub").mkdir(parents=True)
    for init in (root, root / "one", root / "one" / "sub"):
        (init / "__init__.py").write_text("")
    (root / "one" / "a.py").write_text("_x = 1\n")
    (root / "one" / "b.py").write_text("from .a import _x\nfrom huigong.one.a import _x\n")
    (root / "one" / "sub" / "c.py").write_text(
        "from ..a import _x\nfrom huigong.one import a\nfrom .. import _y\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SOURCE"]), "SOURCE", root)
    assert private_imports() == {
        ("huigong.one.sub.c", "huigong.one.a", "_x"),
        ("huigong.one.sub.c", "huigong.one", "_y"),
    }


UI = ("views", "portal", "api")


def is_ui(module: str) -> bool:
    """A module (or package) of pages, portal or API: ``views``, ``portal``, ``api``,
    ``<area>_views``, or anything inside one of them."""
    return any(p in UI or p.endswith("_views") for p in module.split(".")[2:])


def is_views(module: str) -> bool:
    return any(p == "views" or p.endswith("_views") for p in module.split(".")[2:])


def test_no_app_page_portal_or_api_imports_another_apps_views(graph):
    apps_modules = [m for m in graph.modules if m.count(".") >= 2]
    importers = [m for m in apps_modules if is_ui(m)]
    views = [m for m in apps_modules if is_views(m)]
    assert importers and views
    found = []
    for importer in importers:
        for imported in views:
            if top_level(importer) == top_level(imported):
                continue
            chain = graph.find_shortest_chain(importer=importer, imported=imported)
            if chain:
                found.append(" -> ".join(chain))
    assert not found, "an app's UI reaches another app's views:\n" + "\n".join(sorted(found))
