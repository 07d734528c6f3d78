"""The layout holds: read the code with `ast` (nothing is imported or run) and fail when

- the engine (`cae_data/`) imports streamlit, or the UI;
- SQL is written outside `cae_data/store/` (a call to `.execute`/`.sql`, an SQL statement in a
  string) or DuckDB is imported there;
- the UI (`ui/`, `dashboard.py`) reaches the store or DuckDB instead of the services;
- modules import each other in a circle (function-level imports included);
- a module uses another module's private name (`from m import _x`, `m._x`);
- a UI module passes 400 lines.

README.md (« Layout ») says why each rule exists."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_MAX_LINES = 400
SQL_STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|SEQUENCE|INDEX|VIEW)|DROP\s+|"
    r"ALTER\s+TABLE|PRAGMA|CHECKPOINT|ATTACH|COPY\s|BEGIN\s+TRANSACTION|COMMIT|ROLLBACK)\b")
SQL_METHODS = {"execute", "executemany", "sql", "query"}


@dataclass
class Module:
    name: str  # dotted: cae_data.store.connexion, ui.pages.radar, dashboard
    path: Path
    tree: ast.Module
    imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line), resolved
    names_from: list[tuple[str, str, int]] = field(default_factory=list)  # (module, name, line)

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_files() -> list[Path]:
    files = sorted((ROOT / "cae_data").rglob("*.py"))
    if (ROOT / "ui").is_dir():
        files += sorted((ROOT / "ui").rglob("*.py"))
    return files + [ROOT / "dashboard.py"]


def load_modules() -> dict[str, Module]:
    modules = {}
    for path in project_files():
        modules[module_name(path)] = Module(module_name(path), path, ast.parse(path.read_text(encoding="utf-8")))
    for module in modules.values():
        package = module.name if module.is_package else module.name.rpartition(".")[0]
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                module.imports += [(alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in modules:  # `from . import store`: the submodule itself
                        module.imports.append((submodule, node.lineno))
                    else:
                        module.imports.append((target, node.lineno))
                        module.names_from.append((target, alias.name, node.lineno))
    return modules


MODULES = load_modules()
ENGINE = {n: m for n, m in MODULES.items() if n.startswith("cae_data")}
UI = {n: m for n, m in MODULES.items() if n.startswith("ui") or n == "dashboard"}


def where(module: Module, line: int) -> str:
    return f"{module.path.relative_to(ROOT)}:{line}"


def test_the_ui_lives_in_ui_not_in_a_pages_folder():
    assert (ROOT / "ui" / "routes.py").is_file()
    assert not (ROOT / "pages").exists(), "pages/ next to dashboard.py turns on Streamlit's legacy mode"


def test_the_engine_never_imports_streamlit_nor_the_ui():
    wrong = [f"{where(m, line)} imports {target}" for m in ENGINE.values() for target, line in m.imports
             if target.split(".")[0] in ("streamlit", "ui", "dashboard")]
    assert not wrong, "\n".join(wrong)


def test_sql_is_written_only_in_the_store():
    wrong = []
    for module in ENGINE.values():
        if module.name.startswith("cae_data.store"):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_METHODS:
                wrong.append(f"{where(module, node.lineno)} calls .{node.func.attr}()")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.match(node.value):
                wrong.append(f"{where(module, node.lineno)} holds SQL: {node.value.strip()[:50]!r}")
        wrong += [f"{where(module, line)} imports duckdb" for target, line in module.imports
                  if target.split(".")[0] == "duckdb"]
    for module in UI.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.match(node.value):
                wrong.append(f"{where(module, node.lineno)} holds SQL: {node.value.strip()[:50]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_ui_reaches_data_only_through_the_services():
    wrong = [f"{where(m, line)} imports {target}" for m in UI.values() for target, line in m.imports
             if target.split(".")[0] == "duckdb" or target.startswith("cae_data.store")]
    assert not wrong, "\n".join(wrong)


def test_no_module_uses_another_module_s_private_names():
    wrong = []
    for module in MODULES.values():
        for target, name, line in module.names_from:
            if name.startswith("_") and not name.startswith("__") and target in MODULES and target != module.name:
                wrong.append(f"{where(module, line)} takes {name} from {target}")
        aliases = {}  # local name -> project module, for `alias._private`
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                for alias in node.names:
                    for target, _ in module.imports:
                        if target.endswith("." + alias.name) or target == alias.name:
                            aliases[alias.asname or alias.name.split(".")[-1]] = target
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and isinstance(node.value, ast.Name) and aliases.get(node.value.id) in MODULES):
                wrong.append(f"{where(module, node.lineno)} uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_modules_do_not_import_each_other_in_a_circle():
    graph = {name: {t for t, _ in m.imports if t in MODULES and t != name} for name, m in MODULES.items()}
    circles = cycles(graph)
    assert not circles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in circles)


def test_cycle_detection_finds_a_circle():
    # The checker itself: a ↔ b is a circle, a → b → c is not.
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("name", sorted(UI))
def test_ui_modules_stay_small(name):
    assert MODULES[name].lines <= UI_MAX_LINES, f"{MODULES[name].path.relative_to(ROOT)}: {MODULES[name].lines} lines"
