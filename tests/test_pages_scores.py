"""The score pages under Streamlit's AppTest: Vue d'ensemble (home), Scores par mesure, Détail
d'une mesure, Radar par catégorie, Historique.

The figures are checked against a small evaluation written here and computed by hand on the
seed referential (`pcaet init --no-demo`: mesures 6.1.1, 6.1.2 and 6.5.1, 100 points each).
Sous-action points (scoring.md §1, seed percentages):
    6.1.1.1 = 10 (2 tâches × 5), 6.1.1.2 = 25, 6.1.1.3 = 25, 6.1.1.4 = 15, 6.1.1.5 = 25
    6.1.2.1 = 20 (2 tâches × 10), 6.1.2.2 = 20, 6.1.2.3 = 40, 6.1.2.4 = 20
    6.5.1.1 = 35, 6.5.1.2 = 45, 6.5.1.3 = 20
Evaluation A (15/01/2026) and B (15/06/2026) of « Ville-Test »:
    6.1.1: A fait 10 (6.1.1.1) + 40 % of 25 (6.1.1.3 détaillé) = 20, programmé 25 + 5 = 30,
           pas fait 10 + 15 = 25, non renseigné 25 (6.1.1.5)
           B fait 10 + 25 + 10 = 45, programmé 5 + 15 = 20, pas fait 10, non renseigné 25
    6.1.2: A fait 10 (tâche 6.1.2.1.1) + 40 = 50 ; B fait 20 (both tâches) + 40 = 60
    6.5.1: A fait 35, programmé 45 ; B fait 35, pas fait 45
    root (300 points): A fait 105 = 35 %, programmé 75 ; B fait 140 = 46,7 %, programmé 20 = 6,7 %,
           pas fait 55 = 18,3 %, non renseigné 85 = 28,3 %
Categories at B: bases (6.1.1.1, 6.1.2.1, 6.1.2.2, 6.5.1.1 = 85 points) fait 10 + 20 + 35 = 65 →
76,5 % (A: 55 → 64,7 %); mise en œuvre (195 points) fait 25 + 10 + 40 = 75 → 38,5 % (A: 10 + 40
= 50 → 25,6 %); effets (6.5.1.3, 20 points) 0 %.
A third collectivity, « Bourg-Voisin » (01/03/2026): 6.5.1.1 fait → 35 / 300 = 11,7 %."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from apptest_pages import start_page
from streamlit.testing.v1 import AppTest

from cae_data import analyses, services, store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(PROJECT_ROOT / "dashboard.py")
NBSP = "\u00a0"
DATE_A, DATE_B, DATE_VOISIN = date(2026, 1, 15), date(2026, 6, 15), date(2026, 3, 1)
TODAY = date(2026, 11, 25)

EVALUATION_A = """action_id;statut;fait;programme;pas_fait;commentaire
6.1.1.1;fait;;;;
6.1.1.2;programmé;;;;
6.1.1.3;détaillé;40;20;40;Avancement partiel
6.1.1.4;pas fait;;;;
6.1.2.1.1;fait;;;;
6.1.2.3;fait;;;;**pas du gras** <b>html</b>
6.5.1.1;fait;;;;
6.5.1.2;programmé;;;;
"""
EVALUATION_B = """action_id;statut;fait;programme;pas_fait;commentaire
6.1.1.1;fait;;;;
6.1.1.2;fait;;;;
6.1.1.3;détaillé;40;20;40;Avancement partiel
6.1.1.4;programmé;;;;
6.1.2.1.1;fait;;;;
6.1.2.1.2;fait;;;;
6.1.2.3;fait;;;;**pas du gras** <b>html</b>
6.5.1.1;fait;;;;
6.5.1.2;pas fait;;;;
"""
EVALUATION_VOISIN = """action_id;statut
6.5.1.1;fait
"""
PAGES = ["ui/pages/vue_ensemble.py", "ui/pages/scores_mesures.py", "ui/pages/detail_mesure.py", "ui/pages/radar.py",
         "ui/pages/historique.py"]


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory) -> Path:
    """`pcaet init --no-demo`, then evaluations A and B of Ville-Test and one of Bourg-Voisin.
    The pages only read it: one database for the module."""
    path = tmp_path_factory.mktemp("scores-hand") / "pcaet.duckdb"
    services.init_database(path, demo=False)
    for text, name, who, when in [(EVALUATION_A, "a.csv", "Ville-Test", DATE_A),
                                  (EVALUATION_B, "b.csv", "Ville-Test", DATE_B),
                                  (EVALUATION_VOISIN, "voisin.csv", "Bourg-Voisin", DATE_VOISIN)]:
        services.import_evaluation(path, text.encode("utf-8"), name, collectivite=who, on_date=when, today=TODAY)
    return path


@pytest.fixture(scope="module")
def no_evaluation_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scores-sans-evaluation") / "pcaet.duckdb"
    services.init_database(path, demo=False)
    return path


def start(db_path: Path, monkeypatch, page: str, query: dict | None = None) -> AppTest:
    return start_page(db_path, monkeypatch, page, query, timeout=30)


def markdowns(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def ville_test(at: AppTest, page_key: str) -> AppTest:
    """Choose Ville-Test (Bourg-Voisin comes first in the selector)."""
    at.selectbox(key=f"{page_key}_collectivite").set_value("Ville-Test").run()
    assert not at.exception, at.exception
    return at


# --- Vue d'ensemble -------------------------------------------------------------------------

def test_home_page_is_the_score_overview(hand_db, monkeypatch):
    monkeypatch.setenv("PCAET_DB", str(hand_db))
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Vue d'ensemble du label Climat-Air-Énergie"
    assert not (PROJECT_ROOT / "pages" / "accueil.py").exists()


def test_overview_score_etoiles_split_and_moves(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/vue_ensemble.py"), "vue")
    assert at.selectbox(key="vue_date").value == DATE_B  # the latest by default
    score = metric(at, "Score réalisé")
    assert score.value == f"46,7{NBSP}%"
    assert score.delta == "+11,7 points de %"  # 46,67 − 35
    assert metric(at, "Fait ou programmé").value == f"53,3{NBSP}%"  # 140 + 20 of 300
    text = markdowns(at)
    assert "**140 points faits** sur **300 points** de potentiel" in text
    assert f"dont **6,7{NBSP}%** programmé (20 points)" in text
    assert "(comparée à celle du 15/01/2026)" in text and "2 évaluations en tout" in text
    # seeds only: no stars, said plainly, with the way to load the full referential
    assert [i.value for i in at.info][0] == (
        "Le score couvre uniquement les 3 mesures chargées (documents de départ) : les étoiles du label "
        "demandent le référentiel complet.")
    assert "pcaet referentiel import" in at.code[0].value
    assert "★" not in text
    # one axe: the chart is per mesure; and the split bar
    assert "Score par mesure" in [s.value for s in at.subheader]
    assert len(at.get("plotly_chart")) == 2
    # moves since A: 6.1.1 +25 (20 % → 45 %), 6.1.2 +10 (50 % → 60 %), 6.5.1 did not move
    links = [link.label for link in at.get("page_link")]
    moved = [label for label in links if label[:5] in ("6.1.1", "6.1.2", "6.5.1")]
    assert [label[:8] for label in moved] == ["6.1.1 — ", "6.1.2 — "]
    assert f"20{NBSP}% → **45{NBSP}%**" in text and f"50{NBSP}% → **60{NBSP}%**" in text
    assert ":green[:material/arrow_upward: **+25**]" in text and ":green[:material/arrow_upward: **+10**]" in text


def test_overview_of_the_first_evaluation_has_nothing_to_compare(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/vue_ensemble.py"), "vue")
    at.selectbox(key="vue_date").set_value(DATE_A).run()
    assert metric(at, "Score réalisé").value == f"35,0{NBSP}%"
    assert metric(at, "Score réalisé").delta is None or metric(at, "Score réalisé").delta == ""
    assert any("première évaluation" in i.value for i in at.info)


def test_overview_of_another_collectivity(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, "ui/pages/vue_ensemble.py")
    assert at.selectbox(key="vue_collectivite").options == ["Bourg-Voisin", "Ville-Test"]
    assert metric(at, "Score réalisé").value == f"11,7{NBSP}%"  # 35 / 300
    assert at.selectbox(key="vue_date").options == ["01/03/2026 (la plus récente)"]


# --- Scores par mesure ----------------------------------------------------------------------

def test_scores_par_mesure_table_and_sort(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/scores_mesures.py"), "scores")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Mesure", "Intitulé", "Fait", "Programmé", "Points faits", "Potentiel"]
    assert table["Mesure"].tolist() == ["6.1.1", "6.1.2", "6.5.1"]
    assert table["Fait"].tolist() == [45.0, 60.0, 35.0]
    assert table["Programmé"].tolist() == [20.0, 0.0, 0.0]
    assert table["Points faits"].tolist() == [45.0, 60.0, 35.0]
    assert table["Potentiel"].tolist() == [100.0, 100.0, 100.0]
    assert (f"**3 mesures** au **15/06/2026** : 140 points faits sur 300 points de potentiel (46,7{NBSP}%)"
            in markdowns(at))
    assert len(at.get("plotly_chart")) == 1
    at.selectbox(key="scores_tri").set_value("fait_desc").run()
    assert at.dataframe[0].value["Mesure"].tolist() == ["6.1.2", "6.1.1", "6.5.1"]
    at.selectbox(key="scores_date").set_value(DATE_A).run()
    assert at.dataframe[0].value["Fait"].tolist() == [50.0, 35.0, 20.0]  # 6.1.2, 6.5.1, 6.1.1


def test_the_chosen_date_follows_to_the_next_page(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/scores_mesures.py"), "scores")
    at.selectbox(key="scores_date").set_value(DATE_A).run()
    at.switch_page("ui/pages/detail_mesure.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="detail_collectivite").value == "Ville-Test"
    assert at.selectbox(key="detail_date").value == DATE_A
    assert metric(at, "Score réalisé").value == f"20,0{NBSP}%"  # 6.1.1 at A


# --- Détail d'une mesure --------------------------------------------------------------------

def test_detail_of_6_1_1(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/detail_mesure.py", {"mesure": "6.1.1"}), "detail")
    assert at.selectbox(key="detail_mesure").value == "6.1.1"
    assert at.header[0].value == "6.1.1 Développer une stratégie partenariale multi-niveaux"
    assert metric(at, "Score réalisé").value == f"45,0{NBSP}%"
    assert metric(at, "Score réalisé").delta == "+25,0 points de %"
    assert metric(at, "Points faits").value == "45"
    assert metric(at, "Potentiel de la collectivité").value == "100"
    assert metric(at, "Points du référentiel").value == "100"
    text = markdowns(at)
    assert f"**Détaillé (fait 40{NBSP}%, programmé 20{NBSP}%, pas fait 40{NBSP}%)**" in text
    assert "**10 sur 25 points**" in text  # 6.1.1.3: 40 % of 25
    assert "**10 sur 10 points**" in text  # 6.1.1.1 fait
    assert "**0 sur 15 points**" in text  # 6.1.1.4 programmé
    assert ":orange-background[:material/schedule: **Programmé**]" in text
    assert ":gray-background[:material/help: **Non renseigné**]" in text  # 6.1.1.5
    assert "Avancement partiel" in text
    assert "5 sous-actions au 15/06/2026" in [s.value for s in at.subheader]
    # the fiche-action of the seeds serves 6.1.1, and the cooperation tools formalise it
    assert "**Animation d'une instance territoriale « Climat-Energie »**" in text
    links = {link.label for link in at.get("page_link")}
    assert {"Ouvrir la fiche-action", "Ouvrir la boîte à outils coopération",
            "La mesure 6.1.1 dans le référentiel"} <= links
    assert "Entente interterritoriale TRIDAN" in text
    assert at.query_params["mesure"] == "6.1.1"


def test_detail_of_6_1_2_tasks_variants_and_escaped_comment(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/detail_mesure.py", {"mesure": "6.1.2"}), "detail")
    text = markdowns(at)
    assert metric(at, "Score réalisé").value == f"60,0{NBSP}%"
    assert "**Évalué tâche par tâche**" in text and "**20 sur 20 points**" in text  # 6.1.2.1
    # the comment is shown as plain text: no bold, no HTML
    assert "\\*\\*pas du gras\\*\\* \\<b\\>html\\</b\\>" in text
    assert "**pas du gras**" not in text.replace("\\*\\*pas du gras\\*\\*", "")
    # seed tâches for EPCI / communes; Ville-Test has no profile type: none is « votre cas »
    assert "Pour les EPCI" in text and "Pour les communes" in text and "votre cas" not in text
    assert "Formaliser la coopération" in [s.value for s in at.subheader]


def test_detail_of_6_5_1_has_no_cooperation_tools(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/detail_mesure.py", {"mesure": "6.5.1"}), "detail")
    assert "Formaliser la coopération" not in [s.value for s in at.subheader]
    assert metric(at, "Score réalisé").value == f"35,0{NBSP}%"


def test_detail_unknown_mesure_is_said_plainly(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, "ui/pages/detail_mesure.py", {"mesure": "9.9.9"})
    assert "La mesure « 9.9.9 » n'existe pas" in at.warning[0].value
    assert at.selectbox(key="detail_mesure").value == "6.1.1"


def test_mesure_detail_rows_and_codes(hand_db):
    scores = services.all_scores(hand_db)
    at_b = scores[(scores["collectivite"] == "Ville-Test") & (scores["date"] == "2026-06-15")]
    statuses = services.statuses_at(hand_db, "Ville-Test", DATE_B)
    ref = services.load_referentiel(hand_db)
    detail = analyses.mesure_detail(at_b, statuses, ref.nodes, "6.1.2").set_index("action_id")
    assert detail.index[0] == "6.1.2" and len(detail) == 16  # the mesure, 4 sous-actions, 11 tâches
    assert detail.loc["6.1.2", "point_fait"] == 60
    assert detail.loc["6.1.2.1", "code"] == "par_taches"
    assert detail.loc["6.1.2.1.2", ["code", "statut"]].tolist() == ["fait", "Fait"]
    assert detail.loc["6.1.2.3", "commentaire"] == "**pas du gras** <b>html</b>"
    assert detail.loc["6.1.2.3.1", "masque"]  # its sous-action carries its own status
    assert not detail.loc["6.1.2.1.1", "masque"]
    assert detail.loc["6.1.2.4", ["code", "statut", "part_fait"]].tolist() == ["non_renseigne", "Non renseigné", 0]


# --- Radar ----------------------------------------------------------------------------------

def test_radar_values_by_category_and_by_mesure(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/radar.py"), "radar")
    assert at.multiselect(key="radar_dates").value == [DATE_B, DATE_A]  # latest and previous
    assert len(at.get("plotly_chart")) == 2
    categories, mesures = (d.value for d in at.dataframe)
    assert categories.to_dict("list") == {
        "Catégorie": ["Bases", "Mise en œuvre", "Effets"],
        "15/06/2026": [f"76,5{NBSP}%", f"38,5{NBSP}%", f"0,0{NBSP}%"],
        "15/01/2026": [f"64,7{NBSP}%", f"25,6{NBSP}%", f"0,0{NBSP}%"],
    }
    assert mesures["15/06/2026"].tolist() == [f"45,0{NBSP}%", f"60,0{NBSP}%", f"35,0{NBSP}%"]
    assert mesures["15/01/2026"].tolist() == [f"20,0{NBSP}%", f"50,0{NBSP}%", f"35,0{NBSP}%"]
    assert mesures["Mesure"].str[:5].tolist() == ["6.1.1", "6.1.2", "6.5.1"]
    assert "Par mesure — Axe 6" in [s.value for s in at.subheader]  # one axe: by mesure
    at.multiselect(key="radar_dates").set_value([]).run()
    assert "Choisissez au moins une date d'évaluation." in [i.value for i in at.info]


# --- Historique -----------------------------------------------------------------------------

def test_historique_compares_two_evaluations(hand_db, monkeypatch):
    at = ville_test(start(hand_db, monkeypatch, "ui/pages/historique.py"), "historique")
    assert at.selectbox(key="historique_avant").value == DATE_A
    assert at.selectbox(key="historique_apres").value == DATE_B
    assert (f"Score réalisé : **35,0{NBSP}%** au 15/01/2026 → **46,7{NBSP}%** au 15/06/2026 (+35 points faits)"
            in markdowns(at))
    assert len(at.get("plotly_chart")) == 2  # evolution, points gained per mesure
    changes = at.dataframe[0].value
    assert changes[["Action", "Avant", "Après"]].values.tolist() == [
        ["6.1.1.2", "Programmé", "Fait"],
        ["6.1.1.4", "Pas fait", "Programmé"],
        ["6.1.2.1.2", "Non renseigné", "Fait"],
        ["6.5.1.2", "Programmé", "Pas fait"],
    ]
    assert changes["Niveau"].tolist() == ["Sous-action", "Sous-action", "Tâche", "Sous-action"]
    assert "**Statuts modifiés : 4**" in markdowns(at)
    at.multiselect(key="historique_mesures").set_value(["6.1.1"]).run()
    assert not at.exception
    at.selectbox(key="historique_avant").set_value(DATE_B).run()
    assert "Choisissez deux dates différentes." in [i.value for i in at.info]


def test_historique_of_a_single_evaluation(hand_db, monkeypatch):
    at = start(hand_db, monkeypatch, "ui/pages/historique.py")  # Bourg-Voisin: one evaluation
    infos = [i.value for i in at.info]
    assert "Il faut au moins deux évaluations pour les comparer." in infos
    assert len(at.get("plotly_chart")) == 1


# --- without data ---------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_score_page_explains_a_missing_database(tmp_path, monkeypatch, page):
    at = start(tmp_path / "absente" / "pcaet.duckdb", monkeypatch, page)
    assert "La base de données n'est pas encore créée" in at.warning[0].value
    assert not at.metric and not at.get("plotly_chart")


@pytest.mark.parametrize("page", PAGES)
def test_every_score_page_without_evaluation(no_evaluation_db, monkeypatch, page):
    at = start(no_evaluation_db, monkeypatch, page)
    assert at.info[0].value == "Aucune évaluation pour l'instant."
    assert "pcaet evaluation import" in at.code[0].value
    assert "Importer une évaluation" in [link.label for link in at.get("page_link")]
    assert not at.metric and not at.get("plotly_chart")


def test_score_page_without_referential(tmp_path, monkeypatch):
    path = tmp_path / "autre.duckdb"
    services.import_referentiel(path, PROJECT_ROOT / "tests" / "fixtures" / "referentiel" / "velo" / "velo")
    at = start(path, monkeypatch, "ui/pages/vue_ensemble.py")
    assert "Aucun référentiel « cae » dans la base" in at.warning[0].value
    with store.reading(path) as con:  # the page wrote nothing
        assert con.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 0


# --- full referential ---------------------------------------------------------------------

def test_overview_with_the_full_referential_shows_etoiles(full_referentiel_db, monkeypatch):
    """The demo evaluations of the seeds, on the official referential: no status on any star
    criterion, so 0 stars; the 1st star's threshold is 0 %, so no points are missing, only its
    mandatory actions."""
    at = start(full_referentiel_db, monkeypatch, "ui/pages/vue_ensemble.py")
    text = markdowns(at)
    assert "**Étoiles du label : 0 sur 5**" in text
    assert f"# :orange[]:gray[{'☆' * 5}]" in text
    # the 1st star: no threshold (0 %), its 6 mandatory actions (scoring.md §5) lack a status
    assert "**Prochaine étoile (1ʳᵉ)** : **6 actions obligatoires** à réaliser" in text
    assert "- Élu·e référent·e climat-air-énergie désigné·e (5.1.2.1.1) : fait" in text
    assert "Actions obligatoires manquantes" in [e.label for e in at.expander]
    assert "Simuler la prochaine étoile" in [link.label for link in at.get("page_link")]
    assert "Score par axe" in [s.value for s in at.subheader]
    assert not any("documents de départ" in i.value for i in at.info)
