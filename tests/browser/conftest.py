"""Real-browser fixtures: a Streamlit server on a free port over a seeded database, and Debian's
chromium driven by playwright (never `playwright install`).

Reuse in later browser tests:
    def test_x(dashboard_page):
        dashboard_page.open("ma_page", "Texte attendu")
        dashboard_page.screenshot("ma_page")
`start_dashboard(db_path)` starts another server when a test needs a different database.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOTS = PROJECT_ROOT / "tests" / "artifacts" / "screenshots"
SERVER_START_SECONDS = 60
TEXT_TIMEOUT_MS = 20_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DashboardServer:
    url: str
    db_path: Path
    process: subprocess.Popen
    log_path: Path


@contextmanager
def start_dashboard(db_path: Path, log_dir: Path):
    """`streamlit run dashboard.py` with PCAET_DB=db_path, ready when /_stcore/health says ok."""
    port = _free_port()
    env = {**os.environ, "PCAET_DB": str(db_path)}
    log_path = log_dir / f"streamlit-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit s'est arrêté au démarrage :\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit ne répond pas après {SERVER_START_SECONDS} s :\n"
                                   f"{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield DashboardServer(url, db_path, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser_db(_seeded_template, tmp_path_factory) -> Path:
    """The database the shared server reads: one copy of the seeded template for the session."""
    folder = tmp_path_factory.mktemp("browser-db")
    shutil.copytree(_seeded_template.parent, folder, dirs_exist_ok=True)
    return folder / _seeded_template.name


@pytest.fixture(scope="session")
def dashboard_server(browser_db, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent : installez le paquet Debian « chromium » (make browser-deps)")
    with start_dashboard(browser_db, tmp_path_factory.mktemp("streamlit-logs")) as server:
        yield server


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} absent : installez le paquet Debian « chromium » (make browser-deps)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class DashboardPage:
    """A browser tab on the dashboard with the few steps every page test repeats."""

    def __init__(self, page, server: DashboardServer):
        self.page = page
        self.server = server

    def open(self, url_path: str, expected_text: str, query: str = ""):
        """Load /<url_path>?<query> and wait until `expected_text` is visible."""
        self.page.goto(f"{self.server.url}/{url_path}{'?' + query if query else ''}")
        return self.wait_for_text(expected_text)

    def wait_for_text(self, text: str, timeout_ms: int = TEXT_TIMEOUT_MS):
        locator = self.page.get_by_text(text, exact=False).first
        locator.wait_for(state="visible", timeout=timeout_ms)
        self.settle(timeout_ms)
        return locator

    def settle(self, timeout_ms: int = TEXT_TIMEOUT_MS) -> None:
        """Wait until lazily loaded widgets replaced their grey placeholders and fonts are in."""
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")

    def main_text(self) -> str:
        return self.page.locator('[data-testid="stMain"]').inner_text()

    def screenshot(self, name: str, full: bool = True) -> Path:
        """`<name>.png`: what a 1920×1080 screen shows; with `full`, also `<name>-complet.png`,
        the whole page (the viewport is stretched to the page's height, as full_page cannot)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.settle()
        self.page.wait_for_timeout(400)  # expanders and tabs animate open
        self.page.screenshot(path=str(path))
        if full:
            height = self.page.evaluate(
                "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                " return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }"
            )
            self.page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(int(height), VIEWPORT["height"]), 12000)})
            self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-complet.png"))
            self.page.set_viewport_size(VIEWPORT)
        return path


@contextmanager
def open_tab(browser, server: DashboardServer):
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    try:
        yield DashboardPage(context.new_page(), server)
    finally:
        context.close()


@pytest.fixture
def dashboard_page(chromium_browser, dashboard_server):
    """A fresh tab on the server over the seeded database."""
    with open_tab(chromium_browser, dashboard_server) as tab:
        yield tab


@pytest.fixture(scope="session")
def full_dashboard_server(_full_template, tmp_path_factory):
    """A second server over the seeded database plus the official CAE referential (skipped
    without ../shared/referentiels or chromium)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent : installez le paquet Debian « chromium » (make browser-deps)")
    folder = tmp_path_factory.mktemp("browser-full-db")
    shutil.copytree(_full_template.parent, folder, dirs_exist_ok=True)
    with start_dashboard(folder / _full_template.name, tmp_path_factory.mktemp("streamlit-full-logs")) as server:
        yield server


@pytest.fixture
def full_dashboard_page(chromium_browser, full_dashboard_server):
    """A fresh tab on the server with the official referential."""
    with open_tab(chromium_browser, full_dashboard_server) as tab:
        yield tab


@pytest.fixture
def fresh_dashboard_page(chromium_browser, browser_db, tmp_path):
    """A tab on a server started for this test alone: the tab is its very first visitor."""
    with start_dashboard(browser_db, tmp_path) as server, open_tab(chromium_browser, server) as tab:
        yield tab


@pytest.fixture(scope="module")
def private_dashboard_server(_seeded_template, tmp_path_factory):
    """A server over a private copy of the seeded database, for a test module that writes to it
    (imports): the shared servers' databases stay as the other tests expect them."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent : installez le paquet Debian « chromium » (make browser-deps)")
    folder = tmp_path_factory.mktemp("browser-private-db")
    shutil.copytree(_seeded_template.parent, folder, dirs_exist_ok=True)
    with start_dashboard(folder / _seeded_template.name, tmp_path_factory.mktemp("streamlit-private-logs")) as server:
        yield server


@pytest.fixture
def private_dashboard_page(chromium_browser, private_dashboard_server):
    """A fresh tab on the module's private server."""
    with open_tab(chromium_browser, private_dashboard_server) as tab:
        yield tab
