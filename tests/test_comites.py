"""Steering committees (cae_data/comites.py, services « committees »): the checks of a committee,
the migration of the schema 1 → 2, and « depuis le dernier comité » computed on hand-made
histories.

A hand-made referential, points written out by hand (scoring.md §1):

    root 20 ── 1 (axe) 20 ── 1.1 (sous-axe) 20
        ├── 1.1.1 mesure 10
        │   ├── 1.1.1.1 40 % = 4  bases
        │   └── 1.1.1.2 60 % = 6  effets
        └── 1.1.2 mesure 10
            ├── 1.1.2.1 50 % = 5  mise en œuvre
            └── 1.1.2.2 50 % = 5  effets

Evaluations of « Testville »:
- D1 (05/01/2026): 1.1.1.1 fait, 1.1.1.2 programmé, 1.1.2.1 pas fait → fait 4, programmé 6,
  score réalisé 4 / 20 = 20 %;
- D2 (12/01/2026): 1.1.1.1 fait, 1.1.1.2 fait, 1.1.2.1 pas fait, 1.1.2.2 programmé → fait 10,
  programmé 5, score réalisé 10 / 20 = 50 %.
Committees C1 (08/01/2026) and C2 (15/01/2026): D1 is in force at C1, D2 at C2.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cae_data import comites, services, store
from cae_data.comites import Comite, ComiteHistory, comite_diff, evaluation_in_force
from cae_data.demo.comites import DEMO_COMITES
from cae_data.errors import InvalidInput
from cae_data.referentiel.model import NODE_COLUMNS, Referentiel, niveau_for_depth, parent_of
from cae_data.services.init import install_demo_comites

NBSP = "\u00a0"
POINTS = {"": 20, "1": 20, "1.1": 20, "1.1.1": 10, "1.1.1.1": 4, "1.1.1.2": 6, "1.1.2": 10, "1.1.2.1": 5,
          "1.1.2.2": 5}
SHARES = {"1.1.1.1": 40, "1.1.1.2": 60, "1.1.2.1": 50, "1.1.2.2": 50}
CATEGORIES = {"1.1.1.1": "bases", "1.1.1.2": "effets", "1.1.2.1": "mise en œuvre", "1.1.2.2": "effets"}
NOMS = {"": "Racine", "1": "Planification", "1.1": "Stratégie", "1.1.1": "Vision", "1.1.2": "Diagnostic",
        "1.1.1.1": "Définir la vision", "1.1.1.2": "Voter le plan", "1.1.2.1": "Bilan carbone",
        "1.1.2.2": "Bilan air"}

D1, D2 = date(2026, 1, 5), date(2026, 1, 12)
C1, C2 = date(2026, 1, 8), date(2026, 1, 15)
EVALUATIONS = {
    D1: [("1.1.1.1", "fait", ""), ("1.1.1.2", "programme", ""), ("1.1.2.1", "pas_fait", "")],
    D2: [("1.1.1.1", "fait", ""), ("1.1.1.2", "fait", "Délibération votée"), ("1.1.2.1", "pas_fait", ""),
         ("1.1.2.2", "programme", "")],
}
# Stars are another module's business (scoring/etoiles.py): given by hand here.
STARS = {D1: 1, D2: 2}


def make_referentiel() -> Referentiel:
    rows = []
    for action_id, value in POINTS.items():
        depth = 0 if action_id == "" else action_id.count(".") + 1
        rows.append({
            "action_id": action_id, "parent_id": parent_of(action_id), "depth": depth,
            "niveau": niveau_for_depth(depth, 3), "ordre": 0, "nom": NOMS[action_id], "description": "",
            "textes": {}, "categorie": CATEGORIES.get(action_id),
            "points_declares": float(value) if depth == 3 else math.nan,
            "pourcentage": float(SHARES[action_id]) if action_id in SHARES else math.nan,
            "point_referentiel": float(value), "collectivite_type": None, "climat_pratic_id": None,
            "source_file": "test", "source_line": len(rows) + 1,
        })
    nodes = pd.DataFrame(rows, columns=NODE_COLUMNS)
    nodes["parent_id"] = nodes["parent_id"].astype(object)
    return Referentiel(nom="test", titre="Test", nodes=nodes)


INDICATORS = pd.DataFrame({
    "indicateur_id": ["ind-a", "ind-b"], "fiche_id": ["f1", "f1"], "fiche_titre": ["Fiche 1", "Fiche 1"],
    "nom": ["Signataires de la charte", "Membres du club"], "unite": ["nombre", "nombre"],
    "sens": ["hausse", "hausse"],
})
NO_VALUES = pd.DataFrame({"indicateur_id": [], "date": [], "valeur": [], "commentaire": [], "saisi_par": []})
NO_TARGETS = pd.DataFrame({"indicateur_id": [], "annee": [], "valeur": []})
NO_UPLOADS = pd.DataFrame({"filename": [], "kind": [], "uploaded_at": pd.Series([], dtype="datetime64[ns]"),
                           "uploaded_by": [], "summary": []})


def history(evaluated: list[date], committees: list[date], values=NO_VALUES, targets=NO_TARGETS,
            uploads=NO_UPLOADS, at: date | None = None) -> ComiteHistory:
    """The history of Testville with the given evaluations (of EVALUATIONS) and committees."""
    ref = make_referentiel()
    keys = pd.DataFrame({"collectivite": "Testville", "date": pd.to_datetime(evaluated), "subject": range(len(evaluated))})
    rows = [(s, a, code) for s, when in enumerate(evaluated) for a, code, _ in EVALUATIONS[when]]
    engine_statuses = pd.DataFrame(rows, columns=["subject", "action_id", "statut"]).assign(
        fait=math.nan, programme=math.nan, pas_fait=math.nan)
    scores = services.score_subjects(ref, {}, keys, engine_statuses) if evaluated else pd.DataFrame(
        columns=["collectivite", "date", *services.SCORE_FIELDS])
    statuses = pd.DataFrame(
        [(when, a, code, math.nan, math.nan, math.nan, comment) for when in evaluated for a, code, comment in EVALUATIONS[when]],
        columns=["date", "action_id", "statut", "fait", "programme", "pas_fait", "commentaire"])
    stars = pd.DataFrame({"date": pd.to_datetime(evaluated), "etoiles": [STARS[d] for d in evaluated],
                          "prochaine_etoile": [STARS[d] + 1 for d in evaluated],
                          "points_manquants": [1.0 for _ in evaluated], "criteres_manquants": [0 for _ in evaluated]})
    recorded = [Comite(date=d, titre=f"Comité {d.isoformat()}", notes=f"Décisions du {d.isoformat()}") for d in committees]
    comite, precedent = comites.comite_at(recorded, at)
    return ComiteHistory(
        collectivite="Testville", comite=comite, precedent=precedent, nodes=ref.nodes, evaluation_dates=evaluated,
        scores=scores, statuses=statuses, stars=stars, indicators=INDICATORS, values=values, targets=targets,
        uploads=uploads,
    )


# --------------------------------------------------------------------------- the diff


def test_a_status_changed():
    changes = comite_diff(history([D1, D2], [C1, C2]))
    assert changes.precedent.date == C1 and changes.comite.date == C2
    assert (changes.evaluation_avant, changes.evaluation_apres) == (D1, D2)
    assert changes.nouvelle_evaluation
    assert changes.avant.point_fait == 4 and changes.avant.part_fait == pytest.approx(0.20)
    assert changes.apres.point_fait == 10 and changes.apres.part_fait == pytest.approx(0.50)
    assert changes.delta_points_fait == pytest.approx(6)
    assert changes.delta_part_fait == pytest.approx(0.30)
    assert changes.delta_etoiles == 1

    statuts = changes.statuts
    assert statuts["action_id"].tolist() == ["1.1.1.2", "1.1.2.2"]
    assert statuts["statut_avant"].tolist() == ["Programmé", "Non renseigné"]
    assert statuts["statut_apres"].tolist() == ["Fait", "Programmé"]
    assert statuts["nom"].tolist() == ["Voter le plan", "Bilan air"]
    # 1.1.1.2 is worth 6 points: programmé → fait moves them from programmé to fait.
    assert statuts["delta_point_fait"].tolist() == pytest.approx([6, 0])
    assert statuts["delta_point_programme"].tolist() == pytest.approx([-6, 5])
    assert statuts["commentaire_apres"].tolist() == ["Délibération votée", ""]

    mesures = changes.mesures
    assert mesures["action_id"].tolist() == ["1.1.1", "1.1.2"]  # 1.1.2 moved in programmé only
    assert mesures["point_fait_avant"].tolist() == pytest.approx([4, 0])
    assert mesures["point_fait_apres"].tolist() == pytest.approx([10, 0])
    assert mesures["part_fait_apres"].tolist() == pytest.approx([1.0, 0.0])
    assert mesures["delta_point_programme"].tolist() == pytest.approx([-6, 5])
    assert changes.axes["action_id"].tolist() == ["1"]
    assert changes.axes["delta_part_fait"].tolist() == pytest.approx([0.30])

    assert changes.phrases["evaluation"] == ("Nouvelle évaluation depuis le comité du 08/01/2026 : évaluation du "
                                             "12/01/2026 (au comité précédent : évaluation du 05/01/2026).")
    assert changes.phrases["score"] == (f"Score réalisé : 50,0{NBSP}% (20,0{NBSP}% au comité précédent), "
                                        "+6 points faits.")
    assert changes.phrases["etoiles"] == "1 étoile gagnée depuis le comité du 08/01/2026 : 2 étoiles."
    assert changes.phrases["statuts"] == "2 statuts ont changé depuis le comité du 08/01/2026."
    assert changes.phrases["mesures"] == "2 mesures ont bougé depuis le comité du 08/01/2026."


def test_an_indicateur_value_added():
    values = pd.DataFrame({
        "indicateur_id": ["ind-a"] * 5,
        "date": pd.to_datetime(["2026-01-02", "2026-01-08", "2026-01-10", "2026-01-14", "2026-01-20"]),
        "valeur": [10.0, 11.0, 12.0, 15.0, 17.0],
        "commentaire": ["", "", "", "Trois entreprises de plus", ""],
        "saisi_par": ["claire"] * 5,
    })
    targets = pd.DataFrame({"indicateur_id": ["ind-a"], "annee": [2026], "valeur": [20.0]})
    uploads = pd.DataFrame({
        "filename": ["avant.csv", "lundi.csv", "jeudi-soir.csv", "apres.csv"],
        "kind": ["indicateurs"] * 4,
        "uploaded_at": pd.to_datetime(["2026-01-08 10:00", "2026-01-09 09:00", "2026-01-15 18:00", "2026-01-16 08:00"]),
        "uploaded_by": ["claire", "paul", "claire", "paul"],
        "summary": ["", "", "", ""],
    })
    changes = comite_diff(history([D1], [C1, C2], values, targets, uploads))
    # The value of 08/01 (the day of C1) belongs to C1; the one of 20/01 comes after C2.
    new = changes.valeurs
    assert new["date"].tolist() == [date(2026, 1, 10), date(2026, 1, 14)]
    assert new["valeur"].tolist() == [12.0, 15.0]
    assert new["commentaire"].tolist() == ["", "Trois entreprises de plus"]
    table = changes.indicateurs.set_index("indicateur_id")
    assert table.loc["ind-a", "nouvelles_valeurs"] == 2
    assert table.loc["ind-a", "valeur_avant"] == 11.0 and table.loc["ind-a", "date_avant"] == date(2026, 1, 8)
    assert table.loc["ind-a", "valeur_apres"] == 15.0 and table.loc["ind-a", "date_apres"] == date(2026, 1, 14)
    assert table.loc["ind-a", "evolution"] == 4.0
    assert table.loc["ind-a", "cible"] == 20.0 and table.loc["ind-a", "cible_annee"] == 2026
    assert table.loc["ind-b", "nouvelles_valeurs"] == 0 and math.isnan(table.loc["ind-b", "valeur_apres"])
    assert changes.phrases["indicateurs"] == "2 nouvelles valeurs d'indicateur depuis le comité du 08/01/2026."
    # Uploads of (08/01, 15/01]: the one of the morning of C1 is C1's, the evening of C2 is C2's.
    assert changes.imports["filename"].tolist() == ["lundi.csv", "jeudi-soir.csv"]
    assert changes.imports["uploaded_by"].tolist() == ["paul", "claire"]
    assert changes.phrases["imports"] == "2 fichiers importés depuis le comité du 08/01/2026."


def test_nothing_changed():
    changes = comite_diff(history([D1], [C1, C2]))
    assert (changes.evaluation_avant, changes.evaluation_apres) == (D1, D1)
    assert not changes.nouvelle_evaluation
    assert changes.delta_points_fait == 0 and changes.delta_etoiles == 0
    assert changes.statuts.empty and changes.mesures.empty and changes.valeurs.empty and changes.imports.empty
    assert changes.axes["delta_point_fait"].tolist() == [0]
    assert changes.phrases == {
        "evaluation": "Aucune évaluation nouvelle depuis le comité du 08/01/2026 (évaluation en vigueur : "
                      "évaluation du 05/01/2026).",
        "score": f"Score réalisé inchangé depuis le comité du 08/01/2026 : 20,0{NBSP}%.",
        "etoiles": "Étoiles inchangées depuis le comité du 08/01/2026 : 1 étoile.",
        "statuts": "Aucun statut n'a changé depuis le comité du 08/01/2026.",
        "mesures": "Aucune mesure n'a bougé depuis le comité du 08/01/2026.",
        "indicateurs": "Aucune nouvelle valeur d'indicateur depuis le comité du 08/01/2026.",
        "imports": "Aucun fichier importé depuis le comité du 08/01/2026.",
    }


def test_first_comite_compares_with_nothing():
    changes = comite_diff(history([D1], [C1]))
    assert changes.premier_comite and changes.precedent is None
    assert changes.evaluation_apres == D1 and changes.evaluation_avant is None
    assert not changes.nouvelle_evaluation
    assert changes.delta_points_fait is None and changes.delta_part_fait is None and changes.delta_etoiles is None
    assert changes.statuts.empty and changes.mesures.empty and changes.valeurs.empty and changes.imports.empty
    assert changes.axes["part_fait_apres"].tolist() == pytest.approx([0.2])
    assert math.isnan(changes.axes["part_fait_avant"].iloc[0]) and math.isnan(changes.axes["delta_part_fait"].iloc[0])
    first = "Premier comité : aucun comité précédent auquel comparer."
    assert changes.phrases["evaluation"] == f"{first} Évaluation en vigueur : évaluation du 05/01/2026."
    for key in ("statuts", "mesures", "indicateurs", "imports"):
        assert changes.phrases[key] == first


def test_no_evaluation_at_the_previous_comite_compares_with_an_empty_one():
    changes = comite_diff(history([D2], [C1, C2]))
    assert (changes.evaluation_avant, changes.evaluation_apres) == (None, D2)
    assert changes.nouvelle_evaluation
    assert changes.delta_points_fait == pytest.approx(10)
    assert changes.statuts["action_id"].tolist() == ["1.1.1.1", "1.1.1.2", "1.1.2.1", "1.1.2.2"]
    assert set(changes.statuts["statut_avant"]) == {"Non renseigné"}
    assert changes.statuts["delta_point_fait"].tolist() == pytest.approx([4, 6, 0, 0])
    assert changes.phrases["evaluation"] == ("Première évaluation depuis le comité du 08/01/2026 : évaluation du "
                                             "12/01/2026 (aucune évaluation n'était en vigueur au comité précédent).")


def test_an_older_comite_sees_what_it_saw():
    # C1 chosen explicitly: the first committee, D1 in force, D2 (after it) ignored.
    changes = comite_diff(history([D1, D2], [C1, C2], at=C1))
    assert changes.comite.date == C1 and changes.premier_comite
    assert changes.evaluation_apres == D1 and changes.apres.point_fait == 4


def test_evaluation_in_force():
    dates = [date(2026, 1, 5), date(2026, 1, 12)]
    assert evaluation_in_force(dates, date(2026, 1, 4)) is None
    assert evaluation_in_force(dates, date(2026, 1, 5)) == date(2026, 1, 5)  # the committee's own day counts
    assert evaluation_in_force(dates, date(2026, 1, 11)) == date(2026, 1, 5)
    assert evaluation_in_force(dates, date(2026, 3, 1)) == date(2026, 1, 12)
    assert evaluation_in_force(pd.to_datetime(dates), date(2026, 1, 12)) == date(2026, 1, 12)


def test_comite_at():
    recorded = [Comite(date=C2, titre="b"), Comite(date=C1, titre="a")]
    comite, before = comites.comite_at(recorded, None)
    assert (comite.date, before.date) == (C2, C1)
    comite, before = comites.comite_at(recorded, C1)
    assert (comite.date, before) == (C1, None)
    with pytest.raises(ValueError, match=r"^Aucun comité le 09/01/2026 \(comités enregistrés : 08/01/2026, 15/01/2026\)\.$"):
        comites.comite_at(recorded, date(2026, 1, 9))
    with pytest.raises(ValueError, match="Aucun comité enregistré"):
        comites.comite_at([], None)


# --------------------------------------------------------------------------- checks


TODAY = date(2026, 11, 25)


def problems_of(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_check_comite_accepts_and_cleans():
    comite, notes = comites.check_comite("2026-11-19", "  Comité   hebdomadaire ", "Anne, Paul ; anne\n Zoé ,",
                                         "Décisions :\r\n• relancer\x07 la charte  ", [], TODAY)
    assert comite == Comite(date=date(2026, 11, 19), titre="Comité hebdomadaire", participants=["Anne", "Paul", "Zoé"],
                            notes="Décisions :\n• relancer la charte")
    assert notes == []
    comite, _ = comites.check_comite("19/11/2026", "Comité", ["Anne", " ", "Paul"], None, [], TODAY)
    assert comite.date == date(2026, 11, 19) and comite.participants == ["Anne", "Paul"] and comite.notes == ""


def test_check_comite_messages():
    existing = [Comite(date=date(2026, 11, 12), titre="Point d'étape")]
    with pytest.raises(InvalidInput) as excinfo:
        comites.check_comite("2026-11-12", "  ", "", "", existing, TODAY)
    assert problems_of(excinfo) == [
        "saisie::date: un comité existe déjà le 12/11/2026 (« Point d'étape ») : un seul comité par jour",
        "saisie::titre: titre du comité obligatoire",
    ]
    with pytest.raises(InvalidInput) as excinfo:
        comites.check_comite("31/02/2026", "Comité", "", "", [], TODAY)
    assert problems_of(excinfo) == ["saisie::date: date non reconnue « 31/02/2026 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"]
    with pytest.raises(InvalidInput) as excinfo:
        comites.check_comite("", "x" * 201, "", "", [], TODAY)
    assert problems_of(excinfo) == [
        "saisie::date: date du comité manquante (AAAA-MM-JJ ou JJ/MM/AAAA)",
        "saisie::titre: titre trop long (201 caractères ; maximum 200)",
    ]
    # Editing a committee: its own date is no clash.
    comite, _ = comites.check_comite("2026-11-12", "Point d'étape (corrigé)", "", "", existing, TODAY,
                                     replacing=date(2026, 11, 12))
    assert comite.titre == "Point d'étape (corrigé)"


def test_a_planned_comite_is_allowed_and_said():
    comite, notes = comites.check_comite("2026-12-03", "Comité de décembre", "", "", [], TODAY)
    assert comite.date == date(2026, 12, 3)
    assert notes == ["Comité prévu : le 03/12/2026 est dans le futur (nous sommes le 25/11/2026)."]


# --------------------------------------------------------------------------- database


def test_add_list_and_update_comites(tmp_path):
    seeded_db = tmp_path / "p.duckdb"  # no demo: its committees would take these dates
    services.init_database(seeded_db, demo=False)
    result = services.add_comite(seeded_db, Comite(date="2026-11-19", titre="Comité", participants="Anne, Paul",
                                                   notes="Relancer la charte"), user="claire", today=TODAY)
    assert result.action == "créé"
    assert result.messages == ["Comité du 19/11/2026 enregistré : « Comité »."]
    planned = services.add_comite(seeded_db, Comite(date=date(2026, 12, 3), titre="Prochain"), today=TODAY)
    assert planned.messages[1] == "Comité prévu : le 03/12/2026 est dans le futur (nous sommes le 25/11/2026)."
    with pytest.raises(InvalidInput) as excinfo:
        services.add_comite(seeded_db, Comite(date=date(2026, 11, 19), titre="Doublon"), today=TODAY)
    assert problems_of(excinfo) == ["saisie::date: un comité existe déjà le 19/11/2026 (« Comité ») : un seul "
                                    "comité par jour"]
    listed = services.list_comites(seeded_db)
    assert [(c.date, c.titre, c.participants, c.created_by) for c in listed] == [
        (date(2026, 11, 19), "Comité", ["Anne", "Paul"], "claire"), (date(2026, 12, 3), "Prochain", [], None)]
    first_id = listed[0].comite_id

    updated = services.update_comite(seeded_db, date(2026, 11, 19),
                                     Comite(date=date(2026, 11, 19), titre="Comité", participants=["Anne"],
                                            notes="Charte relancée ; décision : campagne en janvier"), today=TODAY)
    assert updated.action == "modifié" and updated.comite.comite_id == first_id
    again = services.list_comites(seeded_db)[0]
    assert again.notes == "Charte relancée ; décision : campagne en janvier" and again.participants == ["Anne"]
    assert again.created_by == "claire" and again.comite_id == first_id
    with pytest.raises(InvalidInput, match="un comité existe déjà le 03/12/2026"):
        services.update_comite(seeded_db, date(2026, 11, 19), Comite(date=date(2026, 12, 3), titre="x"), today=TODAY)
    with pytest.raises(services.Refused, match=r"^Aucun comité le 20/11/2026\.$"):
        services.update_comite(seeded_db, date(2026, 11, 20), Comite(date=date(2026, 11, 20), titre="x"), today=TODAY)


def _version_1_database(path: Path) -> None:
    """A database as version 1 of the project left it: the first migration only, some data."""
    con = duckdb.connect(str(path))
    con.execute(store.MIGRATIONS[0])
    con.execute("INSERT INTO meta VALUES (1, 7, now())")
    con.execute("INSERT INTO collectivites (nom, reponses, updated_at) VALUES ('CAPSO', '{}', now())")
    con.close()


def test_a_version_1_database_opens_and_is_migrated(tmp_path):
    path = tmp_path / "v1.duckdb"
    _version_1_database(path)
    assert store.SCHEMA_VERSION >= 2  # committees arrived with version 2
    # Read-only (the dashboard) on a version-1 file: no committees yet, no error.
    assert services.list_comites(path) == []
    services.add_comite(path, Comite(date=date(2026, 11, 5), titre="Premier comité"), today=TODAY)
    with store.reading(path) as con:
        assert store.current_version(con) == store.SCHEMA_VERSION
        assert con.execute("SELECT nom FROM collectivites").fetchall() == [("CAPSO",)]
        assert con.execute("SELECT data_version FROM meta").fetchone()[0] == 8  # kept, plus one write
    assert [c.titre for c in services.list_comites(path)] == ["Premier comité"]


def test_a_new_database_has_the_comites_table(tmp_path):
    path = tmp_path / "new.duckdb"
    with store.writing(path) as con:
        assert store.current_version(con) == store.SCHEMA_VERSION
        assert store.load_comites(con) == []


def test_demo_comites_are_installed_once(tmp_path):
    seeded_db = tmp_path / "p.duckdb"
    services.init_database(seeded_db, demo=False)
    assert install_demo_comites(seeded_db) == ["Démonstration : 3 comités de pilotage hebdomadaires (3 ajoutés)."]
    services.update_comite(seeded_db, date(2026, 11, 12), Comite(date=date(2026, 11, 12), titre="Renommé"),
                           today=TODAY)
    assert install_demo_comites(seeded_db) == ["Démonstration : 3 comités de pilotage hebdomadaires (déjà installés)."]
    listed = services.list_comites(seeded_db)
    assert [c.date for c in listed] == [date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19)]
    assert listed[1].titre == "Renommé"  # a user's edit is kept
    assert all(c.created_by == "démo" for c in listed)
    assert all(len(c.participants) == 5 and c.notes.startswith("Décisions :") for c in (listed[0], listed[2]))
    assert [c.date for c in DEMO_COMITES] == [c.date for c in listed]


def test_comite_changes_on_the_demo(seeded_db):
    install_demo_comites(seeded_db)
    changes = services.comite_changes(seeded_db)
    assert changes.collectivite == "CAPSO"
    assert (changes.comite.date, changes.precedent.date) == (date(2026, 11, 19), date(2026, 11, 12))
    assert (changes.evaluation_avant, changes.evaluation_apres) == (date(2026, 11, 10), date(2026, 11, 17))
    # demo.py: the détaillé sous-action 6.1.1.2 (25 points) is fait 0.2 + 0.1 t at the t-th
    # evaluation: 80 % on 10/11 (t = 6), 90 % on 17/11: + 2.5 points faits.
    assert changes.statuts["action_id"].tolist() == ["6.1.1.2"]
    assert changes.statuts["delta_point_fait"].tolist() == pytest.approx([2.5])
    assert changes.delta_points_fait == pytest.approx(2.5)
    # demo_indicateurs.py: the charter went 38 (10/11) → 40 (17/11), the club 35 → 37.
    table = changes.indicateurs.set_index("indicateur_id")
    assert table.loc["nombre-partenaires-signataires-charte", ["valeur_avant", "valeur_apres", "evolution"]].tolist() == [38, 40, 2]
    assert table.loc["nombre-acteurs-partenaires-engages-sein-club-climat", "evolution"] == 2
    assert table.loc["nombre-actions-collectives-portees", "nouvelles_valeurs"] == 0
    assert len(changes.valeurs) == 2

    older = services.comite_changes(seeded_db, date(2026, 11, 5))
    assert older.premier_comite and older.evaluation_apres == date(2026, 9, 14)
    with pytest.raises(services.Refused, match="Aucun comité le 06/11/2026"):
        services.comite_changes(seeded_db, date(2026, 11, 6))


def test_comite_changes_refusals(tmp_path):
    seeded_db = tmp_path / "p.duckdb"
    services.init_database(seeded_db, demo=False)
    with pytest.raises(services.Refused, match="^Aucun comité enregistré : ajoutez-en un avec pcaet comite add.$"):
        services.comite_changes(seeded_db)
    install_demo_comites(seeded_db)
    with pytest.raises(services.Refused, match="^Collectivité inconnue « Nulle part ».$"):
        services.comite_changes(seeded_db, collectivite="Nulle part")


def test_a_collectivity_without_evaluations(seeded_db):
    install_demo_comites(seeded_db)
    services.set_collectivites(seeded_db, [(b"nom: Sans-Eval\ntype: commune\n", "s.yaml")])
    changes = services.comite_changes(seeded_db, collectivite="Sans-Eval")
    assert changes.evaluation_apres is None and changes.apres is None
    assert changes.phrases["evaluation"] == "Aucune évaluation en vigueur au comité du 19/11/2026."
    assert changes.phrases["score"] == "Pas de score : aucune évaluation en vigueur."
    # The seed fiche belongs to the CAPSO: its indicators are not Sans-Eval's.
    assert changes.indicateurs.empty
    assert changes.phrases["indicateurs"] == "Aucun indicateur dans les fiches-actions de Sans-Eval."
    # Two profiles but only CAPSO is evaluated: CAPSO by default.
    assert services.comite_changes(seeded_db).collectivite == "CAPSO"


def test_points_text():
    assert comites.points_text(2.5) == "+2,5 points faits"
    assert comites.points_text(-1) == "−1 point fait"
    assert comites.points_text(0) == "0 point fait"
