"""Roles in the dashboard under AppTest (docs/securite.md): the login page while accounts exist,
the navigation of each role (the pages that write listed for editors only), a reader refused
in French on a writing page opened from its address and shown no form, open mode, the
read-only display mode for a committee screen, logout, and the page « Journal des
modifications » with its filters and downloads.

Accounts (tests/conftest.py `accounts_db`): admin (admin), claire (édition), elu (lecture)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from cae_data import auth, clock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
IMPORT = "ui/pages/importer_evaluation.py"
NOUVELLE_FICHE = "ui/pages/fiche_nouvelle.py"
FICHES = "ui/pages/fiches_actions.py"
JOURNAL = "ui/pages/journal.py"
COMITE = "ui/pages/comite.py"
WRITING_PAGES = ("Importer une évaluation", "Nouvelle fiche-action")
REFUSAL = "Cette page modifie les données : elle est réservée aux comptes de rôle « édition »"
HOME_TITLE = "Vue d'ensemble du label Climat-Air-Énergie"


@pytest.fixture
def navigation(monkeypatch) -> list[dict[str, str]]:
    """Each st.navigation call of the runs, as {page title: visibility}."""
    calls: list[dict[str, str]] = []
    original = streamlit.navigation

    def recorder(pages, **kwargs):
        flat = list(pages) if not isinstance(pages, dict) else [p for section in pages.values() for p in section]
        calls.append({page.title: page.visibility for page in flat})
        return original(pages, **kwargs)

    monkeypatch.setattr(streamlit, "navigation", recorder)
    return calls


def start(db_path: Path, monkeypatch, user: str | None = None, page: str | None = None,
          display: bool = False) -> AppTest:
    """The dashboard over `db_path`, signed in as `user` (None: nobody), then on `page`.

    The first run is dashboard.py itself: login gate, navigation, sidebar, then the default
    page. A page switched to runs through dashboard.py too (as on the server), which is what a
    reader reaches by typing a page's address: listed for editors only, the page is still
    routed, and must refuse by itself (its main area; the sidebar is the dashboard's)."""
    monkeypatch.setenv("PCAET_DB", str(db_path))
    if display:
        monkeypatch.setenv("PCAET_AFFICHAGE_LECTURE", "1")
    else:
        monkeypatch.delenv("PCAET_AFFICHAGE_LECTURE", raising=False)
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    if user is not None:
        at.session_state["pcaet_utilisateur"] = user
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(link.label for link in at.get("page_link"))
    return "\n".join(parts)


def sidebar_text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.sidebar.markdown] + [str(c.value) for c in at.sidebar.caption]
    parts.extend(b.label for b in at.sidebar.button)
    return "\n".join(parts)


# --- login ----------------------------------------------------------------------------------

def test_accounts_exist_so_only_the_login_page_opens(accounts_db, monkeypatch, navigation):
    at = start(accounts_db, monkeypatch)
    assert navigation[-1] == {"Connexion": "visible"}
    assert at.subheader[0].value == "Connexion"
    assert [w.label for w in at.text_input] == ["Nom d'utilisateur", "Mot de passe"]
    assert at.text_input(key="connexion_mot_de_passe").proto.type == at.text_input[0].proto.PASSWORD
    assert not at.dataframe and not at.metric and HOME_TITLE not in texts(at)


def test_login_with_a_wrong_then_the_right_password(accounts_db, monkeypatch, navigation, role_accounts):
    at = start(accounts_db, monkeypatch)
    at.text_input(key="connexion_nom").input("elu")
    at.text_input(key="connexion_mot_de_passe").input("mauvais-mot-de-passe")
    at.button[0].click().run()
    assert at.error[0].value == "Nom d'utilisateur ou mot de passe incorrect."
    assert "pcaet_utilisateur" not in at.session_state
    at.text_input(key="connexion_mot_de_passe").input(role_accounts["elu"][1])
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["pcaet_utilisateur"] == "elu"
    assert at.title[0].value == HOME_TITLE
    at.run()  # the next run of the dashboard, at the same address
    assert "**elu** — rôle lecture" in sidebar_text(at)
    assert {title: navigation[-1][title] for title in WRITING_PAGES} == {t: "hidden" for t in WRITING_PAGES}


def test_logout_brings_back_the_login_page(accounts_db, monkeypatch, navigation):
    at = start(accounts_db, monkeypatch, user="claire")
    assert "**claire** — rôle édition" in sidebar_text(at)
    at.sidebar.button(key="deconnexion").click().run()
    assert "pcaet_utilisateur" not in at.session_state
    at.run()  # the next run of the dashboard, at the same address
    assert navigation[-1] == {"Connexion": "visible"} and at.subheader[0].value == "Connexion"


