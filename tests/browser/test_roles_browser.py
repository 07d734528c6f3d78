"""Roles in a real browser (Debian chromium), on a copy of the seeded database with three
accounts (admin, claire: édition, elu: lecture): the login page first, even at a page's
address; a reader's navigation without the import and new-fiche pages, the journal readable;
an editor's with them; logout; and the read-only display mode of a committee screen.
Screenshots at 1920×1080 in tests/artifacts/screenshots/roles-*.png."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest

from cae_data import auth
from tests.browser.conftest import CHROMIUM, open_tab, start_dashboard
from tests.conftest import ROLE_ACCOUNTS

pytestmark = pytest.mark.browser

HOME = "Vue d'ensemble du label"
LOGIN = "Les élus consultent le tableau de bord"


@pytest.fixture(scope="module")
def roles_db(_seeded_template, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent : installez le paquet Debian « chromium » (make browser-deps)")
    folder = tmp_path_factory.mktemp("roles-db")
    shutil.copytree(_seeded_template.parent, folder, dirs_exist_ok=True)
    path = folder / _seeded_template.name
    rounds, auth.BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS, 4  # cheap hashes; the server checks them as they are
    try:
        for nom, (role, password) in ROLE_ACCOUNTS.items():
            auth.add_account(path, nom, role, password, by=None if nom == "admin" else "admin")
    finally:
        auth.BCRYPT_ROUNDS = rounds
    return path


@pytest.fixture(scope="module")
def roles_server(roles_db, tmp_path_factory):
    with start_dashboard(roles_db, tmp_path_factory.mktemp("roles-logs")) as server:
        yield server


@contextmanager
def display_mode_server(db_path, log_dir):
    os.environ["PCAET_AFFICHAGE_LECTURE"] = "1"
    try:
        with start_dashboard(db_path, log_dir) as server:
            yield server
    finally:
        del os.environ["PCAET_AFFICHAGE_LECTURE"]


def sign_in(tab, nom: str) -> None:
    tab.page.get_by_label("Nom d'utilisateur").fill(nom)
    tab.page.get_by_label("Mot de passe").fill(ROLE_ACCOUNTS[nom][1])
    tab.page.get_by_role("button", name="Se connecter").click()
    tab.wait_for_text(HOME)


def navigation_text(tab) -> str:
    nav = tab.page.locator('[data-testid="stSidebarNav"]')
    nav.wait_for(state="visible", timeout=20_000)
    return nav.inner_text()


def test_login_first_then_a_reader_has_no_writing_page(chromium_browser, roles_server):
    with open_tab(chromium_browser, roles_server) as tab:
        tab.open("importer_evaluation", LOGIN)  # a page's address: the login page all the same
        tab.screenshot("roles-connexion", full=False)
        assert "Déposez le fichier" not in tab.main_text()
        assert tab.page.locator('[data-testid="stSidebarNav"]').count() == 0

        tab.page.get_by_label("Nom d'utilisateur").fill("elu")
        tab.page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
        tab.page.get_by_role("button", name="Se connecter").click()
        tab.wait_for_text("Nom d'utilisateur ou mot de passe incorrect.")

        sign_in(tab, "elu")
        nav = navigation_text(tab)
        assert "Vue d'ensemble" in nav and "Fiches-actions" in nav and "Journal des modifications" in nav
        assert "Importer une évaluation" not in nav and "Nouvelle fiche-action" not in nav
        sidebar = tab.page.locator('[data-testid="stSidebar"]').inner_text()
        assert "elu — rôle lecture" in sidebar and "Se déconnecter" in sidebar
        tab.screenshot("roles-lecture", full=False)

        tab.page.locator('[data-testid="stSidebarNav"]').get_by_text("Journal des modifications").click()
        tab.wait_for_text("Modifications sur la période")
        # 14 writes of pcaet init with the demo, then the 3 accounts (the table itself is a canvas)
        metric = tab.page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
        assert metric == "17"
        tab.screenshot("roles-journal", full=False)

        tab.page.get_by_role("button", name="Se déconnecter").click()
        tab.wait_for_text(LOGIN)
        assert tab.page.locator('[data-testid="stSidebarNav"]').count() == 0


def test_an_editor_has_the_import_page(chromium_browser, roles_server):
    with open_tab(chromium_browser, roles_server) as tab:
        tab.open("", LOGIN)
        sign_in(tab, "claire")
        nav = navigation_text(tab)
        assert "Importer une évaluation" in nav and "Nouvelle fiche-action" in nav
        tab.page.locator('[data-testid="stSidebarNav"]').get_by_text("Importer une évaluation").click()
        tab.wait_for_text("Déposez le fichier d'évaluation")
        tab.page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(state="visible", timeout=20_000)
        tab.screenshot("roles-edition", full=False)


def test_display_mode_shows_the_dashboard_without_login(chromium_browser, roles_db, tmp_path):
    with display_mode_server(roles_db, tmp_path) as server, open_tab(chromium_browser, server) as tab:
        tab.open("", HOME)
        tab.wait_for_text("Score réalisé")
        tab.page.locator(".main-svg").first.wait_for(state="visible", timeout=20_000)
        nav = navigation_text(tab)
        assert "Importer une évaluation" not in nav and "Nouvelle fiche-action" not in nav
        sidebar = tab.page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Affichage en lecture seule." in sidebar and "Se connecter" in sidebar
        tab.screenshot("roles-affichage-lecture", full=False)
        tab.open("importer_evaluation", "Cette page modifie les données")
        assert tab.page.locator('[data-testid="stFileUploader"]').count() == 0
        tab.screenshot("roles-affichage-refus", full=False)
