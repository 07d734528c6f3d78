"""`pcaet bascule simuler|appliquer|annuler` through the command line (CliRunner) and the services,
on a database holding the invented pair of tests/fixtures/bascule/ (see test_bascule.py for the
fixture and the hand computation of every figure below), then on the demo collectivity with the
official CAE and TE referentials (../shared)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import auth, services, store
from cae_data.cli import main
from cae_data.scoring.rounding import round_exact

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bascule"
DAY = date(2026, 11, 17)
PROFILE_YAML = b"nom: Testville\ntype: EPCI\nreponses:\n  eau_1: non\n"
EVALUATION_CSV = (
    "action_id;statut;fait;programme;pas_fait\n"
    "1.1.1.1;fait;;;\n1.1.1.2;programmé;;;\n1.1.2;détaillé;60;20;20\n1.1.2.1;pas fait;;;\n1.2.1;fait;;;\n"
    "1.2.2;non concerné;;;\n1.2.3.1;fait;;;\n1.2.3.2;non concerné;;;\n2.1.1;non concerné;;;\n2.1.2;pas fait;;;\n"
).encode("utf-8")
# TE sous-mesure → its CAE origins: (the demo's status, CAE points, weighting); see the demo test
PICKED = {
    "1.1.2.3": {"1.1.1.4": ("fait", 0.6, 1.0)},
    "1.1.2.2": {"1.1.1.3": ("fait", 1.2, 1.0), "1.1.1.5": ("pas_fait", 3.6, 0.5)},
    "2.1.3.4": {"2.1.3.6": ("programme", 0.6, 1.0), "2.2.1.4": ("non_concerne", 1.2, 0.5)},
}
SCORES_HEADER = ("referentiel,action_id,niveau,point_referentiel,point_potentiel,point_fait,point_programme,"
                 "point_pas_fait,point_non_renseigne,desactive,concerne")


def build(path: Path, te: bool = True, evaluation: bool = True) -> Path:
    services.init_database(path, demo=False)
    services.import_referentiel(path, FIXTURES / "cae-structure.csv")
    if te:
        services.import_referentiel(path, FIXTURES / "te-structure.csv", questions=FIXTURES / "questions")
    services.set_collectivites(path, [(PROFILE_YAML, "testville.yaml")])
    if evaluation:
        services.import_evaluation(path, EVALUATION_CSV, "evaluation.csv", "Testville", DAY)
    return path


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("bascule-template") / "pcaet.duckdb")


@pytest.fixture
def db(_template, tmp_path) -> Path:
    return copy_database(_template, tmp_path / "db")


def copy_database(template: Path, folder: Path) -> Path:
    """A copy of a template database folder (file and upload archive) that a test may write to."""
    shutil.copytree(template.parent, folder, dirs_exist_ok=True)
    return folder / template.name


def run(path: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["bascule", *args, "--db", str(path)], env={"PCAET_DB": None, **(env or {})})


def journal(path: Path) -> pd.DataFrame:
    return services.journal_entries(path, actions=["bascule"])


def data_version(path: Path) -> int:
    with store.reading(path) as con:
        return store.meta_data_version(con)


# ---------------------------------------------------------------- simuler


def test_simuler_prints_the_fields_of_pcaet_scores(db):
    result = run(db, "simuler")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # same header as `pcaet scores` (cli.md), one row per TE node (21 in the mini TE)
    scores = CliRunner().invoke(main, ["scores", "--referentiel", "te", "--db", str(db)], env={"PCAET_DB": None})
    assert lines[0] == SCORES_HEADER == scores.stdout.splitlines()[0]
    rows = {r["action_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert len(rows) == 21 and {r["referentiel"] for r in rows.values()} == {"te"}
    # root: P 23.5; fait 4.5 + 6/11×8.6 = 9.1909 → 9.191; programmé = pas fait 1.5 + 6/11×1.2 = 2.1545 → 2.155;
    # non renseigné 10 (test_bascule.test_totals_and_etoiles)
    assert lines[1] == "te,,referentiel,28.000,23.500,9.191,2.155,2.155,10.000,false,true"
    assert rows["1.1.1.2"]["point_fait"] == "4.691" and rows["1.1.1.2"]["point_programme"] == "0.655"
    assert rows["1.1.2.1"]["concerne"] == "false" and rows["1.1.2.1"]["point_potentiel"] == "0.000"
    assert rows["1.1.2.2"]["point_non_renseigne"] == "5.000"
    # the summary goes to stderr, in French
    assert ("Testville, évaluation CAE du 17/11/2026 : 67,4\u00a0% (étoiles non calculables : référentiel CAE "
            "incomplet) → Climat Ressources projeté : 39,1\u00a0% (2 étoiles).") in result.stderr
    assert "Après écriture des statuts" in result.stderr and "38,3\u00a0%" in result.stderr  # 9 / 23.5
    assert "PCAET_1" in result.stderr


def test_simuler_json_and_services_agree(db):
    result = run(db, "simuler", "--format", "json", "--date", "2026-11-17")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    root = records[0]
    assert root["action_id"] == "" and root["point_fait"] == 9.191 and root["concerne"] is True
    b = services.simuler_bascule(db, "Testville", DAY)
    exact = b.projection.scores.set_index("action_id")
    assert float(round_exact([exact.loc["", "point_fait"]], 3)[0]) == root["point_fait"]
    assert services.bascule_csv(b).decode("utf-8").splitlines()[0] == SCORES_HEADER


def test_simuler_refuses_in_french(tmp_path, db):
    result = run(db, "simuler", "--date", "2026-01-01")
    assert result.exit_code == 1
    assert "Aucune évaluation CAE de « Testville » au 01/01/2026 (évaluations : 17/11/2026)." in result.stderr
    result = run(db, "simuler", "--collectivite", "Inconnue")
    assert result.exit_code == 1 and "Collectivité inconnue « Inconnue »." in result.stderr
    no_te = build(tmp_path / "sans-te" / "pcaet.duckdb", te=False)
    result = run(no_te, "simuler")
    assert result.exit_code == 1 and "Aucun référentiel Climat Ressources (TE) dans la base" in result.stderr
    no_evaluation = build(tmp_path / "sans-eval" / "pcaet.duckdb", evaluation=False)
    result = run(no_evaluation, "simuler")
    assert result.exit_code == 1
    assert "Aucune évaluation CAE de « Testville » : importez-en une" in result.stderr
    assert "Traceback" not in result.output


def test_an_eci_evaluation_on_or_before_the_date_is_followed(db):
    services.import_referentiel(db, FIXTURES / "eci-structure.csv")
    later = "action_id;statut;referentiel\n1.1.1;fait;eci\n".encode("utf-8")
    services.import_evaluation(db, later, "eci-later.csv", "Testville", date(2026, 11, 20))
    # an ECI evaluation after the CAE one does not count: ECI not followed at that date, 2.1.1.2 non concerné
    rows = {r["action_id"]: r for r in csv.DictReader(io.StringIO(run(db, "simuler").stdout))}
    assert rows["2.1.1.2"]["concerne"] == "false"
    earlier = "action_id;statut;referentiel\n1.1.1;programmé;eci\n".encode("utf-8")
    services.import_evaluation(db, earlier, "eci.csv", "Testville", date(2026, 6, 1))
    result = run(db, "simuler")
    rows = {r["action_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    # eci 1.1.1 (5 points) programmé: ratio 1 / 5, programmé 0.2 × 5 = 1 = P
    assert rows["2.1.1.2"]["point_programme"] == "1.000" and rows["2.1.1.2"]["concerne"] == "true"
    assert "Évaluation ECI prise en compte : celle du 01/06/2026." in result.stderr
    # root P 23.5 + 1 = 24.5
    assert result.stdout.splitlines()[1].startswith("te,,referentiel,28.000,24.500,")


# ---------------------------------------------------------------- appliquer, annuler


def test_appliquer_writes_the_platform_statuses_once(db):
    before = data_version(db)
    result = run(db, "appliquer")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("Évaluation Climat Ressources (te) de Testville au 17/11/2026 créée : 7 statut(s) "
                                     "projeté(s), score 38,3\u00a0%, 2 étoile(s).")
    written = services.statuses_at(db, "Testville", DAY, "te").set_index("action_id")
    # 1.1.1.2: 78.2 % / 10.9 % / 10.9 % rounded down to 5 %: 75 / 10 / 15 (the 5 % floor)
    assert written.loc["1.1.1.2", ["statut", "fait", "programme", "pas_fait"]].tolist() == ["detaille", 0.75, 0.1, 0.15]
    assert written.loc["2.1.1.1", "statut"] == "pas_fait" and written.loc["2.1.1.3.a", "statut"] == "fait"
    assert written.loc["1.1.2.1", "statut"] == "non_concerne"
    assert "1.1.2.3" not in written.index and "1.1.2.2" not in written.index  # non renseigné: no row
    # every page reads it as a TE evaluation: pcaet scores gives fait 9 of 23.5
    scores = CliRunner().invoke(main, ["scores", "--referentiel", "te", "--db", str(db)], env={"PCAET_DB": None})
    assert scores.stdout.splitlines()[1] == "te,,referentiel,28.000,23.500,9.000,2.100,4.400,8.000,false,true"
    lines = journal(db)
    assert len(lines) == 1 and lines.loc[0, "objet"] == "Testville au 17/11/2026"
    assert lines.loc[0, "libelle"] == "Passage à Climat Ressources" and "créée" in lines.loc[0, "detail"]
    assert data_version(db) == before + 1

    # the same projection again: nothing written, no journal line, no new data version
    again = run(db, "appliquer")
    assert again.exit_code == 0 and "déjà écrite à l'identique, rien n'a changé" in again.stdout
    assert len(journal(db)) == 1 and data_version(db) == before + 1


def test_a_new_cae_state_replaces_the_projection_written(db):
    assert run(db, "appliquer").exit_code == 0
    changed = EVALUATION_CSV.replace(b"2.1.2;pas fait", b"2.1.2;fait")
    services.import_evaluation(db, changed, "evaluation-2.csv", "Testville", DAY)
    result = run(db, "appliquer")
    # 2.1.1.1 ← cae 2.1.2 now fait: 1.5 fait instead of pas fait; written score (9 + 1.5) / 23.5 = 44,7 %
    assert result.exit_code == 0 and result.stdout.strip().endswith(
        "remplacée : 7 statut(s) projeté(s), score 44,7\u00a0%, 2 étoile(s).")
    assert services.statuses_at(db, "Testville", DAY, "te").set_index("action_id").loc["2.1.1.1", "statut"] == "fait"
    assert journal(db)["detail"].str.contains("remplacée").sum() == 1


def test_annuler_removes_the_te_evaluation_and_keeps_the_cae_history(db):
    assert run(db, "appliquer").exit_code == 0
    result = run(db, "annuler", "--date", "2026-11-17")
    assert result.exit_code == 0, result.output
    assert "retirée (7 statut(s)) ; l'historique CAE est conservé" in result.stdout
    assert services.evaluation_dates(db, "Testville", "te") == []
    assert services.evaluation_dates(db, "Testville", "cae") == [DAY]
    assert len(services.statuses_at(db, "Testville", DAY, "cae")) == 10
    assert journal(db)["detail"].str.startswith("bascule annulée").sum() == 1
    again = run(db, "annuler", "--date", "2026-11-17")
    assert again.exit_code == 1
    assert "Aucune évaluation Climat Ressources de « Testville » au 17/11/2026 : rien à annuler." in again.stderr
    # and it can be applied again afterwards
    assert "créée" in run(db, "appliquer").stdout


def test_a_te_evaluation_from_a_file_is_never_overwritten_nor_removed(db):
    data = "action_id;statut;referentiel\n1.1.1.1;fait;te\n".encode("utf-8")
    services.import_evaluation(db, data, "te.csv", "Testville", DAY)
    before = data_version(db)
    for args in (("appliquer",), ("annuler", "--date", "2026-11-17")):
        result = run(db, *args)
        assert result.exit_code == 1 and "vient d'un fichier importé" in result.stderr
    assert services.statuses_at(db, "Testville", DAY, "te")["action_id"].tolist() == ["1.1.1.1"]
    assert data_version(db) == before and journal(db).empty


def test_a_reader_may_simulate_but_not_apply(db, fast_hashing):
    auth.add_account(db, "admin", "admin", "admin-secret-1")
    auth.add_account(db, "elu", "lecture", "elu-secret-12", by="admin")
    before = data_version(db)
    nobody = run(db, "appliquer")
    assert nobody.exit_code == 1 and "identifiez-vous avec --utilisateur" in nobody.stderr
    as_reader = {"PCAET_UTILISATEUR": "elu", "PCAET_MOT_DE_PASSE": "elu-secret-12"}
    assert run(db, "simuler", env=as_reader).exit_code == 0
    for args in (("appliquer",), ("annuler", "--date", "2026-11-17")):
        result = run(db, *args, env=as_reader)
        assert result.exit_code == 1 and "édition" in result.stderr
    assert services.evaluation_dates(db, "Testville", "te") == [] and data_version(db) == before
    as_admin = {"PCAET_UTILISATEUR": "admin", "PCAET_MOT_DE_PASSE": "admin-secret-1"}
    assert run(db, "appliquer", env=as_admin).exit_code == 0
    assert journal(db).loc[0, "utilisateur"] == "admin"


def test_help_is_french():
    for command in ("simuler", "appliquer", "annuler"):
        result = CliRunner().invoke(main, ["bascule", command, "--help"])
        assert result.exit_code == 0 and "Climat Ressources" in result.output


# ---------------------------------------------------------------- the demo with the official referentials


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    from support.shared import REFERENTIELS

    path = tmp_path_factory.mktemp("bascule-demo") / "pcaet.duckdb"
    services.init_database(path, demo=True)
    services.import_referentiel(path, REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                                questions=REFERENTIELS / "questions")
    services.import_referentiel(path, REFERENTIELS / "te-structure.csv", questions=REFERENTIELS / "questions-plateforme")
    services.init_database(path, demo=True)  # the demo evaluations again, for the full CAE referential
    return path


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/cae", "referentiels/questions-plateforme")
def test_demo_with_the_official_referentials(demo_db):
    b = services.simuler_bascule(demo_db)
    te = b.te
    s = b.projection.scores.set_index("action_id")
    # every TE node is present, once
    assert list(s.index) == te.nodes["action_id"].astype(str).tolist()
    # sums: every parent (not carrying a status of its own) is the sum of its children, for the
    # potential and each of the four point fields; the four add up to the potential
    nodes = te.nodes.assign(action_id=te.nodes["action_id"].astype(str))
    children = nodes[nodes["parent_id"].notna()].groupby("parent_id")["action_id"].agg(list)
    cibles = set(b.projection.cibles["action_id"])
    for field in ("point_potentiel", "point_fait", "point_programme", "point_pas_fait", "point_non_renseigne"):
        for parent, kids in children.items():
            if parent in cibles or not s.loc[parent, "concerne"]:
                continue
            assert s.loc[parent, field] == pytest.approx(s.loc[kids, field].sum(), abs=1e-9), (field, parent)
    four = s[["point_fait", "point_programme", "point_pas_fait", "point_non_renseigne"]].sum(axis=1)
    assert (four - s["point_potentiel"]).abs().max() < 1e-9
    mesures = s[s["niveau"] == "mesure"]
    assert mesures["point_fait"].sum() == pytest.approx(s.loc["", "point_fait"])
    assert mesures["point_potentiel"].sum() == pytest.approx(s.loc["", "point_potentiel"])

    # three sous-mesures recomputed by hand from the rules (docs/bascule.md), on the demo's statuses
    # at its latest evaluation (17/11/2026) and the official points; preconditions checked first
    statuses = services.statuses_at(demo_db, "CAPSO", b.date, "cae").set_index("action_id")["statut"]
    cae_points = b.cae.nodes.assign(action_id=b.cae.nodes["action_id"].astype(str)).set_index("action_id")
    te_points = nodes.set_index("action_id")["point_referentiel"]
    for te_id, origins in PICKED.items():
        assert s.loc[te_id, "point_potentiel"] == te_points[te_id], "no TE personnalisation applies"
        own = te.origines[te.origines["action_id"] == te_id]
        assert dict(zip(own["origine_action_id"], own["ponderation"])) == {k: v[2] for k, v in origins.items()}
        for cae_id, (statut, points, weight) in origins.items():
            assert statuses.get(cae_id) == statut, f"the demo changed: pick other sous-mesures than {te_id}"
            assert cae_points.loc[cae_id, "point_referentiel"] == pytest.approx(points)
            assert not any(statuses.index.str.startswith(cae_id + "."))
    # 1.1.2.3 (2.2) ← cae 1.1.1.4 (0.6, fait): ratio 2.2 / 0.6; fait = 2.2 / 0.6 × 0.6 = 2.2
    assert s.loc["1.1.2.3", ["point_fait", "point_programme", "point_pas_fait"]].tolist() == pytest.approx([2.2, 0, 0])
    # 1.1.2.2 (2.2) ← cae 1.1.1.3 (1.2, fait, × 1) and cae 1.1.1.5 (3.6, pas fait, × 0.5):
    # Σ pts·w = 1.2 + 1.8 = 3; fait = 2.2 / 3 × 1.2 = 0.88; pas fait = 2.2 / 3 × 1.8 = 1.32
    assert s.loc["1.1.2.2", ["point_fait", "point_pas_fait", "point_non_renseigne"]].tolist() == pytest.approx(
        [0.88, 1.32, 0], abs=1e-12)
    # 2.1.3.4 (0.8) ← cae 2.1.3.6 (0.6, programmé) and cae 2.2.1.4 (non concerné, left out):
    # ratio 0.8 / 0.6; programmé = 0.8 / 0.6 × 0.6 = 0.8
    assert s.loc["2.1.3.4", ["point_fait", "point_programme"]].tolist() == pytest.approx([0, 0.8])
    # the summary: stars from the thresholds, the demo answers no TE question
    assert 0 < b.te_score < 1 and b.te_nombre_etoiles >= 1
    assert len(b.questions) > 0 and (b.questions["ordre"].diff().dropna() >= 0).all()
    assert len(b.nouvelles_mesures) > 0
    assert b.nouvelles_mesures["point_potentiel"].is_monotonic_decreasing


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/cae", "referentiels/questions-plateforme")
def test_demo_appliquer_then_scores(demo_db, tmp_path):
    path = copy_database(demo_db, tmp_path / "demo")
    result = run(path, "appliquer")
    assert result.exit_code == 0, result.output
    b = services.simuler_bascule(path)
    scores = services.compute_scores(path, referentiel="te")
    root = scores[scores["action_id"].astype(str) == ""].iloc[0]
    statuts_root = b.projection.scores_statuts.set_index("action_id").loc[""]
    assert root["point_fait"] == pytest.approx(statuts_root["point_fait"])
    assert root["point_potentiel"] == pytest.approx(statuts_root["point_potentiel"])