def test_a_removed_account_is_signed_out_at_the_next_click(accounts_db, monkeypatch, navigation):
    at = start(accounts_db, monkeypatch, user="claire", page=IMPORT)
    assert at.file_uploader
    auth.remove_account(accounts_db, "claire", by="admin")
    at.run()
    assert "pcaet_utilisateur" not in at.session_state
    # the dashboard asks for a login before any page: the import page is not even run
    assert not at.file_uploader and at.subheader[0].value == "Connexion"
    at.run()  # the next run of the dashboard, at the same address
    assert navigation[-1] == {"Connexion": "visible"}


# --- navigation and pages by role ---------------------------------------------------------------

def test_a_reader_gets_no_writing_page_in_the_navigation(accounts_db, monkeypatch, navigation):
    start(accounts_db, monkeypatch, user="elu")
    pages = navigation[-1]
    assert {title: pages[title] for title in WRITING_PAGES} == {t: "hidden" for t in WRITING_PAGES}
    assert pages["Journal des modifications"] == "visible" and pages["Connexion"] == "hidden"
    visible = [title for title, visibility in pages.items() if visibility == "visible"]
    assert "Vue d'ensemble" in visible and "Fiches-actions" in visible and "Comité de pilotage" in visible


@pytest.mark.parametrize("user", ["claire", "admin"])
def test_an_editor_and_an_admin_get_the_writing_pages(accounts_db, monkeypatch, navigation, user):
    start(accounts_db, monkeypatch, user=user)
    assert {title: navigation[-1][title] for title in WRITING_PAGES} == {t: "visible" for t in WRITING_PAGES}


@pytest.mark.parametrize("page", [IMPORT, NOUVELLE_FICHE])
def test_a_writing_page_opened_by_a_reader_refuses_in_french(accounts_db, monkeypatch, page):
    at = start(accounts_db, monkeypatch, user="elu", page=page)
    assert REFUSAL in at.error[0].value
    assert not at.file_uploader and not at.main.button and not at.get("download_button")
    assert [link.label for link in at.main.get("page_link")] == ["Retour à la vue d'ensemble"]


def test_the_import_page_works_for_an_editor(accounts_db, monkeypatch):
    at = start(accounts_db, monkeypatch, user="claire", page=IMPORT)
    assert not at.error
    assert at.title[0].value == "Importer une évaluation" and len(at.file_uploader) == 1


def test_a_reader_sees_the_fiche_and_its_values_but_no_form(accounts_db, monkeypatch):
    reader = start(accounts_db, monkeypatch, user="elu", page=FICHES)
    editor = start(accounts_db, monkeypatch, user="claire", page=FICHES)
    for at in (reader, editor):
        assert "Indicateurs de suivi (3)" in texts(at)
    assert not reader.file_uploader and "saisie_valeur" not in [w.key for w in reader.text_input]
    assert "Saisir une valeur d'indicateur" not in texts(reader)
    assert len(editor.file_uploader) == 1 and "saisie_valeur" in [w.key for w in editor.text_input]
    assert "Saisir une valeur d'indicateur" in texts(editor)


def test_open_mode_shows_everything_with_a_discreet_notice(seeded_db, monkeypatch, navigation):
    at = start(seeded_db, monkeypatch)
    assert "Mode ouvert : aucun compte n'est créé" in sidebar_text(at)
    assert all(visibility == "visible" for title, visibility in navigation[-1].items() if title != "Connexion")
    at.switch_page(IMPORT).run()
    assert len(at.file_uploader) == 1 and not at.error


def test_display_mode_reads_everything_without_login_and_writes_nothing(accounts_db, monkeypatch, navigation):
    at = start(accounts_db, monkeypatch, display=True)
    assert at.title[0].value == HOME_TITLE
    assert {title: navigation[-1][title] for title in WRITING_PAGES} == {t: "hidden" for t in WRITING_PAGES}
    assert "Affichage en lecture seule." in sidebar_text(at)
    assert [link.label for link in at.sidebar.get("page_link")] == ["Se connecter"]
    at.switch_page(IMPORT).run()
    assert REFUSAL in at.error[0].value and not at.file_uploader
    assert [link.label for link in at.main.get("page_link")] == ["Se connecter avec un compte d'édition",
                                                                  "Retour à la vue d'ensemble"]


def test_display_mode_still_lets_an_editor_sign_in(accounts_db, monkeypatch, navigation, role_accounts):
    at = start(accounts_db, monkeypatch, display=True, page="ui/pages/connexion.py")
    at.text_input(key="connexion_nom").input("claire")
    at.text_input(key="connexion_mot_de_passe").input(role_accounts["claire"][1])
    at.button[0].click().run()
    assert at.session_state["pcaet_utilisateur"] == "claire"
    at.switch_page(IMPORT).run()
    assert len(at.file_uploader) == 1 and not at.error


