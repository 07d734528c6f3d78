"""« Importer une évaluation » in a real browser (Debian chromium) on a private copy of the seeded
database: a refused file shows the French report and writes nothing; a cp1252, `;`-separated
CSV with decimal commas goes through the real file input, is previewed, imported, and the home
page (Vue d'ensemble) then shows the new score. Screenshots of each step (1920×1080) are kept
in tests/artifacts/screenshots/import-*.png.

Scores by hand on the seed referential (3 mesures, 300 points): the demo's latest evaluation
(17/11/2026) has 200 points faits, 66,7 %; the file below gives 10 (6.1.1.1 fait) + 20,2
(6.1.2.3 détaillé, 50,5 % of 40) + 5,625 (tâche 6.5.1.2.1 fait) = 35,825 points, 11,9 %, at
today's date, so it becomes the latest evaluation."""

from pathlib import Path

import pytest

from cae_data import clock, services

pytestmark = pytest.mark.browser

EVALUATION_CP1252 = (
    "action_id;statut;fait;programme;pas_fait;commentaire\r\n"
    "6.1.1.1;fait;;;;Réunion des élus\r\n"
    "6.1.1.2;programmé;;;;Prévu en 2027\r\n"
    "6.1.2.3;détaillé;50,5;29,5;20;Conventions « partenaires » signées\r\n"
    "6.5.1.1;pas fait;;;;\r\n"
    "6.5.1.2.1;fait;;;;\r\n"
    "6.5.1.2.2;programmé;;;;\r\n"
).encode("cp1252")
MAUVAIS = (
    "action_id;statut;fait;programme;pas_fait\r\n"
    "6.1.1.1;faite;;;\r\n"
    "6.1.9;fait;;;\r\n"
    "6.1.2.3;détaillé;50;30;10\r\n"
    "6.1.1;fait;;;\r\n"
).encode("cp1252")


def score_shown(tab) -> str:
    """The value of the « Score réalisé » figure of the home page."""
    metric = tab.page.locator('[data-testid="stMetric"]').filter(has_text="Score réalisé").first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def scroll_to(tab, text: str) -> None:
    """Bring the element showing `text` to the top of the screen (for the screenshot)."""
    tab.page.get_by_text(text).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    tab.page.wait_for_timeout(300)


def wait_for_charts(tab) -> None:
    """Plotly draws about two seconds after the script: wait for every chart's SVG."""
    tab.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(c => c.querySelector('.main-svg'))", timeout=20_000)


def drop_file(tab, name: str, data: bytes) -> None:
    tab.page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})


def test_import_d_une_evaluation_de_bout_en_bout(private_dashboard_page, private_dashboard_server):
    tab = private_dashboard_page
    db_path = private_dashboard_server.db_path
    tab.open("", "Vue d'ensemble")
    tab.wait_for_text("Score réalisé")
    assert score_shown(tab) == "66,7\u00a0%"
    wait_for_charts(tab)
    tab.screenshot("import-0-vue-ensemble-avant", full=False)
    evaluations_before = services.evaluation_dates(db_path, "CAPSO")
    uploads_before = len(services.list_uploads(db_path))

    # a refused file: the whole French report, nothing written
    tab.open("importer_evaluation", "Importer une évaluation")
    tab.wait_for_text("Fichiers déjà importés")
    drop_file(tab, "mauvais.csv", MAUVAIS)
    tab.wait_for_text("Fichier refusé : 4 problèmes")
    tab.wait_for_text("mauvais.csv:5:action_id")  # the last line of the report: the run is complete
    text = tab.main_text()
    for line in (
        "mauvais.csv:2:statut: statut inconnu « faite » (attendu : fait, programmé, pas fait, non concerné, "
        "non renseigné, détaillé)",
        "mauvais.csv:3:action_id: action inconnue « 6.1.9 » dans le référentiel cae",
        "mauvais.csv:4:fait: les parts fait + programmé + pas fait doivent faire 100 (trouvé 90)",
        "mauvais.csv:5:action_id: « 6.1.1 » est une mesure : seules les sous-actions et les tâches reçoivent "
        "un statut",
    ):
        assert line in text
    assert "Rien n'a été enregistré" in text
    assert tab.page.get_by_role("button", name="Importer", exact=True).count() == 0
    scroll_to(tab, "Fichier refusé")
    tab.screenshot("import-1-fichier-refuse", full=False)
    assert services.evaluation_dates(db_path, "CAPSO") == evaluations_before

    # the valid cp1252 file, marked complete (the whole state: what is absent becomes non
    # renseigné): preview, then import
    tab.page.get_by_text("Fichier complet", exact=False).first.click()
    drop_file(tab, "evaluation-cp1252.csv", EVALUATION_CP1252)
    tab.wait_for_text("Fichier valide : 6 lignes d'évaluation.")
    tab.wait_for_text(f"Évaluation de CAPSO au {clock.today():%d/%m/%Y} : 6 lignes ; elle sera ajoutée.")
    tab.page.get_by_role("button", name="Importer", exact=True).wait_for(state="visible")
    counts = tab.page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert [c.split("\n")[0] + " " + c.split("\n")[-1] for c in counts] == [
        "Fait 2", "Programmé 2", "Pas fait 1", "Détaillé 1"]
    scroll_to(tab, "Fichier valide")
    tab.screenshot("import-2-apercu", full=False)
    assert services.evaluation_dates(db_path, "CAPSO") == evaluations_before  # the preview wrote nothing

    tab.page.get_by_role("button", name="Importer", exact=True).click()
    tab.wait_for_text("créée (6 lignes)")
    scroll_to(tab, "Fichier valide")
    tab.screenshot("import-3-importee", full=False)
    assert services.evaluation_dates(db_path, "CAPSO") == sorted([*evaluations_before, clock.today()])
    uploads = services.list_uploads(db_path)
    assert len(uploads) == uploads_before + 1
    assert services.read_upload(db_path, int(uploads.iloc[0]["upload_id"])).data == EVALUATION_CP1252

    # the archived file, downloaded exactly as it was uploaded (the newest is chosen first), and
    # the blank template of the referential
    tab.page.reload()
    tab.wait_for_text("Télécharger un fichier tel qu'il a été importé")
    with tab.page.expect_download(timeout=20_000) as download:
        tab.page.get_by_role("button", name="Télécharger", exact=True).click()
    assert download.value.suggested_filename == "evaluation-cp1252.csv"
    assert Path(download.value.path()).read_bytes() == EVALUATION_CP1252
    with tab.page.expect_download(timeout=20_000) as download:
        tab.page.get_by_role("button", name="Modèle XLSX", exact=True).click()
    assert download.value.suggested_filename == "modele-evaluation-cae.xlsx"
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"

    # the home page shows the new latest evaluation and its score
    tab.open("", "Vue d'ensemble")
    tab.wait_for_text(f"évaluation du {clock.today():%d/%m/%Y}")
    assert score_shown(tab) == "11,9\u00a0%"
    wait_for_charts(tab)
    tab.screenshot("import-4-vue-ensemble-apres", full=False)
