"""Reading and validating evaluation files (evaluation-csv.md): every expectation is written by hand."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import openpyxl
import pytest

from cae_data.errors import InvalidInput
from cae_data.evaluation import ROW_COLUMNS, STATUTS, read_evaluation
from cae_data.tabular import read_table

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "evaluations"
from support.shared import EXAMPLES, SHARED, shared_path

STRUCTURE = SHARED / "referentiels" / "cae-structure.csv"
D = dt.date(2025, 3, 15)
TODAY = dt.date(2026, 1, 1)
EXPECTED = "fait, programmé, pas fait, non concerné, non renseigné, détaillé"


def seed_levels() -> dict[str, str]:
    """The nodes of the seed mesures 6.1.1 and 6.5.1 (tâches = the bullets of seeds/000 and 004:
    2, 5, 5, 4, 5 and 5, 8, 4), with the root, axe and sous-axes the seed reader adds."""
    levels = {"": "referentiel", "6": "axe", "6.1": "sous-axe", "6.5": "sous-axe", "6.1.1": "mesure",
              "6.5.1": "mesure"}
    for mesure, counts in (("6.1.1", (2, 5, 5, 4, 5)), ("6.5.1", (5, 8, 4))):
        for s, n in enumerate(counts, start=1):
            levels[f"{mesure}.{s}"] = "sous-action"
            for t in range(1, n + 1):
                levels[f"{mesure}.{s}.{t}"] = "tache"
    return levels


REFS = {"cae": seed_levels()}


def read(text: str | bytes, name: str = "eval.csv", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    kwargs.setdefault("collectivite", "CAPSO")
    kwargs.setdefault("date", D)
    kwargs.setdefault("today", TODAY)
    return read_evaluation(data, name, kwargs.pop("refs", REFS), **kwargs)


def problems(text: str | bytes, name: str = "eval.csv", **kwargs) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        read(text, name, **kwargs)
    return [str(p) for p in info.value.problems]


def records(result, *columns):
    return [tuple(row) for row in result.rows[list(columns)].itertuples(index=False)]


# ------------------------------------------------------------------------------ accepted files


def test_minimal_file_gives_one_row_per_status():
    result = read("action_id,statut\n6.1.1.1,fait\n6.1.1.3.2,programmé\n")
    assert result.kind == "evaluation"
    assert list(result.rows.columns) == ROW_COLUMNS
    assert records(result, "line", "collectivite", "date", "referentiel", "action_id", "statut", "commentaire") == [
        (2, "CAPSO", D, "cae", "6.1.1.1", "fait", ""),
        (3, "CAPSO", D, "cae", "6.1.1.3.2", "programme", ""),
    ]
    assert result.rows["fait"].isna().all() and result.rows["pas_fait"].isna().all()
    assert result.collectivites == ["CAPSO"] and result.dates == [D]
    assert result.pairs == [("CAPSO", D)]
    assert result.expected_points is None
    assert STATUTS == ("fait", "programme", "pas_fait", "detaille", "non_concerne", "non_renseigne")


def test_semicolon_cp1252_decimal_commas_and_french_spellings():
    result = read((FIXTURES / "evaluation-cp1252.csv").read_bytes(), "evaluation-cp1252.csv", date=None)
    assert records(result, "line", "action_id", "statut", "date") == [
        (3, "6.1.1.1", "fait", D),
        (4, "6.1.1.2", "detaille", D),
        (5, "6.1.1.3.1", "fait", D),
        (6, "6.1.1.3.2", "programme", D),
        (7, "6.1.1.3.3", "pas_fait", D),
        (8, "6.1.1.4", "non_concerne", D),
        (9, "6.1.1.5", "non_renseigne", D),
        (10, "6.5.1.1", "detaille", D),
    ]
    detail = result.rows.set_index("action_id")
    assert detail.loc["6.1.1.2", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.305, 0.495, 0.20])
    assert detail.loc["6.5.1.1", ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.333, 0.333, 0.334])
    assert detail.loc["6.1.1.2", "commentaire"] == "Deux conventions ; une troisième en projet"
    assert detail.loc["6.5.1.1", "commentaire"] == "Œuvre commune"
    assert detail.loc["6.1.1.1", "commentaire"] == "Cartographie des acteurs réalisée"


def test_utf8_bom_comma_codes_prefixed_ids_and_columns():
    result = read((FIXTURES / "evaluation-bom.csv").read_bytes(), "evaluation-bom.csv", collectivite=None, date=None)
    assert records(result, "line", "collectivite", "date", "referentiel", "action_id", "statut") == [
        (2, "CAPSO", D, "cae", "6.5.1.1", "fait"),
        (3, "CAPSO", D, "cae", "6.5.1.2", "detaille"),
        (4, "CAPSO", D, "cae", "6.5.1.3.1", "programme"),
        (5, "CAPSO", D, "cae", "6.5.1.3.2", "pas_fait"),
        (6, "CAPSO", D, "cae", "6.5.1.3.3", "non_concerne"),
        (7, "CAPSO", D, "cae", "6.5.1.3.4", "non_renseigne"),
    ]
    assert result.rows.loc[1, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.5, 0.25, 0.25])


def test_xlsx_sheet_named_evaluation_with_percent_cells():
    result = read((FIXTURES / "evaluation.xlsx").read_bytes(), "evaluation.xlsx", date=None)
    assert result.sheet_name == "evaluation"
    assert records(result, "line", "action_id", "statut", "date", "commentaire") == [
        (2, "6.1.1.1", "fait", D, "Fait en 2024"),
        (3, "6.1.1.2", "detaille", D, ""),
        (4, "6.1.1.5", "pas_fait", D, ""),
    ]
    # 30 % in a percent-formatted cell is stored as 0.3: read as a fraction.
    assert result.rows.loc[1, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.3, 0.5, 0.2])


def test_xlsx_first_sheet_when_none_is_named_evaluation():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Feuil1"
    workbook.active.append(["Action ID", "Statut"])
    workbook.active.append(["6.1.1.4", "Non concerné"])
    workbook.create_sheet("Autre").append(["rien"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read(buffer.getvalue(), "eval.xlsx")
    assert result.sheet_name == "Feuil1"
    assert records(result, "line", "action_id", "statut") == [(2, "6.1.1.4", "non_concerne")]


@pytest.mark.parametrize("header", ["action_id;statut", "Action ID;STATUT", "action-id;Statut", "ACTION_ID;Statut ",
                                    "Action Id;statut"])
def test_header_spellings(header):
    result = read(f"{header}\n6.1.1.1;fait\n")
    assert records(result, "action_id", "statut") == [("6.1.1.1", "fait")]


@pytest.mark.parametrize("spelling, code", [
    ("fait", "fait"), ("FAIT", "fait"), ("Programmé", "programme"), ("programme", "programme"),
    ("PAS_FAIT", "pas_fait"), ("pas fait", "pas_fait"), ("Pas-fait", "pas_fait"), ("non concerne", "non_concerne"),
    ("Non concerné", "non_concerne"), ("non_concerne", "non_concerne"), ("NON RENSEIGNÉ", "non_renseigne"),
    ("non_renseigne", "non_renseigne"),
])
def test_status_spellings(spelling, code):
    result = read(f"action_id;statut\n6.1.1.1;{spelling}\n")
    assert result.rows.loc[0, "statut"] == code


@pytest.mark.parametrize("spelling", ["détaillé", "Détaillé", "DETAILLE", "detaille"])
def test_detaille_spellings(spelling):
    result = read(f"action_id;statut;fait;programme;pas_fait\n6.1.1.2;{spelling};60;40;0\n")
    assert result.rows.loc[0, ["statut", "fait", "programme", "pas_fait"]].tolist() == ["detaille", 0.6, 0.4, 0.0]


def test_detaille_shares_with_percent_signs_decimal_point_and_missing_share():
    result = read("action_id;statut;fait;programme;pas_fait\n"
                  "6.1.1.2;détaillé;30 %;70 %;\n"
                  "6.1.1.3;détaillé;12.5;37.5;50\n"
                  "6.1.1.5;détaillé;0,25;0,25;0,5\n")
    assert result.rows[["fait", "programme", "pas_fait"]].to_numpy().ravel().tolist() == pytest.approx(
        [0.3, 0.7, 0.0, 0.125, 0.375, 0.5, 0.25, 0.25, 0.5])


def test_detaille_within_half_a_point_is_accepted():
    result = read("action_id;statut;fait;programme;pas_fait\n6.1.1.2;détaillé;33,3;33,3;33,3\n")
    assert result.rows.loc[0, "fait"] == pytest.approx(0.333)


def test_shares_on_other_statuses_are_ignored():
    result = read("action_id;statut;fait;programme;pas_fait\n6.1.1.1;fait;20;abc;\n")
    row = result.rows.loc[0]
    assert row["statut"] == "fait" and math.isnan(row["fait"]) and math.isnan(row["programme"])


def test_rows_without_status_are_skipped():
    result = read("action_id;intitule;statut\n6.1.1.1;Identifier;\n6.1.1.2;Echanger;fait\n6.1.1.3;Formaliser;\n")
    assert records(result, "line", "action_id") == [(3, "6.1.1.2")]


def test_comment_kept_as_text_without_control_characters():
    result = read('action_id;statut;commentaire\n6.1.1.1;fait;"<b>Voté</b>\x00 en\x07 conseil\r\nle 3 mars"\n')
    assert result.rows.loc[0, "commentaire"] == "<b>Voté</b> en conseil\nle 3 mars"


def test_date_column_jj_mm_aaaa_and_iso_give_several_pairs():
    result = read("action_id;statut;date;collectivite\n"
                  "6.1.1.1;fait;15/03/2025;CAPSO\n"
                  "6.1.1.1;pas fait;2024-03-01;CAPSO\n"
                  "6.1.1.1;programmé;1/3/2024;Ville de Saint-Omer\n"
                  "6.1.1.2;fait;;\n", collectivite="CAPSO", date=dt.date(2023, 1, 10))
    assert records(result, "collectivite", "date", "action_id") == [
        ("CAPSO", D, "6.1.1.1"),
        ("CAPSO", dt.date(2024, 3, 1), "6.1.1.1"),
        ("Ville de Saint-Omer", dt.date(2024, 3, 1), "6.1.1.1"),
        ("CAPSO", dt.date(2023, 1, 10), "6.1.1.2"),
    ]
    assert result.pairs == [("CAPSO", D), ("CAPSO", dt.date(2024, 3, 1)), ("Ville de Saint-Omer", dt.date(2024, 3, 1)),
                            ("CAPSO", dt.date(2023, 1, 10))]


def test_the_only_known_collectivite_is_used_and_names_take_the_known_spelling():
    result = read("action_id;statut\n6.1.1.1;fait\n", collectivite=None, known_collectivites=["CAPSO"])
    assert result.collectivites == ["CAPSO"]
    result = read("action_id;statut;collectivite\n6.1.1.1;fait;capso\n6.1.1.2;fait;Communauté  d'agglo\n",
                  collectivite=None, known_collectivites=["CAPSO", "Communauté d'Agglo"])
    assert result.rows["collectivite"].tolist() == ["CAPSO", "Communauté d'Agglo"]


def test_referentiel_column_and_plain_set_of_ids():
    refs = {"cae": set(seed_levels()), "eci": {"", "1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.1.1"}}
    result = read("action_id;statut;referentiel\n6.1.1.1;fait;\n1.1.1.1;fait;ECI\neci_1.1.1.1.1;pas fait;\n",
                  refs=refs)
    assert records(result, "referentiel", "action_id") == [("cae", "6.1.1.1"), ("eci", "1.1.1.1"),
                                                           ("eci", "1.1.1.1.1")]


# ------------------------------------------------------------------------------ refused files


def test_unknown_action():
    assert problems("action_id;statut\n6.1.1.1;fait\n6.1.9;fait\n") == [
        "eval.csv:3:action_id: action inconnue « 6.1.9 » dans le référentiel cae"]


def test_unknown_status():
    assert problems("action_id;Statut\n6.1.1.1;faite\n") == [
        f"eval.csv:2:Statut: statut inconnu « faite » (attendu : {EXPECTED})"]


def test_detaille_not_adding_to_100():
    assert problems("action_id;statut;fait;programme;pas_fait\n6.1.1.2;détaillé;30;50;10\n") == [
        "eval.csv:2:fait: les parts fait + programmé + pas fait doivent faire 100 (trouvé 90)"]
    assert problems("action_id;statut;Fait;programme;pas_fait\n6.1.1.2;détaillé;30,6;50;20\n") == [
        "eval.csv:2:Fait: les parts fait + programmé + pas fait doivent faire 100 (trouvé 100,6)"]


def test_detaille_share_problems():
    assert problems("action_id;statut;fait;programme;pas_fait\n"
                    "6.1.1.2;détaillé;beaucoup;50;50\n"
                    "6.1.1.3;détaillé;120;-20;0\n"
                    "6.1.1.5;détaillé;;;\n") == [
        "eval.csv:2:fait: part non reconnue « beaucoup » (attendu un pourcentage entre 0 et 100)",
        "eval.csv:3:fait: part hors limites « 120 » (attendu entre 0 et 100)",
        "eval.csv:3:programme: part hors limites « -20 » (attendu entre 0 et 100)",
        "eval.csv:4:fait: statut « détaillé » sans parts : renseignez fait, programme et pas_fait (en %, total 100)",
    ]
    assert problems("action_id;statut\n6.1.1.2;détaillé\n") == [
        "eval.csv:2:statut: statut « détaillé » sans parts : ajoutez les colonnes fait, programme et pas_fait "
        "(en %, total 100)"]


def test_duplicated_action():
    text = "action_id;statut;date\n6.1.1.2;fait;15/03/2025\n6.1.1.1;fait;15/03/2025\n6.1.1.2;pas fait;2025-03-15\n" \
           "cae_6.1.1.2;fait;\n6.1.1.2;fait;01/03/2025\n"
    assert problems(text) == [
        "eval.csv:4:action_id: action « 6.1.1.2 » déjà présente ligne 2 pour CAPSO au 15/03/2025",
        "eval.csv:5:action_id: action « cae_6.1.1.2 » déjà présente ligne 2 pour CAPSO au 15/03/2025",
    ]


def test_bad_date():
    assert problems("action_id;statut;date\n6.1.1.1;fait;31/02/2025\n6.1.1.2;fait;mars 2025\n") == [
        "eval.csv:2:date: date non reconnue « 31/02/2025 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "eval.csv:3:date: date non reconnue « mars 2025 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
    ]


def test_future_dates_are_refused():
    assert problems("action_id;statut;date\n6.1.1.1;fait;02/01/2026\n6.1.1.2;fait;01/01/2026\n") == [
        "eval.csv:2:date: date dans le futur « 02/01/2026 » : une évaluation ne peut pas être postérieure à "
        "aujourd'hui (01/01/2026)"]
    assert problems("action_id;statut\n6.1.1.1;fait\n", date=dt.date(2026, 6, 1)) == [
        "eval.csv::: date d'évaluation dans le futur « 01/06/2026 » : une évaluation ne peut pas être postérieure "
        "à aujourd'hui (01/01/2026)"]


def test_missing_date():
    assert problems("action_id;statut\n6.1.1.1;fait\n", date=None) == [
        "eval.csv::: date d'évaluation non précisée : ajoutez une colonne date ou indiquez la date à l'import "
        "(--date AAAA-MM-JJ)"]


def test_wrong_encoding():
    # 0x81 is invalid in UTF-8 and undefined in cp1252.
    data = "action_id;statut;commentaire\n6.1.1.1;fait;élus\n".encode("cp1252") + b"6.1.1.2;fait;caf\x81\n"
    assert problems(data) == [
        "eval.csv:3:: encodage non reconnu : le fichier doit être en UTF-8 ou en Windows-1252 (cp1252)"]


def test_empty_file():
    assert problems(b"") == ["eval.csv::: fichier vide"]
    assert problems(b"\n \r\n") == ["eval.csv::: fichier vide"]


def test_only_a_header():
    assert problems("action_id;statut;fait;programme;pas_fait\n") == [
        "eval.csv::: le fichier ne contient que la ligne d'en-tête : aucune évaluation à importer"]


def test_no_status_at_all():
    assert problems("action_id;statut\n6.1.1.1;\n6.1.1.2;\n") == [
        "eval.csv::statut: aucun statut renseigné : la colonne statut est vide sur toutes les lignes"]


def test_missing_status_with_other_cells():
    assert problems("action_id;statut;commentaire\n6.1.1.1;;à voir\n") == [
        f"eval.csv:2:statut: statut manquant (attendu : {EXPECTED})"]


def test_missing_column():
    assert problems("action_id;fait\n6.1.1.1;20\n") == [
        "eval.csv:1:statut: colonne obligatoire « statut » absente (colonnes lues : action_id, fait)"]
    assert problems("Mesure,Avancement\n6.1.1,en cours\n") == [
        "eval.csv:1:action_id: colonne obligatoire « action_id » absente (colonnes lues : Mesure, Avancement)",
        "eval.csv:1:statut: colonne obligatoire « statut » absente (colonnes lues : Mesure, Avancement)",
    ]


def test_xlsx_with_the_wrong_sheet():
    data = (FIXTURES / "evaluation-mauvaise-feuille.xlsx").read_bytes()
    assert problems(data, "eval.xlsx") == [
        "eval.xlsx::: la feuille « Feuil1 » ne contient pas les colonnes obligatoires action_id et statut "
        "(colonnes lues : Mesure, Avancement) ; le classeur est lu dans la feuille nommée « evaluation », sinon "
        "dans la première (feuilles du classeur : Feuil1, Notes)"]


def test_xlsx_with_an_empty_sheet():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Feuil1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert problems(buffer.getvalue(), "eval.xlsx") == ["eval.xlsx::: la feuille « Feuil1 » est vide"]


def test_status_on_a_mesure_or_above():
    assert problems("action_id;statut\n6.1.1;fait\n6;fait\n6.1;fait\n") == [
        "eval.csv:2:action_id: « 6.1.1 » est une mesure : seules les sous-actions et les tâches reçoivent un statut",
        "eval.csv:3:action_id: « 6 » est un axe : seules les sous-actions et les tâches reçoivent un statut",
        "eval.csv:4:action_id: « 6.1 » est un sous-axe : seules les sous-actions et les tâches reçoivent un statut",
    ]
    # With a plain set of ids the levels come from the depth: the two deepest are evaluable.
    assert problems("action_id;statut\n6.5.1;fait\n6.5.1.2;fait\n", refs={"cae": set(seed_levels())}) == [
        "eval.csv:2:action_id: « 6.5.1 » est une mesure : seules les sous-actions et les tâches reçoivent un statut"]


def test_unknown_referentiel():
    assert problems("action_id;statut;referentiel\neci_1.1.1;fait;\n6.1.1.1;fait;ECI\ncae_6.1.1.1;fait;eci\n") == [
        "eval.csv:2:action_id: référentiel inconnu « eci » dans « eci_1.1.1 » (référentiels chargés : cae)",
        "eval.csv:3:referentiel: référentiel inconnu « ECI » (référentiels chargés : cae)",
        "eval.csv:4:action_id: le préfixe de « cae_6.1.1.1 » ne correspond pas au référentiel « eci » de la colonne "
        "referentiel",
    ]


def test_no_referentiel_loaded():
    assert problems("action_id;statut\n6.1.1.1;fait\n6.1.1.2;fait\n", refs={}) == [
        "eval.csv::: référentiel « cae » non chargé : importez-le d'abord (pcaet referentiel import) ou précisez le "
        "référentiel (référentiels chargés : aucun)"]


def test_missing_action_id():
    assert problems("action_id;statut\n;fait\n") == ["eval.csv:2:action_id: action_id manquant"]


def test_no_collectivite():
    assert problems("action_id;statut\n6.1.1.1;fait\n", collectivite=None) == [
        "eval.csv::: collectivité non précisée : aucune collectivité n'est enregistrée ; indiquez-la à l'import "
        "(--collectivite NOM) ou dans une colonne collectivite"]
    assert problems("action_id;statut\n6.1.1.1;fait\n", collectivite=None, known_collectivites=["CAPSO", "CCPL"]) == [
        "eval.csv::: collectivité non précisée : plusieurs collectivités sont enregistrées (CAPSO, CCPL) ; indiquez "
        "laquelle à l'import (--collectivite NOM) ou dans une colonne collectivite"]


def test_too_many_rows():
    assert problems("action_id;statut\n6.1.1.1;fait\n6.1.1.2;fait\n6.1.1.3;fait\n", max_rows=2) == [
        "eval.csv::: fichier trop long : 3 lignes d'évaluation (maximum 2)"]


def test_every_problem_of_a_file_is_reported_in_line_order():
    text = ("action_id;statut;fait;programme;pas_fait;date\n"
            "6.1.1.1;faite;;;;\n"                      # 2 statut
            "6.1.9;fait;;;;\n"                         # 3 action
            "6.1.1.2;détaillé;30;50;10;\n"             # 4 shares
            "6.1.1.3;fait;;;;31/02/2025\n"             # 5 date
            "6.1.1.2;pas fait;;;;\n"                   # 6 duplicate of 4
            "6.1.1;inconnu;;;;\n")                     # 7 mesure + statut
    assert problems(text) == [
        f"eval.csv:2:statut: statut inconnu « faite » (attendu : {EXPECTED})",
        "eval.csv:3:action_id: action inconnue « 6.1.9 » dans le référentiel cae",
        "eval.csv:4:fait: les parts fait + programmé + pas fait doivent faire 100 (trouvé 90)",
        "eval.csv:5:date: date non reconnue « 31/02/2025 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "eval.csv:6:action_id: action « 6.1.1.2 » déjà présente ligne 4 pour CAPSO au 15/03/2025",
        "eval.csv:7:action_id: « 6.1.1 » est une mesure : seules les sous-actions et les tâches reçoivent un statut",
        f"eval.csv:7:statut: statut inconnu « inconnu » (attendu : {EXPECTED})",
    ]


# ------------------------------------------------------------------------------ scoring examples

EXAMPLE_ROWS = {  # data lines of each evaluation.csv (counted in the files)
    "01-mesure-6.1.1-statuts-melanges": 7, "03-mesure-entiere-non-concernee": 5,
    "04-commune-dom-personnalisation": 10, "05-grand-epci-personnalisation": 6, "06-regle-de-score": 5,
    "07-sous-action-contre-taches": 8, "08-etat-des-lieux-complet": 407,
}


@pytest.fixture(scope="module")
def official_ids() -> set[str]:
    shared_path("referentiels/cae-structure.csv")
    return set(read_table(STRUCTURE.read_bytes(), STRUCTURE.name).frame["identifiant"])


@pytest.mark.shared("referentiels")
@pytest.mark.parametrize("example", sorted(EXAMPLE_ROWS))
def test_scoring_examples_read_with_the_official_referential(example, official_ids):
    result = read((EXAMPLES / example / "evaluation.csv").read_bytes(), "evaluation.csv", refs={"cae": official_ids})
    assert len(result.rows) == EXAMPLE_ROWS[example]
    assert result.rows["statut"].isin(STATUTS).all()


@pytest.mark.shared("referentiels")
def test_scoring_example_02_ignores_tasks_of_another_edition_with_a_warning(official_ids):
    # 6.5.1.3 has 4 tâches in cae-structure.csv and in seeds/004; the example lists 8. The
    # example must score as the official engine does, so those 4 rows are ignored with a warning.
    path = EXAMPLES / "02-taches-non-concernees" / "evaluation.csv"
    levels = {"cae": {i: ("sous-action" if i.count(".") == 3 else "tache" if i.count(".") == 4 else "mesure")
                      for i in official_ids}}
    result = read(path.read_bytes(), "evaluation.csv", refs=levels)
    assert len(result.rows) == 20 - 4
    assert [str(w) for w in result.warnings] == [
        f"evaluation.csv:{line}:action_id: tâche « 6.5.1.3.{k} » absente de cette édition du référentiel cae : ligne ignorée"
        for line, k in ((18, 5), (19, 6), (20, 7), (21, 8))]
    # An unknown id whose parent is not a sous-action still refuses the file.
    bad = b"action_id,statut\n6.5.9.1,fait\n"
    assert problems(bad, "e.csv", refs=levels) == ["e.csv:2:action_id: action inconnue « 6.5.9.1 » dans le référentiel cae"]


def test_scoring_example_01_with_the_seed_ids():
    path = EXAMPLES / "01-mesure-6.1.1-statuts-melanges" / "evaluation.csv"
    shared_path("formats/scoring-examples/01-mesure-6.1.1-statuts-melanges/evaluation.csv")
    result = read(path.read_bytes(), "evaluation.csv")
    assert records(result, "line", "action_id", "statut") == [
        (2, "6.1.1.1", "fait"), (3, "6.1.1.2", "detaille"), (4, "6.1.1.3.1", "fait"), (5, "6.1.1.3.2", "programme"),
        (6, "6.1.1.3.3", "pas_fait"), (7, "6.1.1.4", "non_concerne"), (8, "6.1.1.5", "pas_fait"),
    ]
    assert result.rows.loc[1, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.3, 0.5, 0.2])


# ------------------------------------------------------------------------------ size


def test_100000_rows_read_and_validated_whole():
    # Speed is measured by benchmarks/bench_import.py (docs/benchmarks.md), not asserted here.
    ids = [i for i, n in seed_levels().items() if n in ("sous-action", "tache")]  # 46 evaluable nodes
    lines = ["action_id;statut;fait;programme;pas_fait;date;collectivite"]
    n = 100_000
    for k in range(n):
        date = dt.date(2020, 1, 1) + dt.timedelta(days=k // len(ids) % 1000)
        detail = k % 7 == 0
        lines.append(f"{ids[k % len(ids)]};{'détaillé;20,5;79,5;0' if detail else 'fait;;;'};"
                     f"{date:%d/%m/%Y};C{k // (len(ids) * 1000)}")
    data = ("\n".join(lines) + "\n").encode("cp1252")
    result = read(data)
    assert len(result.rows) == n
    assert (result.rows["statut"] == "detaille").sum() == len(range(0, n, 7))
