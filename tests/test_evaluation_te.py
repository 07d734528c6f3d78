"""A collectivity evaluated on the 2026 referential « Climat Ressources » (TE) beside its CAE history:
the referential chosen on import, statuses on sous-mesures only, a template per referential,
scores from the command line.

The referential is the invented `te-mini` fixture loaded under the name `te`:
  1.1.1 (6 points): 1.1.1.1 1,5 ; 1.1.1.2 2,5 (tâches a and b) ; 1.1.1.3 2 — désactivée when PCAET_1 = NON
  1.1.1alter (3 points): 1.1.1alter.1 3 — désactivée when PCAET_1 = OUI
  1.1.2 (5 points): 1.1.2.1 2 ; 1.1.2.2 3
  2.1.1 (5 points): 2.1.1.1 4 ; 2.1.1.2 1
The profile answers PCAET_1 = OUI: 1.1.1alter is désactivée, and TE does not redistribute, so the
root's potential is 6 + 5 + 5 = 16 points."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import services
from cae_data.cli import main
from cae_data.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"
DAY = date(2026, 10, 1)


@pytest.fixture
def te_db(tmp_path) -> Path:
    db = tmp_path / "pcaet.duckdb"
    services.init_database(db, demo=True)  # the CAPSO's CAE history (seed referential)
    services.import_referentiel(db, FIXTURES / "te-mini-structure.csv", nom="te",
                                questions=FIXTURES / "questions-plateforme-mini")
    services.set_collectivites(db, [(b"nom: CAPSO\ntype: EPCI\npopulation: 105000\nreponses:\n  PCAET_1: OUI\n",
                                     "capso.yaml")])
    return db


def run(db: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def test_a_te_evaluation_beside_the_cae_history(te_db, tmp_path):
    evaluation = tmp_path / "te.csv"
    # 1.1.1.3 non concerné shrinks 1.1.1 by its 2 points; 2.1.1.1 détaillé 50/50/0 of 4 points
    evaluation.write_text("action_id;statut;fait;programme;pas_fait\n1.1.1.1;fait;;;\n1.1.1.2;programmé;;;\n"
                          "1.1.1.3;non concerné;;;\n1.1.2.1;fait;;;\n2.1.1.1;détaillé;50;50;0\n", encoding="cp1252")
    result = run(te_db, "evaluation", "import", str(evaluation), "--collectivite", "CAPSO", "--date",
                 DAY.isoformat(), "--referentiel", "te")
    assert result.exit_code == 0, result.output
    assert "CAPSO au 01/10/2026 (te) : 5 lignes, évaluation créée." in result.output
    out = run(te_db, "scores", "--referentiel", "te", "--collectivite", "CAPSO", "--format", "json")
    scores = {r["action_id"]: r for r in json.loads(out.output)}
    root = scores[""]
    # potential 16 − 2 (non concerné) = 14; fait 1,5 + 2 + 2 = 5,5; programmé 2,5 + 2 = 4,5
    assert (root["point_potentiel"], root["point_fait"], root["point_programme"]) == (14.0, 5.5, 4.5)
    assert root["referentiel"] == "te"
    assert scores["1.1.1alter"]["desactive"] is True and scores["1.1.1alter"]["point_potentiel"] == 0.0
    assert scores["1.1.1"]["point_potentiel"] == 4.0  # no redistribution: 6 − 2
    # the CAE history is untouched: still its 8 demo evaluations
    assert len(services.evaluation_dates(te_db, "CAPSO", "cae")) == 8
    assert services.evaluation_dates(te_db, "CAPSO", "te") == [DAY]


def test_a_status_on_a_te_tache_is_refused_with_its_line(te_db):
    data = "action_id;statut\nte_1.1.1.1;fait\nte_1.1.1.2.a;fait\n".encode("utf-8")
    with pytest.raises(InvalidInput) as refused:
        services.read_evaluation_file(te_db, data, "te.csv", "CAPSO", DAY)
    assert [str(p) for p in refused.value.problems] == [
        "te.csv:3:action_id: « te_1.1.1.2.a » est une tâche : seules les sous-mesures reçoivent un statut "
        "dans le référentiel te"]


def test_the_te_template_lists_sous_mesures_and_reads_back(te_db):
    template = services.evaluation_template(te_db, "csv", "te").decode("utf-8-sig")
    lines = template.splitlines()
    # the 8 sous-mesures of the fixture, in reading order, none of its 2 tâches
    ids = [line.split(";")[0] for line in lines[1:]]
    assert ids == ["te_1.1.1.1", "te_1.1.1.2", "te_1.1.1.3", "te_1.1.1alter.1", "te_1.1.2.1", "te_1.1.2.2",
                   "te_2.1.1.1", "te_2.1.1.2"]
    filled = "\n".join([lines[0]] + [line.replace(";;", ";fait;", 1) for line in lines[1:]])
    read = services.read_evaluation_file(te_db, filled.encode("utf-8"), "modele.csv", "CAPSO", DAY)
    assert set(read.rows["referentiel"]) == {"te"} and len(read.rows) == 8


def test_the_cae_template_is_unchanged_by_other_referentials(te_db):
    frame = pd.read_csv(io.BytesIO(services.evaluation_template(te_db, "csv", "cae")), sep=";", dtype=str)
    assert not frame["action_id"].str.contains("_").any()  # cae ids keep no prefix
    assert len(frame) == 12 + 49  # the 12 sous-actions and 49 tâches of the seed mesures


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/questions-plateforme")
def test_cli_loads_the_official_te_with_its_platform_questions(tmp_path):
    from support.shared import REFERENTIELS

    result = run(tmp_path / "pcaet.duckdb", "referentiel", "import", str(REFERENTIELS / "te-structure.csv"),
                 "--questions", str(REFERENTIELS / "questions-plateforme"))
    assert result.exit_code == 0, result.output
    assert ("Référentiel « te » chargé : 1 racine, 6 axes, 20 sous-axes, 127 mesures, 431 sous-mesures, 79 tâches"
            in result.stdout)
    warnings = result.stderr.splitlines()
    points = [w for w in warnings if ":Points: mesure « " in w]
    assert len(points) == 6 and points[0].startswith("te-structure.csv:333:Points: mesure « 1.1.5 » : 6 points écrits")
    te = services.load_referentiel(tmp_path / "pcaet.duckdb", "te")
    mesures = te.nodes[te.nodes["niveau"] == "mesure"].set_index("action_id")["point_referentiel"]
    sous = te.nodes[te.nodes["niveau"] == "sous-action"]
    sums = sous.groupby("parent_id")["point_referentiel"].sum()
    assert (mesures.reindex(sums.index) - sums).abs().max() < 1e-9  # each mesure = Σ its sous-mesures


FICHE_TE = """id: suivi-label
titre: Suivi des indicateurs du label
collectivite: CAPSO
indicateurs:
  - id: part-enr
    nom: Part des énergies renouvelables
    unite: "%"
    identifiants_referentiel: [te_7]
    limite: 10
    cibles: {2026: 50}
  - id: partenaires
    nom: Nombre de partenaires engagés
    identifiants_referentiel: cae_18
    cibles: {2025: 20, 2026: 40}
