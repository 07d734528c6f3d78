"""The one way page tests open the dashboard under AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

DASHBOARD = str(Path(__file__).resolve().parents[1] / "dashboard.py")


def start_page(db_path: Path, monkeypatch, page: str, query: dict | None = None, timeout: float = 30) -> AppTest:
    """The dashboard on `page` over `db_path`. AppTest switches pages only after a first run:
    that run is made on a missing database, where the home page stops at once, so the tests
    neither wait for nor depend on it."""
    monkeypatch.setenv("PCAET_DB", str(db_path.parent / "absente-pour-le-premier-affichage.duckdb"))
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    at.run()
    monkeypatch.setenv("PCAET_DB", str(db_path))
    at.query_params.update(query or {})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