# --- journal page -------------------------------------------------------------------------

def test_the_journal_page_lists_and_filters_for_a_reader(accounts_db, monkeypatch):
    at = start(accounts_db, monkeypatch, user="elu", page=JOURNAL)
    assert at.title[0].value == "Journal des modifications"
    # pcaet init with the demo: 14 writes (seeds, profile, 8 evaluations, indicators, 3 committees),
    # then the fixture's 3 accounts
    assert at.metric[0].value == "17"
    table = at.dataframe[0].value
    assert list(table.columns) == ["Date", "Qui", "Action", "Objet", "Détail", "Fichier"]
    assert table["Qui"].tolist()[:3] == ["admin", "admin", "non identifié"]
    assert table["Action"].tolist()[0] == "Compte utilisateur" and table["Objet"].tolist()[0] == "elu"
    assert at.multiselect(key="journal_qui").options == ["admin", "non identifié"]
    at.multiselect(key="journal_qui").select("admin").run()
    assert at.metric[0].value == "2"
    at.multiselect(key="journal_qui").unselect("admin").run()
    at.multiselect(key="journal_type").select("Import d'évaluation").run()
    assert at.metric[0].value == "8"
    # 8 evaluation files to download back, and the CSV of the journal
    assert len(at.selectbox(key="journal_fichier").options) == 8
    assert [b.label for b in at.get("download_button")] == ["Télécharger ce journal (CSV)", "Télécharger"]
    at.multiselect(key="journal_qui").select("admin").run()
    assert at.info[0].value == "Aucune modification ne correspond à ces filtres."


def test_the_journal_page_names_who_imported_a_file(accounts_db, monkeypatch):

    from cae_data import services

    services.import_evaluation(accounts_db, "action_id;statut\n6.1.1.1;fait\n".encode(), "comite-mars.csv",
                               "CAPSO", clock.today(), user="claire")
    at = start(accounts_db, monkeypatch, user="elu", page=JOURNAL)
    table = at.dataframe[0].value
    assert table.iloc[0][["Qui", "Action", "Objet", "Fichier"]].tolist() == [
        "claire", "Import d'évaluation", "comite-mars.csv", "comite-mars.csv"]
    first = at.selectbox(key="journal_fichier").options[0]
    assert first.startswith("comite-mars.csv — import d'évaluation du ") and first.endswith(", par claire")


def test_a_reader_sees_the_comites_but_not_their_forms(accounts_db, monkeypatch):
    reader = start(accounts_db, monkeypatch, user="elu", page=COMITE)
    editor = start(accounts_db, monkeypatch, user="claire", page=COMITE)
    for at in (reader, editor):
        assert "3 comités enregistrés" in texts(at)  # the demo's three committees
    assert not [b.label for b in reader.button if b.label.startswith("Enregistrer")]  # the report stays
    assert {"Enregistrer le comité", "Enregistrer les notes"} <= {b.label for b in editor.button}
    assert "Gérer les comités" not in [h.value for h in reader.header]
    assert "comite_new_titre" not in [w.key for w in reader.text_input]
    assert "Gérer les comités" in [h.value for h in editor.header]
    assert "comite_new_titre" in [w.key for w in editor.text_input]


def test_a_role_withdrawn_during_the_click_gives_a_french_refusal(accounts_db, monkeypatch):
    """The page showed the form to an editor; the engine refuses at the write (the role was
    withdrawn in between, simulated on the write's own connection): a French message, no
    traceback, nothing written."""
    import duckdb

    from cae_data import services

    original = auth.require_role

    def withdrawn(source, user, needed=auth.EDITION):
        if isinstance(source, duckdb.DuckDBPyConnection):
            raise auth.PermissionRefused(f"Le compte « {user} » a le rôle lecture : cette opération demande le "
                                         "rôle édition.", user, needed)
        return original(source, user, needed)

    at = start(accounts_db, monkeypatch, user="claire", page=FICHES)
    before = services.indicateur_values(accounts_db, "nombre-actions-collectives-portees")
    monkeypatch.setattr(auth, "require_role", withdrawn)
    at.radio(key="saisie_indicateur").set_value("nombre-actions-collectives-portees")
    at.text_input(key="saisie_valeur").set_value("12")
    next(b for b in at.button if b.label == "Enregistrer la valeur").click().run()
    assert not at.exception
    assert at.error[0].value == "Le compte « claire » a le rôle lecture : cette opération demande le rôle édition."
    assert len(services.indicateur_values(accounts_db, "nombre-actions-collectives-portees")) == len(before)
