"""« Vers la prochaine étoile » and « Importer une évaluation » under Streamlit's AppTest, and
the display helpers of ui/widgets_simulation.py (the simulator's table itself is the engine's:
tests/test_simulation.py).

The hand-made evaluation (EVALUATION_CP1252) is scored by hand on the seed referential
(seeds/: 3 mesures of 100 points, 300 at the root; no personnalisation rule):
- 6.1.1.1 fait: sous-action of 10 points → 10 fait;
- 6.1.1.2 programmé: 25 points programmés;
- 6.1.2.3 détaillé 50,5 / 29,5 / 20 on 40 points → 20,2 fait, 11,8 programmés;
- 6.5.1.1 pas fait (35 points);
- 6.5.1.2 (45 points, 8 tâches of 5,625) given tâche by tâche: 6.5.1.2.1 fait → 5,625 fait,
  6.5.1.2.2 programmé.
Points faits 10 + 20,2 + 5,625 = 35,825 of 300: score réalisé 11,94… % (« 11,9 % »).
6.1.1.2 programmé → fait adds its 25 points: 60,825 (« 60,8 »), 20,275 % (« 20,3 % »),
+8,33 points de % (« +8,3 »)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from apptest_pages import start_page
from streamlit.testing.v1 import AppTest

from cae_data import services, store
from cae_data.errors import Problem
from cae_data.simulation import smallest_completion_set

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
SIMULATEUR = "ui/pages/prochaine_etoile.py"
IMPORT = "ui/pages/importer_evaluation.py"
COLUMN = "Statut simulé"
EVALUATION_DATE = date(2025, 6, 30)

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


# --- fixtures and helpers -------------------------------------------------------------------

@pytest.fixture(scope="module")
def _hand_template(tmp_path_factory) -> Path:
    """`pcaet init --no-demo` plus the hand-made evaluation of « Testville »."""
    path = tmp_path_factory.mktemp("hand-template") / "pcaet.duckdb"
    services.init_database(path, demo=False)
    services.import_evaluation(path, EVALUATION_CP1252, "evaluation-testville.csv", "Testville", EVALUATION_DATE)
    return path


@pytest.fixture
def hand_db(_hand_template, tmp_path) -> Path:
    shutil.copytree(_hand_template.parent, tmp_path / "hand", dirs_exist_ok=True)
    return tmp_path / "hand" / _hand_template.name


@pytest.fixture(scope="module")
def _full_demo_template(_full_template, tmp_path_factory) -> Path:
    """The official referential with the demo regenerated for it (`pcaet init` once more):
    the CAPSO's evaluations then reach stars (skipped without ../shared/referentiels)."""
    folder = tmp_path_factory.mktemp("full-demo-template")
    shutil.copytree(_full_template.parent, folder, dirs_exist_ok=True)
    path = folder / _full_template.name
    services.init_database(path, demo=True)
    return path


@pytest.fixture
def full_demo_db(_full_demo_template, tmp_path) -> Path:
    shutil.copytree(_full_demo_template.parent, tmp_path / "full-demo", dirs_exist_ok=True)
    return tmp_path / "full-demo" / _full_demo_template.name


@pytest.fixture
def no_evaluation_db(tmp_path) -> Path:
    path = tmp_path / "vide" / "pcaet.duckdb"
    services.init_database(path, demo=False)
    return path


def start(db_path: Path, monkeypatch, page: str) -> AppTest:
    return start_page(db_path, monkeypatch, page, timeout=60)


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(link.label for link in at.get("page_link"))
    return "\n".join(parts)


