"""The layout rules of STYLE.md, checked on the source so they stay true:

- the import graph of `summarizer/` has no cycle, counting imports inside functions (a cycle that works
  only because of the import order broke once already: `cli.py` <-> `cli_batch.py`);
- no module imports another module's private (`_name`) names;
- no function in `summarizer/` is longer than 80 lines;
- a docstring that says a module "imports only `x`" is right;
- a document a comment cites (`README.md`, ...) is in the repository.

Imports under `if TYPE_CHECKING:` do not run, so they are not edges. Importing `a.b.c` also runs the
package `a.b`'s `__init__` first; that implicit edge is not counted either (Python finishes the parent
before the child, so it cannot deadlock an import).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "summarizer"
MAX_FUNCTION_LINES = 80

# Functions over the limit in modules another branch is refactoring right now (issue 15 and 14).
# When that branch lands, its entry must go: test_known_long_functions_are_still_long says which.
KNOWN_LONG_FUNCTIONS = {
}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path))


def package_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), path)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_import_nodes(node: ast.AST):
    """Every import statement that can run: module level and inside functions, not under TYPE_CHECKING."""
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for child in node.orelse:
            yield from _runtime_import_nodes(child)
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _runtime_import_nodes(child)


def _from_target(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(module: Module, modules: dict[str, Module]) -> list[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every runtime import of a `summarizer` module."""
    found: list[tuple[str, str | None]] = []
    for node in _runtime_import_nodes(module.tree()):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name in modules]
            continue
        target = _from_target(module, node)
        if target not in modules:
            continue
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            found.append((submodule, None) if submodule in modules else (target, alias.name))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    return {
        name: {target for target, _ in imported_names(module, modules) if target != name}
        for name, module in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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


def long_functions() -> dict[str, int]:
    """'module:Class.function' -> lines, for every function longer than the limit (nested ones included)."""
    found = {}
    for name, module in package_modules().items():
        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = child.end_lineno - child.lineno + 1
                    if lines > MAX_FUNCTION_LINES:
                        found[f"{name}:{prefix}{child.name}"] = lines
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                else:
                    visit(child, prefix)

        visit(module.tree(), "")
    return found


# -- the checkers check themselves -----------------------------------------------------------------
def test_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_count_and_type_checking_ones_do_not():
    modules = package_modules()
    fake = Module("summarizer.cli.fake", PACKAGE / "cli" / "fake.py")
    source = (
        "from typing import TYPE_CHECKING\n"
        "from summarizer.cli import options\n"
        "if TYPE_CHECKING:\n    from summarizer.api import Session\n"
        "def f():\n    from summarizer.errors import ExitCode\n    from . import common\n"
    )
    fake_tree = ast.parse(source)
    found = []
    for node in _runtime_import_nodes(fake_tree):
        if isinstance(node, ast.ImportFrom):
            found.append(_from_target(fake, node))
    assert found == ["typing", "summarizer.cli", "summarizer.errors", "summarizer.cli"]
    assert "summarizer.cli.options" in modules and "summarizer.cli.common" in modules


# -- the rules -------------------------------------------------------------------------------------
def test_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_cli_package_imports_point_one_way():
    graph = import_graph()
    commands = [name for name in graph if name.startswith("summarizer.cli.")]
    assert commands, "no summarizer.cli modules found"
    for name in commands:
        assert "summarizer.cli" not in graph[name], f"{name} imports the cli package's __init__ back"
    for name in ("summarizer.cli.options", "summarizer.cli.common"):
        assert not {dep for dep in graph[name] if dep.startswith("summarizer.cli.")}, f"{name} must not import a command module"
    library = [name for name in graph if not name.startswith("summarizer.cli") and name != "summarizer.__main__"]
    for name in library:
        assert not {dep for dep in graph[name] if dep.startswith("summarizer.cli")}, f"library module {name} imports the CLI"


def test_no_module_imports_another_modules_private_names():
    modules = package_modules()
    private = [
        f"{name} imports {target}.{taken}"
        for name, module in modules.items()
        for target, taken in imported_names(module, modules)
        if taken and taken.startswith("_") and not taken.startswith("__") and target != name
    ]
    assert private == []


def test_no_function_is_longer_than_80_lines():
    too_long = {name: lines for name, lines in long_functions().items() if name not in KNOWN_LONG_FUNCTIONS}
    assert too_long == {}, f"split these (or their nested helpers) below {MAX_FUNCTION_LINES} lines"


def test_known_long_functions_are_still_long():
    # When a refactor lands, its exception must be removed, so the list only shrinks.
    fixed = sorted(set(KNOWN_LONG_FUNCTIONS) - set(long_functions()))
    assert fixed == [], "these are now short enough (or gone): remove them from KNOWN_LONG_FUNCTIONS"


def test_docstrings_that_say_imports_only_are_right():
    modules = package_modules()
    wrong = []
    for name, module in modules.items():
        doc = ast.get_docstring(module.tree()) or ""
        claim = re.search(r"imports only ((?:`[\w.]+`(?:,\s*|\s+and\s+)?)+)", doc)
        if claim is None:
            continue
        claimed = set(re.findall(r"`([\w.]+)`", claim.group(1)))
        actual = {target for target, _ in imported_names(module, modules) if target != name}
        if actual - claimed:
            wrong.append(f"{name} says it imports only {sorted(claimed)} but imports {sorted(actual)}")
    assert wrong == []


def test_documents_cited_in_the_code_are_in_the_repository():
    in_repo = {path.name for path in ROOT.rglob("*.md") if ".venv" not in path.parts}
    missing = []
    for module in package_modules().values():
        for cited in re.findall(r"\b[A-Z][A-Z_]+\.md\b", module.path.read_text(encoding="utf-8")):
            if cited not in in_repo:
                missing.append(f"{module.path.relative_to(ROOT)} cites {cited}")
    assert missing == []
