"""The package's folders are its layers: imports only go down, and nothing goes round.

Read from the code with ``ast``, so an import placed inside a function or behind
``TYPE_CHECKING`` counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.runner import ROOT

PACKAGE = ROOT / "mou"
FOUNDATION = {
    "mou",
    "mou.data",
    "mou.errors",
    "mou.chars",
    "mou.settings",
    "mou.ids",
    "mou.outline",
    "mou.fsutil",
    "mou.model",
    "mou.yamlio",
    "mou.yamlchunks",
    "mou.coreyaml",
    "mou.schema",
    "mou.validate",
    "mou.presets",
    "mou.quickload",
    "mou.notices",
    "mou.migrate",
    "mou.attachments",
    "mou.lifecycle",
    "mou.measures",
    "mou.deadlines",
    "mou.totals",
    "mou.periods",
}
# Which layers each layer may import (besides itself and the foundation).
ALLOWED = {
    "foundation": set(),
    "store": set(),
    "document": set(),
    "rules": {"document"},
    "changes": {"store", "document"},
    "front": {"store", "document", "changes", "rules"},
    "ui": {"store", "document", "changes", "rules"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    second = module.split(".")[1]
    if second in ("store", "document", "changes", "rules", "ui"):
        return second
    return "front"  # cli, clidoc, commands, __main__


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(imported mou module, line, inside a function) for every import of mou in ``path``."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        for target in _targets(node, package):
            if target.split(".")[0] == "mou":
                found.append((_known(target), node.lineno, node.col_offset > 0))
    return found


def _targets(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parent, base] if base else parent)
    return [f"{base}.{alias.name}" for alias in node.names]


def _known(target: str) -> str:
    """``mou.store.workspace.Workspace`` -> the module ``mou.store.workspace``."""
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return target


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def test_no_import_goes_up_or_sideways_out_of_its_layer() -> None:
    wrong = []
    for module, imported in GRAPH.items():
        here = layer(module)
        for target, line, _ in imported:
            there = layer(target)
            if there not in {here, "foundation", *ALLOWED[here]}:
                wrong.append(
                    f"{MODULES[module]}:{line}: {module} ({here}) imports {target} ({there})"
                )
    assert not wrong, "\n".join(wrong)


def test_the_foundation_imports_nothing_above_it() -> None:
    for module in FOUNDATION:
        above = [t for t, _, _ in GRAPH[module] if layer(t) != "foundation"]
        assert not above, f"{module} imports {above}"


def test_there_is_no_import_circle() -> None:
    edges = {m: {t for t, _, _ in imported if t != m} for m, imported in GRAPH.items()}
    circle = _find_circle(edges)
    assert circle is None, " -> ".join(circle or [])


def _find_circle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = "open", stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node], _ = "done", stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_mou_modules_import_each_other_at_the_top() -> None:
    # Function-level imports are kept for heavy third-party libraries only, so that an
    # import circle between mou's own modules cannot hide inside a function.
    inner = [
        f"{MODULES[module]}:{line}: {target}"
        for module, imported in GRAPH.items()
        for target, line, nested in imported
        if nested and not _type_checking_only(MODULES[module], line)
    ]
    assert not inner, "\n".join(inner)


def _type_checking_only(path: Path, line: int) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.If)
        and "TYPE_CHECKING" in ast.unparse(node.test)
        and node.lineno <= line <= (node.end_lineno or node.lineno)
        for node in tree.body
    )


@pytest.mark.parametrize("page", sorted(m for m in MODULES if m.startswith("mou.ui.pages.")))
def test_pages_never_import_each_other(page: str) -> None:
    others = [t for t, _, _ in GRAPH[page] if t.startswith("mou.ui.pages.") and t != page]
    assert not others, f"{page} imports {others}"


def test_the_circle_finder_finds_a_circle() -> None:
    # The check above must be able to fail.
    assert _find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_circle({"a": {"b"}, "b": set()}) is None


def test_the_readme_layout_table_lists_every_module_of_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed: dict[str, set[str]] = {}
    for line in readme.splitlines():
        if line.startswith("| `mou/"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            names = {name.strip(" `") for name in cells[2].split(",") if name.strip()}
            listed.setdefault(cells[0].strip("`"), set()).update(names)
    actual: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name != "__init__.py":
            folder = path.parent.relative_to(ROOT).as_posix() + "/"
            actual.setdefault(folder, set()).add(path.stem)
    actual.setdefault("mou/data/", set())
    assert listed == actual
