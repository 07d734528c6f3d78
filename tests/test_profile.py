"""Collectivity profiles: population brackets, YAML reading and its French errors, the
vectorised rule context, and the official personnalisation rules on hand-made profiles."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from support.shared import EXAMPLES, shared_path

from cae_data.errors import InvalidInput
from cae_data.personnalisation.profile import (
    Profile,
    ProfileContext,
    evaluate_personnalisation,
    population_tags,
    profile_to_yaml,
    read_profile,
)
from cae_data.personnalisation.rules import parse_rule
from cae_data.referentiel.model import QUESTION_COLUMNS


def question(qid, kind, choix=()):
    return {"question_id": qid, "type": kind, "thematique_id": "t", "titre": qid, "description": "",
            "choix": [{"id": c, "label": c} for c in choix], "actions": [], "source_file": "q.md",
            "source_line": 1}


QUESTIONS = pd.DataFrame([
    question("AOM_1", "binaire"),
    question("centre_urbain", "binaire"),
    question("voirie_1", "choix", ["voirie_1_a", "voirie_1_b", "voirie_1_c"]),
    question("habitat_2", "proportion"),
    question("SCoT", "binaire"),
], columns=QUESTION_COLUMNS)


def real_questions() -> pd.DataFrame:
    """Questions of the ADEME markdown, read the simple way (tests only)."""
    folder = shared_path("referentiels/questions")
    rows = []
    for path in sorted(folder.glob("*.md")):
        for block in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
            qid = re.search(r"^id:\s*(\S+)", block, re.M).group(1)
            kind = re.search(r"^type:\s*(\S+)", block, re.M)
            if kind:
                rows.append(question(qid, kind.group(1)))
            else:
                rows[-1]["choix"].append({"id": qid, "label": qid})
    return pd.DataFrame(rows, columns=QUESTION_COLUMNS)


def official_rules() -> pd.DataFrame:
    from test_rules import personnalisation_rules
    return personnalisation_rules()


def read(text: str, questions=QUESTIONS) -> Profile:
    return read_profile(text.encode("utf-8"), "collectivite.yaml", questions)


def problems(text: str, questions=QUESTIONS) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read(text, questions)
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- population brackets


def test_population_tags_of_30000():
    assert population_tags(30000) == ["moins_de_50000", "moins_de_100000", "plus_de_3000", "plus_de_20000"]


@pytest.mark.parametrize(("population", "tags"), [
    # Strict bounds on both sides: at exactly N, neither moins_de_N nor plus_de_N.
    (3000, ["moins_de_5000", "moins_de_10000", "moins_de_20000", "moins_de_50000", "moins_de_100000"]),
    (20000, ["moins_de_50000", "moins_de_100000", "plus_de_3000"]),
    (20001, ["moins_de_50000", "moins_de_100000", "plus_de_3000", "plus_de_20000"]),
    (19999, ["moins_de_20000", "moins_de_50000", "moins_de_100000", "plus_de_3000"]),
    (100000, ["plus_de_3000", "plus_de_20000", "plus_de_50000"]),
    (800000, ["plus_de_3000", "plus_de_20000", "plus_de_50000", "plus_de_100000", "plus_de_300000"]),
    (0, ["moins_de_3000", "moins_de_5000", "moins_de_10000", "moins_de_20000", "moins_de_50000",
         "moins_de_100000"]),
    (None, []),
])
def test_population_tags_at_the_thresholds(population, tags):
    assert population_tags(population) == tags


def test_context_population_agrees_with_the_tags():
    profiles = [Profile("a", population=20000), Profile("b", population=20001), Profile("c")]
    ctx = ProfileContext(profiles)
    assert ctx.identite("population", "plus_de_20000").tolist() == [False, True, False]
    assert ctx.identite("population", "moins_de_20000").tolist() == [False, False, False]
    assert ctx.identite("population", "moins_de_50000").tolist() == [True, True, False]
    # Not a bracket of the platform: never true.
    assert ctx.identite("population", "plus_de_10000").tolist() == [False, False, False]


def test_context_missing_identity_makes_every_test_false():
    profiles = [Profile("a", type="EPCI", localisation="DOM"), Profile("b")]
    ctx = ProfileContext(profiles)
    assert ctx.identite("type", "EPCI").tolist() == [True, False]
    assert ctx.identite("type", "commune").tolist() == [False, False]
    assert ctx.identite("localisation", "DOM").tolist() == [True, False]
    assert ctx.identite("localisation", "Metropole").tolist() == [False, False]


def test_context_answers():
    profiles = [Profile("a", reponses={"AOM_1": "OUI", "voirie_1": "voirie_1_b", "habitat_2": 0.4}),
                Profile("b", reponses={"AOM_1": "NON"}), Profile("c")]
    ctx = ProfileContext(profiles)
    assert ctx.size == 3
    assert ctx.reponse_equals("AOM_1", "oui").tolist() == [True, False, False]
    assert ctx.reponse_equals("AOM_1", "NON").tolist() == [False, True, False]
    assert ctx.reponse_equals("voirie_1", "VOIRIE_1_B").tolist() == [True, False, False]
    assert ctx.reponse_equals("trafic", "NON").tolist() == [False, False, False]
    np.testing.assert_array_equal(ctx.reponse_value("habitat_2"), [0.4, np.nan, np.nan])
    np.testing.assert_array_equal(ctx.reponse_value("AOM_1"), [np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(ctx.reponse_value("absent"), [np.nan, np.nan, np.nan])


def test_context_score_comes_from_the_callable():
    ctx = ProfileContext([Profile("a"), Profile("b")], score=lambda a: np.array([0.2, 0.9]) if a == "1.2.3" else np.array([0.5, 0.5]))
    rule = parse_rule("min(score(cae_1.2.3), score(cae_3.3.5))")
    np.testing.assert_array_equal(rule.evaluate(ctx), [0.2, 0.5])
    with pytest.raises(ValueError, match="pas encore calculés"):
        ProfileContext([Profile("a")]).score("1.2.3")


# ---------------------------------------------------------------- reading


def test_read_profile_accepts_variants_and_canonicalises():
    profile = read(
        "Nom: CAPSO\n"
        "type: epci\n"
        "population: 105 000\n"
        "localisation: Métropole\n"
        "Réponses:\n"
        "  aom_1: Oui\n"
        "  centre_urbain: NON\n"
        "  voirie_1: VOIRIE_1_B\n"
        "  habitat_2: '0,3'\n"
        "  SCoT:\n"
    )
    assert profile == Profile(
        nom="CAPSO", type="EPCI", population=105000, localisation="Metropole",
        reponses={"AOM_1": "OUI", "centre_urbain": "NON", "voirie_1": "voirie_1_b", "habitat_2": 0.3},
    )


def test_read_profile_only_nom_is_required():
    assert read("nom: Commune X\n") == Profile("Commune X")
    assert read("nom: X\ntype: syndicat\nlocalisation: dom\nreponses:\n  habitat_2: 30 %\n") == Profile(
        "X", type="syndicat", localisation="DOM", reponses={"habitat_2": 0.3})
    assert read("nom: X\nreponses: {AOM_1: yes, centre_urbain: false, habitat_2: 1}\n").reponses == {
        "AOM_1": "OUI", "centre_urbain": "NON", "habitat_2": 1.0}


def test_read_profile_reports_every_problem_with_key_and_line():
    assert problems(
        "nom: CAPSO\n"                 # 1
        "type: mairie\n"               # 2
        "population: -5\n"             # 3
        "localisation: Corse\n"        # 4
        "habitants: 12\n"              # 5
        "reponses:\n"                  # 6
        "  AOM_1: peut-être\n"         # 7
        "  AOM_9: oui\n"               # 8
        "  voirie_1: voirie_1_d\n"     # 9
        "  habitat_2: 1.5\n"           # 10
        "  trafic: non\n"              # 11
        "  aom_1: non\n"               # 12
    ) == [
        "collectivite.yaml:2:type: type « mairie » inconnu (attendu : EPCI, commune ou syndicat)",
        "collectivite.yaml:3:population: population « -5 » négative (attendu : un nombre entier "
        "d'habitants, par exemple 105000)",
        "collectivite.yaml:4:localisation: localisation « Corse » inconnue (attendu : Metropole ou DOM)",
        "collectivite.yaml:5:habitants: clé inconnue (attendu : nom, type, soustype, population, "
        "localisation ou reponses)",
        "collectivite.yaml:7:reponses.AOM_1: réponse « peut-être » non permise (attendu : oui ou non)",
        # AOM_9 (line 8) and trafic (line 11) are unknown questions: warnings, not errors
        "collectivite.yaml:9:reponses.voirie_1: réponse « voirie_1_d » non permise (attendu : "
        "voirie_1_a, voirie_1_b ou voirie_1_c)",
        "collectivite.yaml:10:reponses.habitat_2: réponse « 1.5 » non permise (attendu : une proportion "
        "entre 0 et 1, par exemple 0,3 pour 30 %)",
        "collectivite.yaml:12:reponses.aom_1: question en double (déjà répondue ligne 7)",
    ]


def test_foreign_answers_are_kept_with_a_warning_naming_the_key():
    # A profile exported from the platform answers the questions of every referential: with
    # only CAE's questions loaded, dev_eco_1 and SPASER (ECI/TE) are kept, each with a warning.
    profile = read(
        "nom: CAPSO\n"              # 1
        "reponses:\n"               # 2
        "  AOM_1: oui\n"            # 3
        "  dev_eco_1: Non\n"        # 4
        "  SPASER: true\n"          # 5
        "  part_bio: 0,25\n"        # 6
        "  AOM_9: oui\n"            # 7
        "  mode: libre\n"           # 8
    )
    assert profile.reponses == {"AOM_1": "OUI", "dev_eco_1": "NON", "SPASER": "OUI", "part_bio": "0,25",
                                "AOM_9": "OUI", "mode": "libre"}
    message = "inconnue des référentiels chargés : réponse conservée, sans effet sur les scores"
    assert [str(w) for w in profile.warnings] == [
        f"collectivite.yaml:4:reponses.dev_eco_1: question « dev_eco_1 » {message}",
        f"collectivite.yaml:5:reponses.SPASER: question « SPASER » {message}",
        f"collectivite.yaml:6:reponses.part_bio: question « part_bio » {message}",
        f"collectivite.yaml:7:reponses.AOM_9: question « AOM_9 » {message} ; voulez-vous dire « AOM_1 » ?",
        f"collectivite.yaml:8:reponses.mode: question « mode » {message}",
    ]
    # kept answers go back to YAML as given, and read back the same
    again = read(profile_to_yaml(profile))
    assert again == profile and len(again.warnings) == 5
    # with no question file at all, every answer is such a warning
    assert len(read("nom: X\nreponses: {AOM_1: oui}\n", questions=QUESTIONS.iloc[:0]).warnings) == 1
    # a foreign key answered twice, or with a list, stays an error
    assert problems("nom: X\nreponses:\n  SPASER: oui\n  spaser: non\n  ZA: [1]\n") == [
        "collectivite.yaml:4:reponses.spaser: question en double (déjà répondue ligne 3)",
        "collectivite.yaml:5:reponses.ZA: une seule valeur est attendue, pas une liste ni un dictionnaire",
    ]


def test_soustype_read_checked_and_derived_from_type():
    assert read("nom: S\nsoustype: Pôle\n").soustype == "pole"
    assert read("nom: S\nsoustype: EPCI à fiscalité propre\n").soustype == "epci_a_fiscalite_propre"
    syndicat = read("nom: S\ntype: syndicat\n")
    assert syndicat.soustype is None and syndicat.soustype_effectif == "syndicat"
    assert read("nom: S\ntype: EPCI\nsoustype: syndicat\n").soustype_effectif == "syndicat"
    assert problems("nom: S\nsoustype: communauté\n") == [
        "collectivite.yaml:2:soustype: sous-type « communauté » inconnu (attendu : epci_a_fiscalite_propre, "
        "syndicat ou pole)"]
    assert problems("nom: S\ntype: syndicat\nsoustype: pole\n") == [
        "collectivite.yaml:3:soustype: sous-type « pole » incohérent avec le type syndicat (un syndicat a le "
        "sous-type syndicat)"]
    profile = read("nom: S\ntype: EPCI\nsoustype: pole\n")
    assert read(profile_to_yaml(profile)) == profile


def test_read_profile_missing_or_empty_nom_and_bad_population():
    assert problems("type: EPCI\npopulation: 12.5\n") == [
        "collectivite.yaml:2:population: population « 12.5 » illisible (attendu : un nombre entier "
        "d'habitants, par exemple 105000)",
        "collectivite.yaml::nom: nom de la collectivité manquant",
    ]
    assert problems("nom:\nnom: B\n") == [
        "collectivite.yaml:1:nom: nom de la collectivité vide",
        "collectivite.yaml:2:nom: clé en double (déjà donnée ligne 1)",
    ]
    assert problems("nom: [a, b]\nreponses: oui\n") == [
        "collectivite.yaml:1:nom: une seule valeur est attendue, pas une liste ni un dictionnaire",
        "collectivite.yaml:2:reponses: les réponses doivent être des lignes « question: réponse » "
        "indentées sous « reponses: »",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("nom: X\ntype: EPCI: grand\n",
     "collectivite.yaml:2:11: YAML illisible : « : » inattendu (une valeur contenant « : » doit être "
     "entre guillemets, ou l'indentation est décalée)"),
    ("nom: X\nreponses:\n\tAOM_1: oui\n",
     "collectivite.yaml:3:1: YAML illisible : caractère interdit à cet endroit (les tabulations sont "
     "interdites en YAML : indentez avec des espaces)"),
    ("nom: \"X\n", "collectivite.yaml:2:1: YAML illisible : guillemet ou crochet jamais fermé"),
    ("", "collectivite.yaml::: fichier vide : au moins « nom: … » est attendu"),
    ("- nom\n- type\n", "collectivite.yaml:1:: le fichier doit être une suite de lignes « clé: valeur » "
                        "(nom, type, population, localisation, reponses)"),
])
def test_bad_yaml_is_reported_in_french_with_its_line(text, message):
    assert problems(text) == [message]


def test_profile_yaml_round_trip():
    profile = Profile(nom="Métropole « Exemple »: test", type="commune", population=8000,
                      localisation="DOM",
                      reponses={"AOM_1": "NON", "voirie_1": "voirie_1_c", "habitat_2": 0.4, "SCoT": "OUI"})
    text = profile_to_yaml(profile)
    assert "AOM_1: non\n" in text and "habitat_2: 0.4\n" in text
    assert read(text) == profile
    assert read(profile_to_yaml(Profile("X"))) == Profile("X")


@pytest.mark.shared("referentiels/questions", "formats/scoring-examples")
def test_the_eight_scoring_examples_profiles_are_valid():
    folder = EXAMPLES
    paths = sorted(folder.glob("*/collectivite.yaml"))
    assert len(paths) == 8
    questions = real_questions()
    profiles = {p.parent.name: read_profile(p.read_bytes(), "collectivite.yaml", questions) for p in paths}
    commune = profiles["04-commune-dom-personnalisation"]
    assert (commune.type, commune.population, commune.localisation) == ("commune", 8000, "DOM")
    assert commune.reponses["habitat_2"] == 0.4 and commune.reponses["AOM_1"] == "NON"
    assert commune.reponses["voirie_1"] == "voirie_1_a"
    assert profiles["02-taches-non-concernees"].reponses == {}


# ---------------------------------------------------------------- official rules on profiles


def personnalise(profiles: list[Profile]) -> pd.DataFrame:
    return evaluate_personnalisation(official_rules(), profiles).set_index(["subject", "action_id"])


@pytest.mark.shared("referentiels")
def test_desactivation_of_the_pcaet_obligation():
    table = personnalise([
        Profile("commune", type="commune", population=15000),
        Profile("petit EPCI", type="EPCI", population=15000),
        Profile("grand EPCI", type="EPCI", population=105000),
        Profile("EPCI de 20000 pile", type="EPCI", population=20000),
        Profile("inconnu"),
    ])
    assert [table.loc[(i, "1.1.2.0.1"), "desactive"] for i in range(5)] == [True, True, False, False, False]
    # 1.1.2.0.1 has no reduction rule: no change.
    assert np.isnan(table.loc[(0, "1.1.2.0.1"), "reduction"])
    # 1.1.2.2 × 5/4 for an EPCI above 20 000 only.
    assert table.loc[(2, "1.1.2.2"), "reduction"] == 1.25
    assert np.isnan(table.loc[(3, "1.1.2.2"), "reduction"])


@pytest.mark.shared("referentiels")
def test_reduction_of_1_2_2_with_aom_answers():
    table = personnalise([
        Profile("a", reponses={"AOM_1": "NON", "centre_urbain": "NON"}),
        Profile("b", reponses={"AOM_1": "NON", "centre_urbain": "OUI"}),
        Profile("c", reponses={"AOM_1": "OUI", "centre_urbain": "NON"}),
        Profile("d"),
    ])
    reductions = [table.loc[(i, "1.2.2"), "reduction"] for i in range(4)]
    assert reductions[0] == pytest.approx(2 / 12) and reductions[0] == pytest.approx(0.1667, abs=1e-4)
    assert reductions[1] == 0.5
    assert np.isnan(reductions[2]) and np.isnan(reductions[3])


@pytest.mark.shared("referentiels")
def test_reduction_of_1_2_4_with_habitat_answers():
    table = personnalise([
        Profile("commune 0.4", type="commune", reponses={"habitat_2": 0.4}),
        Profile("commune 0.8", type="commune", reponses={"habitat_2": 0.8}),
        Profile("commune sans réponse", type="commune"),
        Profile("EPCI sans habitat", type="EPCI", reponses={"habitat_1": "NON"}),
        Profile("EPCI avec habitat", type="EPCI", reponses={"habitat_1": "OUI"}),
    ])
    reductions = [table.loc[(i, "1.2.4"), "reduction"] for i in range(5)]
    assert reductions[0] == 0.5  # max(0.4, 0.5)
    assert reductions[1] == 0.8
    assert np.isnan(reductions[2])  # no answer: the rule has no value
    assert reductions[3] == pytest.approx(8 / 12)
    assert np.isnan(reductions[4])


@pytest.mark.shared("referentiels")
def test_reduction_of_1_2_3_with_the_three_dechets_answers():
    def dechets(a, b, c):
        return {k: v for k, v in zip(("dechets_1", "dechets_2", "dechets_3"), (a, b, c)) if v}

    table = personnalise([
        Profile("toutes", reponses=dechets("OUI", "OUI", "OUI")),
        Profile("aucune", reponses=dechets("NON", "NON", "NON")),
        Profile("partielle", reponses=dechets("OUI", "OUI", "NON")),
        Profile("une seule réponse oui", reponses=dechets("OUI", None, None)),
        Profile("une seule réponse non", reponses=dechets(None, "NON", None)),
    ])
    reductions = [table.loc[(i, "1.2.3"), "reduction"] for i in range(5)]
    assert reductions[:3] == [1.0, 0.2, 0.75]
    assert np.isnan(reductions[3])
    assert reductions[4] == 0.75
    # 1.2.3.1.5 is désactivée when the collectivity has no treatment competence.
    assert [table.loc[(i, "1.2.3.1.5"), "desactive"] for i in range(5)] == [False, True, False, False, True]


@pytest.mark.shared("referentiels")
def test_final_sinon_of_2_3_1():
    table = personnalise([
        Profile("EPCI b", type="EPCI", reponses={"EP_1": "EP_1_b", "EP_2": 0.9}),
        Profile("commune", type="commune", reponses={"EP_1": "EP_1_b", "EP_2": 0.6}),
        Profile("commune sans EP_2", type="commune"),
    ])
    reductions = [table.loc[(i, "2.3.1"), "reduction"] for i in range(3)]
    assert reductions[0] == pytest.approx(2 / 6)
    assert reductions[1] == 0.6
    assert np.isnan(reductions[2])


@pytest.mark.shared("referentiels")
def test_one_row_per_profile_and_node_with_a_reduction_or_desactivation():
    rules = official_rules()
    table = evaluate_personnalisation(rules, [Profile("a"), Profile("b", type="commune")])
    assert list(table.columns) == ["subject", "action_id", "reduction", "desactive"]
    assert table["desactive"].dtype == bool and table["reduction"].dtype == np.float64
    nodes = {a.removeprefix("cae_") for a, k in zip(rules["action_id"], rules["kind"]) if k != "score"}
    assert set(table["action_id"]) == nodes
    assert len(table) == 2 * len(nodes)
    assert not table.duplicated(["subject", "action_id"]).any()
    assert table["subject"].tolist() == [0] * len(nodes) + [1] * len(nodes)


def test_evaluate_personnalisation_without_official_files():
    rules = pd.DataFrame([
        {"action_id": "cae_9.1", "kind": "reduction", "expression": "si identite(type, commune) alors 3/4",
         "description": "", "source_file": "r.md", "source_line": 1},
        {"action_id": "cae_9.2", "kind": "desactivation", "expression": "reponse(AOM_1, NON)",
         "description": "", "source_file": "r.md", "source_line": 5},
        {"action_id": "cae_9.3", "kind": "score", "expression": "score(cae_9.1)",
         "description": "", "source_file": "r.md", "source_line": 9},
    ])
    profiles = [Profile("a", type="commune", reponses={"AOM_1": "NON"}), Profile("b", type="EPCI")]
    table = evaluate_personnalisation(rules, profiles)
    assert table["action_id"].tolist() == ["9.1", "9.2", "9.1", "9.2"]
    assert table["subject"].tolist() == [0, 0, 1, 1]
    np.testing.assert_array_equal(table["reduction"], [0.75, np.nan, np.nan, np.nan])
    assert table["desactive"].tolist() == [False, True, False, False]
    assert evaluate_personnalisation(rules, []).empty
