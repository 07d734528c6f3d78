"""The platform's question files (questions.csv, choices.csv, thematiques.csv, competences.csv):
choices, order, visibility rule, collectivity types, and the questions a profile is asked.

`questions-plateforme-mini/` is an invented set in the platform's format; the official files
are read from ../shared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.shared import REFERENTIELS

from cae_data.errors import InvalidInput, ProblemCollector
from cae_data.personnalisation.profile import Profile, read_profile
from cae_data.personnalisation.questions import questions_applicables
from cae_data.referentiel.loader import read_referentiel
from cae_data.referentiel.model import ALL_QUESTION_COLUMNS, RULE_COLUMNS
from cae_data.referentiel.questions_plateforme import questions_for_referentiel, read_platform_questions

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"
MINI = FIXTURES / "questions-plateforme-mini"


def read_mini():
    problems, warnings = ProblemCollector(), ProblemCollector()
    table = read_platform_questions(MINI, problems, warnings)
    assert not problems
    return table, [str(w) for w in warnings.problems]


def test_platform_files_read_with_choices_order_and_rules():
    table, warnings = read_mini()
    assert list(table.columns) == ALL_QUESTION_COLUMNS
    questions = table.set_index("question_id")
    # form order: thematiques.csv order (deplacer, loger, planifier, then unknown produire),
    # then ordonnancement (empty last), then file order
    assert table.sort_values("ordre")["question_id"].tolist() == [
        "voirie", "AOM_2", "AOM_1", "habitat_2", "PCAET_1", "PCAET_2", "dev_eco_1"]
    assert [c["id"] for c in questions.loc["voirie", "choix"]] == ["voirie_a", "voirie_b", "voirie_c"]
    assert questions.loc["voirie", "choix"][1] == {"id": "voirie_b", "label": "Oui partiellement"}
    assert questions.loc["PCAET_2", "expr_visible"] == "Si reponse(PCAET_1, NON) alors VRAI"
    assert questions.loc["AOM_2", "types_collectivites"] == ["epci"]
    assert questions.loc["PCAET_1", "types_collectivites"] == []
    assert questions.loc["PCAET_1", "titre"] == "La collectivité est-elle obligée de réaliser un PCAET ?"
    assert questions.loc["PCAET_1", "description"] == (
        "Obligation légale au-delà de 20 000 habitants.\n\n**Justification attendue** : Délibération")
    assert questions.loc["PCAET_1", "competence"] == "Plan climat-air-énergie territorial"
    assert questions.loc["AOM_1", "thematique"] == "Se déplacer"
    assert questions.loc["AOM_2", "type"] == "proportion"
    assert warnings == [
        "questions.csv:4:competenceCode: compétence « 6040 » absente de competences.csv pour « voirie »",
        "questions.csv:8:thematiqueId: thématique « produire » absente de thematiques.csv pour « dev_eco_1 »",
        "questions.csv:8:competenceCode: compétence « 4000 » absente de competences.csv pour « dev_eco_1 »",
        "choices.csv:5:questionId: choix « trafic_a » d'une question inconnue « trafic » : il n'est pas lu",
    ]


def test_platform_file_refusals(tmp_path):
    for name in ("choices.csv", "thematiques.csv", "competences.csv"):
        (tmp_path / name).write_bytes((MINI / name).read_bytes())
    text = (MINI / "questions.csv").read_text(encoding="utf-8")
    text = text.replace("voirie,6040,La collectivité a-t-elle la compétence voirie ?,,choix",
                        "voirie,6040,La collectivité a-t-elle la compétence voirie ?,,liste")
    text = text.replace('"Si reponse(AOM_1, NON) alors VRAI"', '"Si reponse(AOM_1, NON) alors"')
    text += "PCAET_1,,Doublon,,binaire,planifier,3,,,,\n"
    (tmp_path / "questions.csv").write_text(text, encoding="utf-8")
    problems, warnings = ProblemCollector(), ProblemCollector()
    read_platform_questions(tmp_path, problems, warnings)
    assert [str(p) for p in problems.problems] == [
        "questions.csv:4:type: type de question « liste » inconnu pour « voirie » (attendu : binaire, choix ou "
        "proportion)",
        "questions.csv:5:exprVisible: règle de visibilité de AOM_2 illisible : « Si reponse(AOM_1, NON) alors » — "
        "expression attendue après « alors » (colonne 29)",
        "questions.csv:9:id: question en double « PCAET_1 » (déjà définie ligne 3)",
    ]
    # a missing required file is a refusal through the loader too
    (tmp_path / "choices.csv").unlink()
    with pytest.raises(InvalidInput, match="fichier de questions manquant"):
        read_referentiel(FIXTURES / "te-mini-structure.csv", nom="te", questions=tmp_path)


def test_questions_kept_for_a_referential_follow_its_rules():
    table, _ = read_mini()
    rules = pd.DataFrame([
        ["1.2", "reduction", "si reponse(AOM_2) > 0.5 alors 0.5", "", "r.csv", 4],
        ["1.3", "desactivation", "reponse(voirie, voirie_c) ou reponse(question_absente, OUI)", "", "r.csv", 7],
    ], columns=RULE_COLUMNS)
    nodes = pd.DataFrame({"action_id": ["1.4"], "questions_personnalisation": [["habitat_2"]],
                          "source_file": ["r.csv"], "source_line": [9]})
    warnings = ProblemCollector()
    kept = questions_for_referentiel(table, "essai", rules, nodes, warnings)
    # AOM_2 is read by a rule, AOM_1 by AOM_2's visibility rule, voirie by a rule, habitat_2 by a node
    assert kept["question_id"].tolist() == ["voirie", "AOM_2", "AOM_1", "habitat_2"]
    assert kept.set_index("question_id")["actions"].to_dict() == {
        "voirie": ["essai_1.3"], "AOM_2": ["essai_1.2"], "AOM_1": [], "habitat_2": ["essai_1.4"]}
    assert [str(w) for w in warnings.problems] == [
        "r.csv:7:desactivation: la règle de desactivation de « 1.3 » lit la question « question_absente » absente "
        "des fichiers de questions"]


def test_loader_accepts_either_kind_of_question_folder():
    te = read_referentiel(FIXTURES / "te-mini-structure.csv", nom="te", questions=MINI)
    assert te.questions["question_id"].tolist() == ["PCAET_1"]   # the only question its rules read
    assert te.questions.iloc[0]["actions"] == ["te_1.1.1", "te_1.1.1alter"]
    velo = read_referentiel(FIXTURES / "velo-structure.csv", questions=FIXTURES / "velo" / "questions")
    assert velo.questions["question_id"].tolist() == ["voirie_velo", "ecoles_velo"]
    assert velo.questions["ordre"].tolist() == [0, 1]


# --- the questions a profile is asked -----------------------------------------------------------

def asked(profile: Profile) -> list[str]:
    table, _ = read_mini()
    return questions_applicables(table, profile)["question_id"].tolist()


def test_questions_applicables_by_type_visibility_and_order():
    # a commune: AOM_2 concerns EPCI only; PCAET_2 shows only once PCAET_1 is answered NON
    assert asked(Profile(nom="C", type="commune")) == ["voirie", "AOM_1", "habitat_2", "PCAET_1", "dev_eco_1"]
    epci = Profile(nom="E", type="EPCI", reponses={"AOM_1": "NON", "PCAET_1": "NON"})
    assert asked(epci) == ["voirie", "AOM_2", "AOM_1", "PCAET_1", "PCAET_2", "dev_eco_1"]
    # answered OUI: the follow-up questions stay hidden
    assert "PCAET_2" not in asked(Profile(nom="E", type="EPCI", reponses={"PCAET_1": "OUI"}))
    # a syndicat is an EPCI on the platform: asked the EPCI questions
    assert "AOM_2" in asked(Profile(nom="S", type="syndicat", reponses={"AOM_1": "NON"}))
    # unknown type: every type's questions
    assert asked(Profile(nom="X", reponses={"AOM_1": "NON"})) == [
        "voirie", "AOM_2", "AOM_1", "habitat_2", "PCAET_1", "dev_eco_1"]


def test_profile_with_answers_for_every_referential_loads_with_warnings_only():
    te = read_referentiel(FIXTURES / "te-mini-structure.csv", nom="te", questions=MINI)
    profile = read_profile(
        b"nom: CAPSO\ntype: EPCI\nsoustype: epci_a_fiscalite_propre\nreponses:\n"
        b"  PCAET_1: non\n  AOM_1: oui\n  habitat_2: 0.3\n", "capso.yaml", te.questions)
    assert profile.reponses == {"PCAET_1": "NON", "AOM_1": "OUI", "habitat_2": 0.3}
    assert [w.column for w in profile.warnings] == ["reponses.AOM_1", "reponses.habitat_2"]
    with pytest.raises(InvalidInput, match="réponse « peut-être » non permise"):
        read_profile("nom: X\nreponses:\n  PCAET_1: peut-être\n".encode(), "x.yaml", te.questions)


@pytest.mark.shared("referentiels/questions-plateforme")
def test_official_platform_questions():
    problems, warnings = ProblemCollector(), ProblemCollector()
    table = read_platform_questions(REFERENTIELS / "questions-plateforme", problems, warnings)
    assert not problems and not warnings.problems
    assert len(table) == 103
    assert table["type"].value_counts().to_dict() == {"binaire": 91, "proportion": 8, "choix": 4}  # grep -c ",proportion," …
    questions = table.set_index("question_id")
    assert [c["id"] for c in questions.loc["EP_1", "choix"]] == ["EP_1_a", "EP_1_b", "EP_1_c"]
    assert questions.loc["voirie_2", "types_collectivites"] == ["commune"]
    assert questions.loc["Deblais", "expr_visible"].startswith("Si reponse(dechets_1, OUI) alors VRAI")
    # a commune that has not answered dev_eco_1 is not asked dev_eco_2 (shown when it is NON)
    commune = questions_applicables(table, Profile(nom="C", type="commune"))
    assert "dev_eco_2" not in set(commune["question_id"]) and "voirie_2" in set(commune["question_id"])
    assert "dev_eco_2" in set(questions_applicables(
        table, Profile(nom="C", type="commune", reponses={"dev_eco_1": "NON"}))["question_id"])