"""


@pytest.mark.parametrize("valeur, attendu", [
    # 2.1.1.1: si val < limite alors 0 sinon si val > cible alors 1 sinon (val − limite) / (cible − limite)
    (60, 1.0),   # above the target
    (50, 1.0),   # at the target: (50 − 10) / (50 − 10)
    (30, 0.5),   # below: (30 − 10) / (50 − 10)
    (5, 0.0),    # under the limite
])
def test_score_indicatif_from_the_tracked_indicateurs(te_db, valeur, attendu):
    services.save_fiche_yaml(te_db, FICHE_TE.encode("utf-8"), "suivi.yaml")
    services.add_indicateur_value(te_db, "part-enr", date(2026, 6, 30), valeur)
    services.add_indicateur_value(te_db, "partenaires", date(2026, 9, 1), 30)
    table = services.score_indicatif(te_db, "CAPSO", "te").set_index("action_id")
    assert table.loc["2.1.1.1", "ratio"] == pytest.approx(attendu)
    # 1.1.1.3: si val(cae_18) > cible(cae_18) alors 1 sinon val / cible — 30 / 40 (the 2026 target)
    assert table.loc["1.1.1.3", "ratio"] == pytest.approx(0.75)
    # 2.1.1.2 reads te_15, tracked by no indicator: not computed, and said so
    assert not table.loc["2.1.1.2", "calcule"]
    assert "val(te_15)" in table.loc["2.1.1.2", "valeurs_manquantes"]
    # never added to the points: the scores of the TE evaluation do not move
    values = services.label_indicateur_values(te_db, "CAPSO").set_index("indicateur")
    assert values.loc["te_7", "cible"] == 50 and values.loc["te_7", "limite"] == 10
    assert values.loc["cae_18", "annee_cible"] == 2026  # the first target from this year on


def test_a_label_indicateur_id_must_name_its_referential(te_db):
    bad = FICHE_TE.replace("identifiants_referentiel: cae_18", "identifiants_referentiel: dix-huit")
    with pytest.raises(InvalidInput) as refused:
        services.save_fiche_yaml(te_db, bad.encode("utf-8"), "suivi.yaml")
    assert "suivi.yaml:13:31:" in str(refused.value)  # line 13, the value after « identifiants_referentiel: » and "« dix-huit » invalide" in str(refused.value)
