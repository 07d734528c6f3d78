"""The personnalisation rule language: parsing every official rule, vectorised evaluation,
and French error messages."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest
from support.shared import REFERENTIELS, shared_path

from cae_data.errors import InvalidInput
from cae_data.personnalisation.rules import RuleSyntaxError, parse_rule, parse_rules

KIND_HEADINGS = {"désactivation": "desactivation", "réduction de potentiel": "reduction",
                 "score réalisé": "score"}


def personnalisation_rules() -> pd.DataFrame:
    """Rules of the ADEME personnalisation markdown, read the simple way (tests only)."""
    folder = shared_path("referentiels/personnalisations")
    rows = []
    for path in sorted(folder.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        action_id, kind, i = None, None, 0
        while i < len(lines):
            line = lines[i]
            if match := re.match(r"action_id:\s*(\S+)", line):
                action_id = match.group(1)
            elif line.startswith("### "):
                kind = KIND_HEADINGS[line[4:].strip().lower()]
            elif line.strip() == "```formule":
                start = i + 1
                end = lines.index("```", start)
                rows.append({"action_id": action_id, "kind": kind,
                             "expression": "\n".join(lines[start:end]), "description": "",
                             "source_file": path.name, "source_line": start + 1})
                i = end
            i += 1
    return pd.DataFrame(rows)


def csv_rules() -> list[tuple[str, str, str]]:
    path = shared_path("referentiels/cae-structure.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["identifiant"], kind, row[kind]) for row in csv.DictReader(handle)
                for kind in ("desactivation", "reduction", "score") if row[kind].strip()]


class FakeContext:
    """A RuleContext over n subjects given as plain columns."""

    def __init__(self, size, identite=None, answers=None, values=None, scores=None):
        self.size = size
        self._identite = identite or {}
        self._answers = answers or {}
        self._values = values or {}
        self._scores = scores or {}
        self.score_calls = []

    def identite(self, field, value):
        return np.array(self._identite.get((field, value), [False] * self.size), dtype=bool)

    def reponse_equals(self, question, value):
        answers = self._answers.get(question, [None] * self.size)
        return np.array([a is not None and a.upper() == value.upper() for a in answers])

    def reponse_value(self, question):
        return np.array(self._values.get(question, [np.nan] * self.size), dtype=float)

    def score(self, action_id):
        self.score_calls.append(action_id)
        return np.array(self._scores[action_id], dtype=float)


def values(text, ctx=None):
    return parse_rule(text).evaluate(ctx or FakeContext(1))


# ---------------------------------------------------------------- official rules


@pytest.mark.shared("referentiels")
def test_every_rule_of_the_personnalisation_folder_parses():
    rules = personnalisation_rules()
    # 39 désactivations, 54 réductions and 1 score rule in the five files.
    assert rules["kind"].value_counts().to_dict() == {"reduction": 54, "desactivation": 39, "score": 1}
    parsed = parse_rules(rules)
    assert len(parsed) == 94
    assert parsed[("3.3.5", "score")].score_refs() == {"1.2.3", "3.3.5"}
    assert parsed[("1.2.3", "reduction")].questions() == {"dechets_1", "dechets_2", "dechets_3"}
    # The rule whose `reponse` and `(` are on two lines.
    assert "trafic" in parsed[("4.2.2", "reduction")].questions()


@pytest.mark.shared("referentiels")
def test_every_rule_of_the_structure_csv_parses():
    rules = csv_rules()
    # The CSV has the same rules as the markdown but for the désactivation of 2.3.1.
    assert len(rules) == 93
    for action_id, kind, text in rules:
        parse_rule(text, action_id, kind)


@pytest.mark.shared("referentiels")
def test_official_rules_name_only_existing_questions_and_choices():
    folder = REFERENTIELS / "questions"
    known: dict[str, set[str]] = {}
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
            if m := re.search(r"^id:\s*(\S+)", block, re.M):
                qid = m.group(1)
                if t := re.search(r"^type:\s*(\S+)", block, re.M):
                    known[qid] = {"OUI", "NON"} if t.group(1) == "binaire" else set()
                    current = qid
                else:  # a choice of the current question
                    known[current].add(qid.upper())
    from cae_data.personnalisation.rules import ReponseEquals
    for rule in parse_rules(personnalisation_rules()).values():
        assert rule.questions() <= set(known), rule.text
        for node in rule.root.walk():
            if isinstance(node, ReponseEquals):
                assert node.value.upper() in known[node.question], rule.text


# ---------------------------------------------------------------- evaluation


def test_arithmetic_and_precedence():
    assert values("1 + 2 * 3")[0] == 7
    assert values("(1 + 2) * 3")[0] == 9
    assert values("2/12")[0] == pytest.approx(0.16666666)
    assert values("0.4/0.3")[0] == pytest.approx(1.3333333)
    assert values("10 - 4 - 3")[0] == 3  # left-associative
    assert values("12 / 4 / 3")[0] == 1
    assert values("-0.5 + 1")[0] == 0.5
    assert values("min(0.7, 0.2, 0.5)")[0] == 0.2
    assert values("max(0.2, 2/8)")[0] == 0.25
    assert values("VRAI")[0] == 1.0 and values("faux")[0] == 0.0


def test_et_binds_tighter_than_ou():
    # (VRAI ou FAUX) et FAUX would be false.
    assert values("VRAI ou FAUX et FAUX")[0] == 1.0
    assert values("(VRAI ou FAUX) et FAUX")[0] == 0.0


def test_division_by_zero_gives_no_value():
    assert np.isnan(values("1/0")[0])
    assert values("0/6")[0] == 0.0


def test_conditional_is_vectorised_over_subjects():
    ctx = FakeContext(4, answers={"q": ["OUI", "non", None, "NON"], "r": [None, "oui", None, None]})
    rule = parse_rule("si reponse(q, OUI) alors 1 sinon si reponse(r, OUI) alors 2\nsinon si reponse(q, NON) alors 3")
    result = rule.evaluate(ctx)
    # subject 1 answered q=non but r=oui: the first matching branch (2) wins over the third.
    np.testing.assert_array_equal(result, [1.0, 2.0, np.nan, 3.0])


def test_final_sinon_and_branches_on_one_line():
    ctx = FakeContext(3, answers={"q": ["oui", "non", None]}, values={"p": [0.1, 0.2, np.nan]})
    result = parse_rule("si reponse(q, OUI) alors 0.5 sinon reponse(p)").evaluate(ctx)
    np.testing.assert_array_equal(result, [0.5, 0.2, np.nan])


def test_keywords_and_functions_in_any_case_with_loose_spaces():
    ctx = FakeContext(2, answers={"AOM_1": ["NON", "OUI"]})
    rule = parse_rule("  SI Reponse (AOM_1, non) ALORS 6/12 Sinon 1 \n\n")
    np.testing.assert_array_equal(rule.evaluate(ctx), [0.5, 1.0])
    # A line break between the function name and its parenthesis.
    rule = parse_rule("si reponse\n(AOM_1, NON) alors 2")
    np.testing.assert_array_equal(rule.evaluate(ctx), [2.0, np.nan])


def test_missing_proportion_gives_the_rule_no_value():
    ctx = FakeContext(3, values={"habitat_2": [0.4, 0.8, np.nan]})
    result = parse_rule("max (reponse(habitat_2), 0.5)").evaluate(ctx)
    np.testing.assert_array_equal(result, [0.5, 0.8, np.nan])
    result = parse_rule("max(reponse(habitat_2), 2/10) + 1/10").evaluate(ctx)
    np.testing.assert_allclose(result, [0.5, 0.9, np.nan])


def test_a_condition_without_value_counts_as_false():
    ctx = FakeContext(3, values={"p": [0.3, 0.0, np.nan]})
    result = parse_rule("si reponse(p) alors 1 sinon 2").evaluate(ctx)
    np.testing.assert_array_equal(result, [1.0, 2.0, 2.0])
    result = parse_rule("reponse(p) ou FAUX").evaluate(ctx)
    np.testing.assert_array_equal(result, [1.0, 0.0, 0.0])


def test_identite_and_bare_boolean_rules():
    ctx = FakeContext(3, identite={("type", "EPCI"): [True, False, False],
                                   ("population", "plus_de_20000"): [True, True, False]})
    rule = parse_rule("identite(type, epci) et identite(population, PLUS_DE_20000)")
    np.testing.assert_array_equal(rule.evaluate(ctx), [1.0, 0.0, 0.0])
    # Values are canonicalised (epci → EPCI) before they reach the context.
    assert rule.root.left.value == "EPCI"


def test_score_strips_the_referential_prefix():
    ctx = FakeContext(2, scores={"1.2.3": [0.4, 0.9], "3.3.5": [0.6, 0.5]})
    rule = parse_rule("min(score(cae_1.2.3), score(cae_3.3.5))")
    np.testing.assert_array_equal(rule.evaluate(ctx), [0.4, 0.5])
    assert ctx.score_calls == ["1.2.3", "3.3.5"]
    assert rule.score_refs() == {"1.2.3", "3.3.5"}
    assert rule.questions() == set()


def test_questions_helper_and_text():
    rule = parse_rule("si reponse(a, OUI) et reponse(b) alors max(reponse(c), 1)", "1.2", "reduction")
    assert rule.questions() == {"a", "b", "c"}
    assert rule.text.startswith("si reponse(a")
    assert (rule.action_id, rule.kind) == ("1.2", "reduction")


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(("text", "message"), [
    ("si identite(type EPCI alors 2",
     "règle de réduction de 1.2.4 illisible : « si identite(type EPCI alors 2 » — "
     "« , » attendu après « type » (colonne 17)"),
    ("max(reponse(habitat_2), 0.5",
     "règle de réduction de 1.2.4 illisible : « max(reponse(habitat_2), 0.5 » — parenthèse ouverte "
     "colonne 4 jamais fermée : « , » ou « ) » attendu après « 0.5 » (colonne 28)"),
    ("max(reponse(habitat_2), 0.5))",
     "règle de réduction de 1.2.4 illisible : « max(reponse(habitat_2), 0.5)) » — parenthèse « ) » "
     "fermée sans avoir été ouverte (colonne 29)"),
    ("si plafond(0.5) alors 1",
     "règle de réduction de 1.2.4 illisible : « si plafond(0.5) alors 1 » — fonction inconnue "
     "« plafond » (attendu : identite, reponse, score, min, max) (colonne 4)"),
    ("si reponse(AOM_1, NON) 0.5",
     "règle de réduction de 1.2.4 illisible : « si reponse(AOM_1, NON) 0.5 » — « alors » attendu "
     "après « ) » (colonne 23)"),
    ("", "règle de réduction de 1.2.4 illisible : «  » — la règle est vide"),
    ("  \n ", "règle de réduction de 1.2.4 illisible : «  » — la règle est vide"),
    ("si VRAI alors 0,5",
     "règle de réduction de 1.2.4 illisible : « si VRAI alors 0,5 » — virgule décimale non permise "
     "dans une règle (écrire « 0.5 ») (colonne 16)"),
    ("identite(type, mairie)",
     "règle de réduction de 1.2.4 illisible : « identite(type, mairie) » — valeur « mairie » inconnue "
     "pour type (attendu : EPCI, commune, syndicat) (colonne 16)"),
    ("reponse(a, b, c)",
     "règle de réduction de 1.2.4 illisible : « reponse(a, b, c) » — reponse() demande 1 ou 2 "
     "arguments, 3 donnés (colonne 1)"),
    ("score(cae_1.2.3 cae_1.2.4)",
     "règle de réduction de 1.2.4 illisible : « score(cae_1.2.3 cae_1.2.4) » — « ) » attendu après "
     "« cae_1.2.3 » (colonne 16)"),
    ("si reponse(a, OUI) alors 1\nsinon si reponse(b, OUI) alors",
     "règle de réduction de 1.2.4 illisible : « si reponse(a, OUI) alors 1 | sinon si reponse(b, OUI) "
     "alors » — expression attendue après « alors » (ligne 2, colonne 31)"),
    ("0.5 ; 1",
     "règle de réduction de 1.2.4 illisible : « 0.5 ; 1 » — caractère inattendu « ; » (colonne 5)"),
])
def test_malformed_rules_have_a_french_message_naming_node_and_text(text, message):
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule(text, "1.2.4", "reduction")
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_error_message_without_node_or_kind():
    with pytest.raises(RuleSyntaxError, match=r"^règle de désactivation illisible : « alors »"):
        parse_rule("alors", kind="desactivation")
    with pytest.raises(RuleSyntaxError, match=r"^règle illisible : « x » — mot inconnu « x »"):
        parse_rule("x")


def test_error_position_is_kept():
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule("si VRAI alors 1\nsinon si FAUX alors foo(2)")
    assert (caught.value.line, caught.value.column) == (2, 21)


def _rules(rows):
    return pd.DataFrame([{"description": "", "source_file": "cae_9.md", **row} for row in rows])


def test_parse_rules_reports_every_problem_at_once():
    rules = _rules([
        {"action_id": "cae_1.2.4", "kind": "reduction", "expression": "max(reponse(x), 0.5",
         "source_line": 12},
        {"action_id": "cae_1.2.5", "kind": "reduction", "expression": "0.5", "source_line": 20},
        {"action_id": "cae_1.2.5", "kind": "reduction", "expression": "0.7", "source_line": 30},
        {"action_id": "cae_1.2.6", "kind": "desactivation", "expression": "score(cae_1.2.3)",
         "source_line": 40},
        {"action_id": "cae_1.2.7", "kind": "bonus", "expression": "1", "source_line": 50},
        {"action_id": "cae_1.2.8", "kind": "score", "expression": "min(score(cae_1.2.3), 1)",
         "source_line": 60},
    ])
    with pytest.raises(InvalidInput) as caught:
        parse_rules(rules)
    assert [str(p) for p in caught.value.problems] == [
        "cae_9.md:12:reduction: règle de réduction de 1.2.4 illisible : « max(reponse(x), 0.5 » — "
        "parenthèse ouverte colonne 4 jamais fermée : « , » ou « ) » attendu après « 0.5 » (colonne 20)",
        "cae_9.md:30:reduction: règle de réduction de 1.2.5 donnée deux fois (première ligne 20)",
        "cae_9.md:40:desactivation: règle de désactivation de 1.2.6 : score() n'est permis que dans "
        "une règle de score",
        "cae_9.md:50:bonus: règle de 1.2.7 : sorte de règle « bonus » inconnue (attendu : reduction, "
        "desactivation ou score)",
    ]


def test_parse_rules_keys_by_unprefixed_id_and_kind():
    rules = _rules([
        {"action_id": "cae_1.2.4", "kind": "reduction", "expression": "0.5", "source_line": 1},
        {"action_id": "1.2.4", "kind": "desactivation", "expression": "FAUX", "source_line": 2},
    ])
    parsed = parse_rules(rules)
    assert set(parsed) == {("1.2.4", "reduction"), ("1.2.4", "desactivation")}
    assert parsed[("1.2.4", "reduction")].evaluate(FakeContext(2)).tolist() == [0.5, 0.5]


# --- comparisons, soustype, score indicatif formulas (TE) --------------------------------------

def test_comparisons_give_one_zero_or_no_value():
    ctx = FakeContext(3, values={"part": [0.2, 0.5, np.nan]})
    # 0.2 < 0.5 → 1; 0.5 < 0.5 → 0; no answer → no value (and the condition is then false)
    np.testing.assert_array_equal(parse_rule("reponse(part) < 0.5").evaluate(ctx), [1.0, 0.0, np.nan])
    np.testing.assert_array_equal(parse_rule("reponse(part) <= 0.5").evaluate(ctx), [1.0, 1.0, np.nan])
    np.testing.assert_array_equal(parse_rule("reponse(part) = 0.5").evaluate(ctx), [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(parse_rule("si reponse(part) >= 0.5 alors 2 sinon 3").evaluate(ctx),
                                  [3.0, 2.0, 3.0])
    # comparisons bind looser than arithmetic and tighter than et: 1 + 1 > 1 et 2 * 2 = 4
    assert values("1 + 1 > 1 et 2 * 2 = 4")[0] == 1.0
    assert values("2 > 3 ou 1 < 0")[0] == 0.0


def test_soustype_and_the_platform_rewrite_of_type_syndicat():
    rule = parse_rule("si identite(soustype, syndicat) alors VRAI sinon FAUX")
    assert rule.root.branches[0][0].field == "soustype"
    # identite(type, syndicat) is read as identite(soustype, syndicat), as the platform imports it
    assert parse_rule("identite(type, Syndicat)").root.field == "soustype"
    assert parse_rule("identite(soustype, Pole)").root.value == "pole"
    from cae_data.personnalisation.profile import Profile, ProfileContext

    ctx = ProfileContext([Profile(nom="a", type="syndicat"), Profile(nom="b", type="EPCI", soustype="syndicat"),
                          Profile(nom="c", type="EPCI"), Profile(nom="d", type="EPCI", soustype="pole")])
    np.testing.assert_array_equal(parse_rule("identite(soustype, syndicat)").evaluate(ctx), [1, 1, 0, 0])
    np.testing.assert_array_equal(parse_rule("identite(type, syndicat)").evaluate(ctx), [1, 1, 0, 0])
    np.testing.assert_array_equal(parse_rule("identite(type, EPCI)").evaluate(ctx), [0, 1, 1, 1])
    np.testing.assert_array_equal(parse_rule("identite(soustype, pole)").evaluate(ctx), [0, 0, 0, 1])
    with pytest.raises(RuleSyntaxError, match="valeur « ville » inconnue pour soustype"):
        parse_rule("identite(soustype, ville)")


def test_indicateur_functions_only_in_score_indicatif_formulas():
    formula = parse_rule("si val(cae_15.a_dom) > cible(cae_15.a_dom) alors 1 sinon opt_val(te_6) / limite(te_6)",
                         "2.1.1.7.a", "indicatif")
    assert formula.kind == "indicatif"
    # indicator ids may hold hyphens (CAE's cae_49.f-hab); a minus between values stays one
    hyphen = parse_rule("val(cae_49.f-hab) - 1", "4.3.2.3.3", "indicatif").root
    assert hyphen.left.indicateur == "cae_49.f-hab" and hyphen.op == "-"
    assert values("3-1")[0] == 2.0
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule("si val(cae_18) > 2 alors 0.5", "1.2.4", "reduction")
    assert str(caught.value) == (
        "règle de réduction de 1.2.4 illisible : « si val(cae_18) > 2 alors 0.5 » — fonction inconnue « val » "
        "(attendu : identite, reponse, score, min, max) (colonne 4)")
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule("score(cae_1.2.3) > 0.5", "2.2.3.4", "indicatif")
    assert str(caught.value).startswith("formule du score indicatif de 2.2.3.4 illisible : « score(cae_1.2.3) > 0.5 »"
                                        " — fonction inconnue « score » (attendu : val, opt_val, cible, limite")


@pytest.mark.shared("referentiels/te-structure.csv")
def test_every_rule_and_formula_of_the_te_structure_file_parses():
    path = REFERENTIELS / "te-structure.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rules = [(row["Identifiant"], row["Desactivation"]) for row in rows if row["Desactivation"].strip()]
    formulas = [(row["Identifiant"], row["exprScore"]) for row in rows if row["exprScore"].strip()]
    assert (len(rules), len(formulas)) == (173, 31)
    for action_id, text in rules:
        parse_rule(text, action_id, "desactivation")
    for action_id, text in formulas:
        parse_rule(text, action_id, "indicatif")
