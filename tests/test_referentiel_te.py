"""The 2026 merged referential « Climat Ressources » (TE): structure file per referentiel-te.md.

`te-mini-structure.csv` is an invented file of the same format (line numbers in comments are
the file's physical lines: some cells span several). The official file is read from ../shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.shared import REFERENTIELS

from cae_data.errors import InvalidInput
from cae_data.personnalisation.rules import parse_rules
from cae_data.referentiel.loader import read_referentiel
from cae_data.referentiel.model import ALL_NODE_COLUMNS, ORIGINE_COLUMNS, REGLES_TE, SOURCE_KIND_TE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"
MINI = FIXTURES / "te-mini-structure.csv"


@pytest.fixture(scope="module")
def mini():
    return read_referentiel(MINI, nom="te")


def test_mini_is_recognised_as_te(mini):
    assert mini.source_kind == SOURCE_KIND_TE and mini.regles is REGLES_TE
    assert not mini.regles.redistribution and not mini.regles.criteres_etoiles
    assert list(mini.nodes.columns) == ALL_NODE_COLUMNS
    nodes = mini.nodes.set_index("action_id")
    assert nodes.loc[["1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.2.a", "1.1.1alter", "1.1.1alter.1"], "niveau"].tolist() \
        == ["axe", "sous-axe", "mesure", "sous-action", "tache", "mesure", "sous-action"]


def test_mini_points_read_on_sous_mesures_only(mini):
    nodes = mini.nodes.set_index("action_id")
    expected = {
        "1.1.1.1": 1.5, "1.1.1.2": 2.5, "1.1.1.3": 2,   # written on the sous-mesures
        "1.1.1.2.a": 1.25, "1.1.1.2.b": 1.25,           # 2.5 / 2; the 9 written on 1.1.1.2.a is ignored
        "1.1.1": 6,                                     # 1.5 + 2.5 + 2 (agrees with the 6 written)
        "1.1.1alter": 3,                                # 3, although nothing is written
        "1.1.2": 5,                                     # 2 + 3, although 4 is written: warning
        "1.1": 14, "1": 14,                             # 6 + 3 + 5; the axis' written 20 is not used
        "2.1.1": 5, "2": 5, "": 19,                     # 4 + 1; 14 + 5
    }
    for action_id, points in expected.items():
        assert nodes.loc[action_id, "point_referentiel"] == pytest.approx(points), action_id
    # each mesure is worth exactly the sum of its sous-mesures
    sous = nodes[nodes["niveau"] == "sous-action"].groupby("parent_id")["point_referentiel"].sum()
    mesures = nodes[nodes["niveau"] == "mesure"]["point_referentiel"]
    assert (mesures.reindex(sous.index) == sous).all()


def test_mini_warnings_are_located(mini):
    assert [str(w) for w in mini.warnings] == [
        "te-mini-structure.csv:1:Commentaire interne: colonne « Commentaire interne » non reconnue : sa valeur "
        "n'est pas lue",
        "te-mini-structure.csv:16:Points: mesure « 1.1.2 » : 4 points écrits, mais ses sous-mesures en font 5 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-mini-structure.csv:22:Adaptation - calcul: règle d'adaptation de « 2.1.1 » conservée mais pas appliquée "
        "au score (la plateforme ne l'applique pas non plus)",
        "te-mini-structure.csv:22:exprScore: formule du score indicatif de 2.1.1 illisible : « si val(te_9) >> 3 "
        "alors 1 » — « > » inattendu (colonne 15) : le score indicatif de « 2.1.1 » ne sera pas calculé",
        "te-mini-structure.csv:26:Labels: label inconnu « te_xyz » pour « 2.1.1.2 » (attendu : te_cae ou te_eci) : "
        "il n'est pas lu",
        "te-mini-structure.csv:26:Origine: pondération illisible « abc » pour l'origine « eci_2.1 » de « 2.1.1.2 » : "
        "l'origine n'est pas lue",
    ]


def test_mini_every_column_kept(mini):
    nodes = mini.nodes.set_index("action_id")
    m = nodes.loc["1.1.1"]
    assert bool(m["coremeasure"]) and m["thematique_sgpe"] == "Mieux planifier"
    assert m["description"] == "La collectivité connaît son territoire."
    assert bool(nodes.loc["1.1.2", "coremeasure"])          # « Coremeasure » capitalised
    assert not bool(nodes.loc["1.1.1.1", "coremeasure"])
    assert nodes.loc["1.1.1.1", "labels"] == ["te_cae"]
    assert nodes.loc["1.1.1.2", "labels"] == ["te_cae", "te_eci"]
    assert nodes.loc["2.1.1.2", "labels"] == ["te_cae"]      # te_xyz: warning
    assert nodes.loc["1.1.1.1", "categorie"] == "bases" and nodes.loc["1.1.1.3", "categorie"] == "effets"
    assert nodes.loc["1.1.1.1", "adaptation_niveau"] == "exposition_faible"
    assert nodes.loc["2.1.1", "adaptation_regle"] == "si identite(localisation, DOM) alors 0.5"
    assert nodes.loc["2.1.1", "textes"] == {
        "Adaptation au changement climatique": "Les territoires exposés aux sécheresses suivent leurs fuites."}
    assert nodes.loc["1.1.2.1", "textes"] == {"Preuve": "Délibération d'adoption."}
    assert nodes.loc["1.1.1.1", "textes"] == {"Exemples": "- Une base de données énergie"}
    assert nodes.loc["1.1.1.3", "indicateurs"] == ["cae_18"]
    assert nodes.loc["2.1.1.2", "indicateurs_wip"] == "te_15, te_16"
    assert nodes.loc["1.1.1.3", "expr_score"].startswith("si val(cae_18) > cible(cae_18) alors 1\n")
    assert bool(nodes.loc["1.1.1.2", "nouvelle_action"]) and not bool(nodes.loc["1.1.1.1", "nouvelle_action"])
    rules = mini.rules.set_index(["action_id", "kind"])
    assert rules.loc[("1.1.1", "desactivation"), "description"].startswith("Sans obligation de PCAET")
    assert rules.loc[("1.1.2.2", "desactivation"), "source_line"] == 18
    parse_rules(mini.rules)  # identite(soustype, syndicat) is understood


def test_mini_origins_table(mini):
    origines = mini.origines
    assert list(origines.columns) == ORIGINE_COLUMNS
    assert origines[["action_id", "origine_referentiel", "origine_action_id", "ponderation", "source_line"]] \
        .values.tolist() == [
            ["1.1.1.1", "cae", "1.1.2.2.3", 1.0, 6],     # « Cae_1.1.2.2.3 (1) »
            ["1.1.1.1", "cae", "1.1.2.2.1", 0.5, 6],     # « Cae_1.1.2.2.1 (0,5) »
            ["1.1.1.3", "eci", "1.2", 1.0, 12],          # no weighting: 1
            ["1.1.1alter.1", "cae", "1.1.2.2.3", 1.0, 15],
            ["2.1.1.2", "eci", "2.2", 0.25, 26],         # « eci_2.1 (abc) » is a warning
        ]


def test_te_refusals_name_file_line_and_column(tmp_path):
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(',1.1.2.1,Adopter la stratégie,2,', ',1.1.2.1,Adopter la stratégie,,')
    text = text.replace(',2.1.1.1,Réduire les fuites,4,', ',2.1.1.1,Réduire les fuites,quatre,')
    path = tmp_path / "te-structure.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_referentiel(path)
    assert [str(p) for p in caught.value.problems] == [
        "te-structure.csv:23:Points: nombre attendu, trouvé « quatre »",
        "te-structure.csv:17:Points: points manquants pour la sous-mesure « 1.1.2.1 »",
        "te-structure.csv:23:Points: points manquants pour la sous-mesure « 2.1.1.1 »",
    ]


# --- the official file ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def te():
    return read_referentiel(REFERENTIELS / "te-structure.csv", questions=REFERENTIELS / "questions-plateforme")


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/questions-plateforme")
def test_official_te_counts_and_points(te):
    assert te.nom == "te" and te.source_kind == SOURCE_KIND_TE
    assert te.nodes["niveau"].value_counts().to_dict() == {
        "referentiel": 1, "axe": 6, "sous-axe": 20, "mesure": 127, "sous-action": 431, "tache": 79}
    nodes = te.nodes.set_index("action_id")
    assert nodes.loc["1.1.1alter", "niveau"] == "mesure"
    assert te.nodes["action_id"].str.contains("alter").sum() == 92
    sous = nodes[nodes["niveau"] == "sous-action"]
    mesures = nodes[nodes["niveau"] == "mesure"]
    sums = sous.groupby("parent_id")["point_referentiel"].sum().reindex(mesures.index, fill_value=0.0)
    assert (mesures["point_referentiel"] - sums).abs().max() < 1e-9
    assert nodes.loc["1.1.5", "point_referentiel"] == pytest.approx(7.5)   # 6 written
    assert nodes.loc["3.4.3alter", "point_referentiel"] == 0                # 1,5 written, no sous-mesure
    parse_rules(te.rules)  # 4 rules test identite(soustype, syndicat)
    assert te.rules["expression"].str.contains("soustype").sum() == 4


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/questions-plateforme")
def test_official_te_six_located_warnings(te):
    points = [str(w) for w in te.warnings if w.column == "Points"]
    assert points == [
        "te-structure.csv:333:Points: mesure « 1.1.5 » : 6 points écrits, mais ses sous-mesures en font 7,5 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-structure.csv:853:Points: mesure « 2.1.1 » : 8 points écrits, mais ses sous-mesures en font 8,8 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-structure.csv:996:Points: mesure « 2.1.2 » : 6 points écrits, mais ses sous-mesures en font 7,5 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-structure.csv:2325:Points: mesure « 3.4.1 » : 10 points écrits, mais ses sous-mesures en font 13 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-structure.csv:2580:Points: mesure « 3.4.3 » : 6 points écrits, mais ses sous-mesures en font 7,5 ; "
        "la somme est retenue (points lus sur les sous-mesures seulement)",
        "te-structure.csv:2605:Points: mesure « 3.4.3alter » : 1,5 points écrits, mais elle n'a aucune "
        "sous-mesure ; la somme est retenue (points lus sur les sous-mesures seulement)",
    ]
    # the only other warning: a line holding two origins (the platform keeps the first one too)
    others = [str(w) for w in te.warnings if w.column != "Points"]
    assert others == [
        "te-structure.csv:801:Origine: origine « cae_1.3.2.1 (0,5) cae_1.3.2.2 (0,33) » pour « 1.2.3.1 » : une "
        "origine par ligne est attendue ; seule « cae_1.3.2.1 (0,5) » est lue, comme sur la plateforme"]


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/questions-plateforme")
def test_official_te_attributes_and_origins(te):
    nodes = te.nodes.set_index("action_id")
    assert int(nodes["coremeasure"].sum()) == 38   # 34 « coremeasure » + 4 « Coremeasure »
    assert int(nodes["nouvelle_action"].sum()) == 61
    assert nodes["expr_score"].notna().sum() == 31
    assert nodes["thematique_sgpe"].notna().sum() == 125
    assert nodes.loc["1.1.1alter.1", "labels"] == ["te_cae"]
    assert nodes.loc["2.2.4", "indicateurs"] == ["cae_17.c", "cae_18"]
    assert sum(len(ids) > 0 for ids in nodes["indicateurs"].dropna()) == 9   # grep: 9 non-empty cells
    origines = te.origines
    assert len(origines) == 884   # every origin line, the second origin of 1.2.3.1 left out
    assert origines["origine_referentiel"].value_counts().to_dict().keys() <= {"cae", "eci"}
    # 78 lines « (0,5) » plus the first origin of 1.2.3.1 (« cae_1.3.2.1 (0,5) cae_1.3.2.2 (0,33) »)
    assert origines["ponderation"].value_counts().to_dict()[0.5] == 79
    first = origines[origines["action_id"] == "1.1.1alter.1"]
    assert first["origine_action_id"].tolist()[:3] == ["1.1.2.2.3", "1.1.2.2.1", "1.1.2.2.2"]


@pytest.mark.shared("referentiels/te-structure.csv", "referentiels/questions-plateforme")
def test_official_te_questions(te):
    questions = te.questions.set_index("question_id")
    # every question a TE rule reads (62) is in the platform's files
    read = set().union(*(rule.questions() for rule in parse_rules(te.rules).values()))
    assert set(questions.index) == read and len(questions) == 62
    assert not [w for w in te.warnings if "absente des fichiers de questions" in w.message]
    assert questions.loc["PCAET_2", "expr_visible"] == "Si reponse(PCAET_1, NON) alors VRAI"
    assert questions.loc["PCAET_1", "ordre"] < questions.loc["PCAET_2", "ordre"]
    assert "te_1.1.1" in questions.loc["PCAET_1", "actions"]
    assert [c["id"] for c in questions.loc["voirie", "choix"]] == ["voirie_a", "voirie_b", "voirie_c"]
