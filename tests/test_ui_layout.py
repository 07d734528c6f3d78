"""The layout of the dashboard's code, read with `ast` (docs/interface.md): pages in ui/pages/ and
no `pages/` folder beside dashboard.py (Streamlit's legacy mode), every page declared once in
the routes table and linked through it, the UI reading the engine through cae_data.services
only (never the store, DuckDB or auth), no UI module over 400 lines, and the engine's palette
and figure builders free of Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
UI = PROJECT_ROOT / "ui"
UI_FILES = sorted([PROJECT_ROOT / "dashboard.py", *UI.rglob("*.py")])
MAX_LINES = 400
FORBIDDEN_IN_UI = ("cae_data.store", "duckdb", "cae_data.auth")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, absolute (`from cae_data import store` counts as
    `cae_data.store`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_pages_folder_beside_the_entry():
    assert not (PROJECT_ROOT / "pages").exists()
    assert (UI / "pages").is_dir() and (UI / "routes.py").is_file()


def test_every_page_file_is_one_route_and_every_route_a_file():
    from ui import routes

    names = [route.name for route in routes.ROUTES]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.stem for p in (UI / "pages").glob("*.py"))
    assert [r.name for r in routes.ROUTES if r.default] == ["vue_ensemble"]
    assert {r.section for r in routes.ROUTES} == set(routes.SECTIONS)
    assert [r.name for r in routes.ROUTES if r.writes] == ["importer_evaluation", "fiche_nouvelle"]


def test_page_paths_are_written_in_the_routes_table_only():
    """No st.Page / st.page_link / st.switch_page outside ui/routes.py names a page by a literal
    path: links go through `routes.X.path`."""
    literal = []
    for path in UI_FILES:
        if path.name == "routes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("page_link", "switch_page", "Page"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant):
                    literal.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {first.value}")
    assert literal == []
    # and the links of the pages do name routes
    text = "\n".join(p.read_text(encoding="utf-8") for p in UI_FILES)
    assert text.count("routes.DETAIL_MESURE.path") >= 2 and "routes.PRESENTATION.path" in text


def test_the_ui_reads_through_the_services_only():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}: {module}" for path in UI_FILES
                 for module in sorted(imported_modules(path))
                 if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_IN_UI)]
    assert offenders == []


def test_no_ui_module_is_over_400_lines():
    long = {str(p.relative_to(PROJECT_ROOT)): n for p in UI_FILES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_palette_and_figures_do_not_import_streamlit():
    engine = [PROJECT_ROOT / "cae_data" / "palette.py", *(PROJECT_ROOT / "cae_data" / "charts").glob("*.py"),
              *(PROJECT_ROOT / "cae_data" / "rapports").glob("*.py"), PROJECT_ROOT / "cae_data" / "simulation.py"]
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in engine
                 if any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(p))]
    assert offenders == []


def test_reports_do_not_import_their_package_back_nor_private_analyses():
    """rapports/pdf.py and xlsx.py import rapports.tables, never the package (no cycle through
    function-level imports); comites and rapports call no `_x` function of analyses."""
    for name in ("pdf.py", "xlsx.py", "tables.py"):
        tree = ast.parse((PROJECT_ROOT / "cae_data" / "rapports" / name).read_text(encoding="utf-8"))
        relative = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1]
        assert None not in relative, name  # `from . import …`
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        assert not [f.name for f in functions if any(isinstance(n, (ast.Import, ast.ImportFrom)) and
                                                     getattr(n, "module", "") and "rapports" in (n.module or "")
                                                     for n in ast.walk(f))], name
    for path in (PROJECT_ROOT / "cae_data" / "comites.py", *(PROJECT_ROOT / "cae_data" / "rapports").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                   and isinstance(node.value, ast.Name) and node.value.id == "analyses" and node.attr.startswith("_")]
        assert private == [], path.name