def metric(at: AppTest, label_start: str):
    found = [m for m in at.metric if m.label.startswith(label_start)]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def edit_row(at: AppTest, action_id: str, label: str) -> AppTest:
    """Choose `label` in the « Statut simulé » cell of `action_id`, as the browser does (the
    table's edit state, by row position), and rerun."""
    editor = at.data_editor[0]
    shown = editor.value["N°"].str.replace("↳ ", "", regex=False).tolist()
    at.session_state[editor.key] = {
        "edited_rows": {shown.index(action_id): {COLUMN: label}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def evaluation_rows(db_path: Path) -> int:
    with store.reading(db_path) as con:
        return con.execute("SELECT count(*) FROM evaluation_statuses").fetchone()[0]


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- Vers la prochaine étoile ---------------------------------------------------------------

def test_simulateur_part_de_l_evaluation_enregistree(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    page = texts(at)
    assert "Simulation : rien n'est enregistré" in page
    assert "Point de départ : l'évaluation de **Testville** du **30/06/2025**" in page
    assert metric(at, "Score réalisé simulé").value == "11,9\u00a0%"
    assert metric(at, "Points faits simulés").value == "35,8"
    assert metric(at, "Points faits simulés").delta == "0 point"
    # the seed referential has no star criteria: explained, no star figures nor shortest path
    assert "Les étoiles du label se calculent sur le référentiel complet" in page
    assert not [m for m in at.metric if m.label.startswith("Étoiles")]
    assert "Proposer le plus court chemin" not in [b.label for b in at.button]
    # radars: the 3 categories, and the 3 mesures of the seeds' only axe
    assert len(at.get("plotly_chart")) == 2


def test_simulateur_programme_vers_fait_monte_le_score_sans_rien_ecrire(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    version, rows = store.data_version(hand_db), evaluation_rows(hand_db)
    table = at.data_editor[0].value
    assert table.loc[table["N°"] == "6.1.1.2", "Statut actuel"].item() == "programmé"

    edit_row(at, "6.1.1.2", "fait")
    score = metric(at, "Score réalisé simulé")
    assert score.value == "20,3\u00a0%"  # (35,825 + 25) / 300
    assert score.delta == "+8,3 points de %"
    points = metric(at, "Points faits simulés")
    assert points.value == "60,8"
    assert points.delta == "+25 points"
    table = at.data_editor[0].value
    assert table.loc[table["N°"] == "6.1.1.2", COLUMN].item() == "fait"
    assert table.loc[table["N°"] == "6.1.1.2", "Écart"].item() == "+25"
    assert "1 changement simulé" in texts(at)
    # nothing written: same file, same statuses
    assert store.data_version(hand_db) == version
    assert evaluation_rows(hand_db) == rows
    stored = services.statuses_at(hand_db, "Testville", EVALUATION_DATE).set_index("action_id")
    assert stored.loc["6.1.1.2", "statut"] == "programme"


def test_simulateur_radars_actuel_et_simule(hand_db, monkeypatch):
    """Sous-actions by category in the seeds: bases 6.1.1.1, 6.1.2.1, 6.1.2.2, 6.5.1.1 (10 + 20 +
    20 + 35 = 85 points, 10 fait); mise en œuvre 6.1.1.2–5, 6.1.2.3–4, 6.5.1.2 (195 points, 20,2
    + 5,625 fait, then + 25 with 6.1.1.2 fait); effets 6.5.1.3 (20 points, none fait)."""
    from ui import widgets_simulation

    monkeypatch.setenv("PCAET_DB", str(hand_db))
    category, mesure = widgets_simulation.simulation_radars("Testville", {"6.1.1.2": "fait"})
    shares = category.frame.set_index(["collectivite", "label"])["part_fait"]
    assert shares[("Actuel", "Bases")] == pytest.approx(10 / 85)
    assert shares[("Simulé", "Bases")] == pytest.approx(10 / 85)
    assert shares[("Actuel", "Mise en œuvre")] == pytest.approx(25.825 / 195)
    assert shares[("Simulé", "Mise en œuvre")] == pytest.approx(50.825 / 195)
    assert shares[("Simulé", "Effets")] == 0
    assert [trace.name for trace in category.figure.data] == ["Actuel", "Simulé"]
    # one axe in the seeds: the second radar goes by mesure (6.1.1: 100 points, 10 then 35 fait)
    assert mesure.title == "Score réalisé par mesure"
    by_mesure = mesure.frame.set_index(["collectivite", "label"])["part_fait"]
    assert by_mesure[("Actuel", "6.1.1")] == pytest.approx(0.10)
    assert by_mesure[("Simulé", "6.1.1")] == pytest.approx(0.35)


def test_simulateur_revenir_au_statut_enregistre_annule_le_changement(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    edit_row(at, "6.1.1.2", "fait")
    edit_row(at, "6.1.1.2", "programmé")
    assert metric(at, "Score réalisé simulé").value == "11,9\u00a0%"
    assert "Aucun changement simulé" in texts(at)


def test_simulateur_part_programmee_d_un_detaille_et_tache(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    table = at.data_editor[0].value
    # 6.5.1.2 is evaluated tâche by tâche: its tâches are listed under it
    assert table.loc[table["N°"] == "6.5.1.2", "Statut actuel"].item() == "détaillé à la tâche"
    assert table.loc[table["N°"] == "↳ 6.5.1.2.2", "Statut actuel"].item() == "programmé"
    assert table.loc[table["N°"] == "6.1.2.3", "Détail"].item() == \
        "50,5\u00a0% fait, 29,5\u00a0% programmé, 20\u00a0% pas fait"
    # the programmé share of 6.1.2.3 done: 29,5 % of 40 = 11,8 points
    edit_row(at, "6.1.2.3", "détaillé, part programmée faite")
    assert metric(at, "Points faits simulés").value == "47,6"  # 35,825 + 11,8
    assert metric(at, "Points faits simulés").delta == "+11,8 points"
    # and the programmé tâche 6.5.1.2.2 (5,625 points) done as well
    edit_row(at, "6.5.1.2.2", "fait")
    assert metric(at, "Points faits simulés").value == "53,2"  # 47,625 + 5,625 = 53,25
    assert metric(at, "Score réalisé simulé").value == "17,8\u00a0%"  # 53,25 / 300


def test_simulateur_etat_impossible_reste_tel_quel(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    edit_row(at, "6.1.1.1", "détaillé")  # needs shares: cannot be simulated
    assert metric(at, "Score réalisé simulé").value == "11,9\u00a0%"
    assert any("ne peut pas être simulé pour 6.1.1.1" in w.value for w in at.warning)


def test_simulateur_filtres(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, SIMULATEUR)
    at.selectbox(key="sim_affichage").set_value("programme").run()
    shown = at.data_editor[0].value["N°"].tolist()
    assert shown == ["6.1.1.2", "6.1.2.3", "↳ 6.5.1.2.2"]  # 6.1.2.3: détaillé with a programmé share
    at.selectbox(key="sim_affichage").set_value("toutes").run()
    at.selectbox(key="sim_axe").set_value("6").run()
    at.selectbox(key="sim_mesure_6").set_value("6.1.2").run()
    assert at.data_editor[0].value["N°"].tolist() == ["6.1.2.1", "6.1.2.2", "6.1.2.3", "6.1.2.4"]


def test_simulateur_base_vide_et_sans_evaluation(tmp_path, no_evaluation_db, monkeypatch):
    at = start(tmp_path / "absente" / "pcaet.duckdb", monkeypatch, SIMULATEUR)
    assert "pcaet init" in texts(at)
    at = start(no_evaluation_db, monkeypatch, SIMULATEUR)
    page = texts(at)
    assert "Aucune évaluation pour l'instant" in page
    assert "Importer une évaluation" in page  # the link to the import page


def test_simulateur_choix_de_la_collectivite(seeded_db, monkeypatch):
    services.import_evaluation(seeded_db, EVALUATION_CP1252, "testville.csv", "Testville", EVALUATION_DATE)
    at = start(seeded_db, monkeypatch, SIMULATEUR)
    choice = at.selectbox(key="sim_collectivite")
    assert choice.options == ["CAPSO", "Testville"] and choice.value == "CAPSO"
    choice.set_value("Testville").run()
    assert metric(at, "Score réalisé simulé").value == "11,9\u00a0%"
    assert at.session_state["score_collectivite"] == "Testville"  # the score pages follow the choice
    # the simulation starts again from the other evaluation
    edit_row(at, "6.1.1.2", "fait")
    choice.set_value("CAPSO").run()
    assert "Aucun changement simulé" in texts(at)


def test_simulateur_voit_une_evaluation_importee_ailleurs(hand_db, monkeypatch):
    """The page's caches are keyed on the database's version: an import made by another
    process (here services, without clearing any cache) shows at the next run."""
    at = start(hand_db, monkeypatch, SIMULATEUR)
    assert metric(at, "Score réalisé simulé").value == "11,9\u00a0%"
    later = "action_id;statut\r\n6.1.1.2;fait\r\n".encode("cp1252")  # 25 points fait
    services.import_evaluation(hand_db, later, "plus-tard.csv", "Testville", date(2025, 9, 1))
    at.run()
    # The file updates the state (evaluation-csv.md): 6.1.1.2 goes from programmé to fait (+25
    # points) and the other five statuses are carried over: (35,8 + 25) / 300 = 20,27 %.
    assert metric(at, "Score réalisé simulé").value == "20,3\u00a0%"
    assert "du **01/09/2025**" in texts(at)


def test_simulateur_plus_court_chemin_sur_le_referentiel_complet(full_demo_db, monkeypatch):
    at = start(full_demo_db, monkeypatch, SIMULATEUR)
    inputs = services.simulation_inputs(full_demo_db, "CAPSO")
    plan = smallest_completion_set(inputs.referentiel, inputs.profile, inputs.statuses)
    assert plan.atteignable and plan.action_ids  # the demo's last evaluation: a star within reach
    assert metric(at, "Étoiles simulées").label == f"Étoiles simulées : {plan.etoiles} sur 5"
    [button] = [b for b in at.button if b.label == "Proposer le plus court chemin"]
    button.click().run()
    assert plan.message in [s.value for s in [*at.success, *at.warning]]
    assert len(at.dataframe[0].value) == len(plan.action_ids)
    [apply] = [b for b in at.button if b.label == "Appliquer cette proposition à la simulation"]
    apply.click().run()
    assert not at.exception
    # the page's simulation of the suggestion gives the plan's own score and its star
    assert metric(at, "Score réalisé simulé").value == f"{plan.score_apres * 100:.1f}\u00a0%".replace(".", ",")
    assert metric(at, "Étoiles simulées").label == f"Étoiles simulées : {plan.etoile_visee} sur 5"
    assert metric(at, "Étoiles simulées").delta == f"+{plan.etoile_visee - plan.etoiles} étoile"


# --- Importer une évaluation ----------------------------------------------------------------

def test_import_base_absente(tmp_path, monkeypatch):
    at = start(tmp_path / "absente" / "pcaet.duckdb", monkeypatch, IMPORT)
    assert "pcaet init" in texts(at)
    assert not at.file_uploader


def test_import_fichier_cp1252_apercu_puis_import(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, IMPORT)
    assert at.selectbox(key="import_collectivite").value == "CAPSO"
    at.date_input(key="import_date").set_value(EVALUATION_DATE).run()
    before = services.evaluation_dates(seeded_db, "CAPSO")
    uploads_before = len(services.list_uploads(seeded_db))

    upload(at, "evaluation-cp1252.csv", EVALUATION_CP1252)
    page = texts(at)
    assert "Fichier valide : 6 lignes d'évaluation." in page
    assert "Évaluation de **CAPSO** au **30/06/2025** : 6 lignes ; elle sera ajoutée." in page
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"Fait": "2", "Programmé": "2", "Pas fait": "1", "Détaillé": "1"}
    preview = at.dataframe[0].value
    assert preview["Ligne"].tolist() == [2, 3, 4, 5, 6, 7]
    assert preview["Statut"].tolist() == ["fait", "programmé", "détaillé", "pas fait", "fait", "programmé"]
    detail = preview[preview["Action"] == "6.1.2.3"].iloc[0]
    assert (detail["Fait %"], detail["Programmé %"], detail["Pas fait %"]) == ("50,5", "29,5", "20")
    assert detail["Commentaire"] == "Conventions « partenaires » signées"
    assert preview.loc[preview["Action"] == "6.1.1.1", "Intitulé"].item() == "Identifier les acteurs clés à associer"
    assert services.evaluation_dates(seeded_db, "CAPSO") == before  # nothing written by the preview

    at.button(key="import_bouton").click().run()
    assert not at.exception
    assert "Évaluation de **CAPSO** au **30/06/2025** **créée** (6 lignes)." in [s.value for s in at.success]
    assert services.evaluation_dates(seeded_db, "CAPSO") == sorted([*before, EVALUATION_DATE])
    uploads = services.list_uploads(seeded_db)
    assert len(uploads) == uploads_before + 1
    assert uploads.iloc[0]["filename"] == "evaluation-cp1252.csv"
    assert services.read_upload(seeded_db, int(uploads.iloc[0]["upload_id"])).data == EVALUATION_CP1252
    # the archive list of the page shows it first, with its date and size
    table = at.dataframe[-1].value
    assert table.iloc[0]["Fichier"] == "evaluation-cp1252.csv"
    assert table.iloc[0]["SHA-256"] == uploads.iloc[0]["sha256"]
    assert table.iloc[0]["Empreinte"] == uploads.iloc[0]["sha256"][:12] + "…"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", table.iloc[0]["Importé le"])
    assert table.iloc[0]["Lignes"] == 6


def test_import_meme_fichier_rien_n_a_change(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, IMPORT)
    at.date_input(key="import_date").set_value(EVALUATION_DATE).run()
    upload(at, "evaluation-cp1252.csv", EVALUATION_CP1252)
    at.button(key="import_bouton").click().run()
    dates = services.evaluation_dates(seeded_db, "CAPSO")
    uploads = len(services.list_uploads(seeded_db))
    at.run()  # the page again, the same file still there: now it replaces the same evaluation
    assert "elle remplacera l'évaluation déjà enregistrée à cette date" in texts(at)
    at.button(key="import_bouton").click().run()
    assert any("rien n'a changé" in i.value for i in at.info)
    assert not [s for s in at.success if "créée" in s.value or "remplacée" in s.value]
    assert services.evaluation_dates(seeded_db, "CAPSO") == dates
    assert len(services.list_uploads(seeded_db)) == uploads


def test_import_fichier_refuse_rapport_complet_rien_ecrit(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, IMPORT)
    version = store.data_version(seeded_db)
    upload(at, "mauvais.csv", MAUVAIS)
    assert any("Fichier refusé : 4 problèmes. Rien n'a été enregistré." in e.value for e in at.error)
    report = at.dataframe[0].value
    assert report["Ligne"].tolist() == [2, 3, 4, 5]
    assert report["Colonne"].tolist() == ["statut", "action_id", "fait", "action_id"]
    assert report["Message"].tolist() == [
        "statut inconnu « faite » (attendu : fait, programmé, pas fait, non concerné, non renseigné, détaillé)",
        "action inconnue « 6.1.9 » dans le référentiel cae",
        "les parts fait + programmé + pas fait doivent faire 100 (trouvé 90)",
        "« 6.1.1 » est une mesure : seules les sous-actions et les tâches reçoivent un statut",
    ]
    raw = at.code[0].value.splitlines()
    assert raw[0] == ("mauvais.csv:2:statut: statut inconnu « faite » (attendu : fait, programmé, pas fait, "
                      "non concerné, non renseigné, détaillé)")
    assert raw[3] == ("mauvais.csv:5:action_id: « 6.1.1 » est une mesure : seules les sous-actions et les tâches "
                      "reçoivent un statut")
    assert "Importer" not in [b.label for b in at.button]
    assert store.data_version(seeded_db) == version


@pytest.mark.parametrize("name, data, expected", [
    ("binaire.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "classeur Excel illisible"),
    ("binaire.csv", b"\x00\x01\x02\xff\xfe" * 200, "binaire.csv"),
    ("vide.csv", b"", "fichier vide"),
])
def test_import_fichier_illisible_message_en_francais(seeded_db, monkeypatch, name, data, expected):
    at = start(seeded_db, monkeypatch, IMPORT)
    version = store.data_version(seeded_db)
    upload(at, name, data)
    assert not at.exception
    shown = "\n".join(e.value for e in at.error) + "\n".join(c.value for c in at.code)
    assert expected in shown
    assert "Rien n'a été enregistré" in "\n".join(e.value for e in at.error)
    assert "Importer" not in [b.label for b in at.button]
    assert store.data_version(seeded_db) == version


def test_import_erreur_inattendue_message_en_francais(seeded_db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "read_evaluation_file", broken)
    at = start(seeded_db, monkeypatch, IMPORT)
    upload(at, "evaluation-cp1252.csv", EVALUATION_CP1252)
    assert not at.exception
    [error] = at.error
    assert "Le fichier « evaluation-cp1252.csv » n'a pas pu être lu" in error.value
    assert "Rien n'a été enregistré" in error.value
    assert "Importer" not in [b.label for b in at.button]


def test_import_fichier_trop_volumineux(seeded_db, monkeypatch):
    monkeypatch.setattr(services.common, "MAX_UPLOAD_BYTES", 100)
    at = start(seeded_db, monkeypatch, IMPORT)
    upload(at, "evaluation-cp1252.csv", EVALUATION_CP1252)
    assert "evaluation-cp1252.csv:::" in at.code[0].value
    assert "fichier trop volumineux" in at.dataframe[0].value["Message"].item()


def test_import_nouvelle_collectivite(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, IMPORT)
    at.selectbox(key="import_collectivite").set_value("\x00nouvelle").run()
    at.date_input(key="import_date").set_value(EVALUATION_DATE).run()
    upload(at, "evaluation-cp1252.csv", EVALUATION_CP1252)
    assert "Indiquez le nom de la nouvelle collectivité." in [w.value for w in at.warning]
    at.text_input(key="import_nouvelle").set_value("Nouvelleville").run()
    assert "elle sera ajoutée (nouvelle collectivité)" in texts(at)
    at.button(key="import_bouton").click().run()
    assert services.evaluation_dates(seeded_db, "Nouvelleville") == [EVALUATION_DATE]
    assert any("Collectivité « Nouvelleville » créée" in i.value for i in at.info)


def test_import_puis_les_autres_pages_voient_le_nouveau_score(hand_db, monkeypatch):
    """After an import through the page, the simulator starts from the new evaluation."""
    at = start(hand_db, monkeypatch, SIMULATEUR)
    assert metric(at, "Points faits simulés").value == "35,8"
    at.switch_page(IMPORT).run()
    at.date_input(key="import_date").set_value(date(2025, 12, 1)).run()
    upload(at, "suite.csv", "action_id;statut\r\n6.1.1.1;fait\r\n6.1.1.2;fait\r\n".encode("cp1252"))
    at.button(key="import_bouton").click().run()
    at.switch_page(SIMULATEUR).run()
    assert "du **01/12/2025**" in texts(at)
    # a partial file: 6.1.1.1 stays fait, 6.1.1.2 goes from programmé to fait (+25), the four
    # statuses absent from the file are carried over: 35,8 + 25
    assert metric(at, "Points faits simulés").value == "60,8"


def test_import_modeles_et_archives_telechargeables(seeded_db, monkeypatch):
    at = start(seeded_db, monkeypatch, IMPORT)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Modèle CSV", "Modèle XLSX", "Télécharger"]
    # the demo's 8 files are listed, by « démo »
    table = at.dataframe[0].value
    assert len(table) == 8 and set(table["Par"]) == {"démo"}
    # what the buttons hand out (deferred functions of the UI, read over PCAET_DB)
    from ui import widgets_journal, widgets_simulation

    csv_lines = widgets_simulation.evaluation_template("csv").decode("utf-8-sig").splitlines()
    assert csv_lines[0] == "action_id;intitule;statut;fait;programme;pas_fait;commentaire"
    assert len(csv_lines) == 1 + 12 + 49  # the 12 sous-actions and 49 tâches of the seed mesures
    assert csv_lines[1].startswith("6.1.1.1;Identifier les acteurs clés à associer;")
    assert widgets_simulation.evaluation_template("xlsx")[:2] == b"PK"
    uploads = services.list_uploads(seeded_db)
    first = uploads.iloc[-1]
    assert widgets_journal.upload_bytes(int(first["upload_id"])) == (seeded_db.parent / first["stored_path"]).read_bytes()


def test_read_upload_refuse_une_archive_modifiee(seeded_db):
    uploads = services.list_uploads(seeded_db)
    row = uploads.iloc[0]
    (seeded_db.parent / row["stored_path"]).write_bytes(b"autre chose")
    with pytest.raises(services.Refused, match="modifié depuis son import"):
        services.read_upload(seeded_db, int(row["upload_id"]))
    with pytest.raises(services.Refused, match="Aucun fichier importé n° 999"):
        services.read_upload(seeded_db, 999)


def test_config_limite_d_envoi_identique_au_service():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == services.MAX_UPLOAD_BYTES == 50 * 1024 * 1024


# --- display helpers --------------------------------------------------------------------------

NODES = pd.DataFrame({"action_id": ["1.1.1", "1.1.1.1", "1.1.1.2", "1.1.1.3"],
                      "nom": ["Nom 1.1.1", "Nom 1.1.1.1", "Nom 1.1.1.2", "Nom 1.1.1.3"]})


def test_apercu_comptes_et_rapport():
    from ui import textes, widgets_simulation

    rows = pd.DataFrame({
        "line": [2, 3, 4], "collectivite": ["A", "A", "B"],
        "date": [date(2025, 1, 2), date(2025, 1, 2), date(2025, 3, 4)], "referentiel": "cae",
        "action_id": ["1.1.1.1", "1.1.1.2", "1.1.1.3"], "statut": ["fait", "detaille", "fait"],
        "fait": [float("nan"), 0.125, float("nan")], "programme": [float("nan"), 0.875, float("nan")],
        "pas_fait": [float("nan"), 0.0, float("nan")], "commentaire": ["", "<b>x</b>", ""],
    })
    preview = widgets_simulation.evaluation_preview(rows, NODES, limit=2)
    assert preview.columns.tolist() == ["Ligne", "Collectivité", "Date", "Action", "Intitulé", "Statut", "Fait %",
                                        "Programmé %", "Pas fait %", "Commentaire"]
    assert preview["Ligne"].tolist() == [2, 3]
    shares = preview.loc[1, ["Statut", "Fait %", "Programmé %", "Pas fait %"]].tolist()
    assert shares == ["détaillé", "12,5", "87,5", "0"]
    assert preview.loc[0, "Date"] == "02/01/2025"
    assert preview.loc[1, "Commentaire"] == "<b>x</b>"  # shown as text by st.dataframe
    counts = widgets_simulation.status_counts(rows)
    assert counts.values.tolist() == [["fait", 2], ["détaillé", 1]]
    report = textes.problem_table([Problem("f.csv", 3, "statut", "mauvais"), Problem("f.csv", None, None, "vide")])
    assert report["Ligne"].tolist()[0] == 3 and pd.isna(report["Ligne"].tolist()[1])
    assert report["Colonne"].tolist() == ["statut", ""]
    assert textes.table_height(10, 400) == "auto" and textes.table_height(11, 400) == 400
