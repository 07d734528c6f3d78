"""Blank evaluation templates (CSV and XLSX) and their round trip through read_evaluation."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cae_data.evaluation import read_evaluation, referentiel_levels
from cae_data.evaluation.templates import TEMPLATE_COLUMNS, template_csv, template_xlsx

D = dt.date(2025, 3, 15)
TODAY = dt.date(2026, 1, 1)


def nodes() -> pd.DataFrame:
    """A small referential in model order: root, axe, sous-axe, mesure 6.1.1 with two sous-actions
    (the first with two tâches), and a title that a spreadsheet would take for a formula."""
    rows = [
        ("", "referentiel", "Climat Air Énergie"),
        ("6", "axe", "Axe 6"),
        ("6.1", "sous-axe", "Sous-axe 6.1"),
        ("6.1.1", "mesure", "Développer une stratégie partenariale multi-niveaux"),
        ("6.1.1.1", "sous-action", "Identifier les acteurs clés à associer"),
        ("6.1.1.1.1", "tache", "identifier et cartographier les acteurs clés ; privés et publics"),
        ("6.1.1.1.2", "tache", "=inscrire la coopération dans les fiches de poste"),
        ("6.1.1.2", "sous-action", 'Echanger et s’impliquer dans des projets "extra-locaux"'),
    ]
    return pd.DataFrame(rows, columns=["action_id", "niveau", "nom"])


def refs() -> dict:
    return {"cae": referentiel_levels(nodes())}


def test_template_csv_text():
    data = template_csv(nodes())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").split("\r\n") == [
        "action_id;intitule;statut;fait;programme;pas_fait;commentaire",
        "6.1.1.1;Identifier les acteurs clés à associer;;;;;",
        '6.1.1.1.1;"identifier et cartographier les acteurs clés ; privés et publics";;;;;',
        "6.1.1.1.2;'=inscrire la coopération dans les fiches de poste;;;;;",
        '6.1.1.2;"Echanger et s’impliquer dans des projets ""extra-locaux""";;;;;',
        "",
    ]


def test_template_csv_filled_reads_back():
    text = template_csv(nodes())[3:].decode("utf-8")
    text = text.replace("6.1.1.1;Identifier les acteurs clés à associer;;;;;",
                        "6.1.1.1;Identifier les acteurs clés à associer;détaillé;25;25;50;")
    text = text.replace("6.1.1.2;\"Echanger et s’impliquer dans des projets \"\"extra-locaux\"\"\";;;;;",
                        "6.1.1.2;\"Echanger et s’impliquer dans des projets \"\"extra-locaux\"\"\";pas fait;;;;à revoir")
    result = read_evaluation(b"\xef\xbb\xbf" + text.encode("utf-8"), "modele.csv", refs(), collectivite="CAPSO",
                             date=D, today=TODAY)
    assert result.rows[["line", "action_id", "statut", "commentaire"]].values.tolist() == [
        [2, "6.1.1.1", "detaille", ""], [5, "6.1.1.2", "pas_fait", "à revoir"]]
    assert result.rows.loc[0, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.25, 0.25, 0.5])


def test_template_xlsx_layout():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(nodes())))
    assert workbook.sheetnames == ["evaluation", "aide"]
    sheet = workbook["evaluation"]
    assert [c.value for c in sheet[1]] == TEMPLATE_COLUMNS
    assert all(c.font.bold for c in sheet[1])
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == ["6.1.1.1", "6.1.1.1.1", "6.1.1.1.2", "6.1.1.2"]
    assert sheet.cell(row=4, column=2).value == "=inscrire la coopération dans les fiches de poste"
    assert sheet.cell(row=4, column=2).data_type == "s"  # text, not a formula
    assert sheet.column_dimensions["B"].width > 60 and sheet.column_dimensions["A"].width >= 12
    assert sheet.freeze_panes == "A2"
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    statut = validations["C2:C5"]
    assert statut.type == "list"
    assert statut.formula1 == '"fait,programmé,pas fait,non concerné,non renseigné,détaillé"'
    shares = validations["D2:F5"]
    assert (shares.type, shares.formula1, shares.formula2) == ("decimal", "0", "100")
    assert shares.operator in (None, "between")  # "between" is the default of the format
    aide = workbook["aide"]
    assert aide["A1"].value == "Colonne" and aide["B1"].value == "Ce qu'il faut y mettre"
    help_text = {aide.cell(row=r, column=1).value: aide.cell(row=r, column=2).value for r in range(2, aide.max_row + 1)}
    assert set(help_text) >= {"action_id", "statut", "fait, programme, pas_fait", "commentaire"}
    assert "somme fait 100" in help_text["fait, programme, pas_fait"]


def test_template_xlsx_filled_reads_back():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(nodes())))
    sheet = workbook["evaluation"]
    sheet["C2"] = "programmé"
    sheet["C3"] = "fait"
    sheet["G3"] = "Cartographie faite"
    sheet["C5"] = "détaillé"
    sheet["D5"], sheet["E5"], sheet["F5"] = 40, 35.5, 24.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_evaluation(buffer.getvalue(), "modele.xlsx", refs(), collectivite="CAPSO", date=D, today=TODAY)
    assert result.sheet_name == "evaluation"
    assert result.rows[["line", "action_id", "statut", "commentaire"]].values.tolist() == [
        [2, "6.1.1.1", "programme", ""], [3, "6.1.1.1.1", "fait", "Cartographie faite"],
        [5, "6.1.1.2", "detaille", ""]]
    assert result.rows.loc[2, ["fait", "programme", "pas_fait"]].tolist() == pytest.approx([0.4, 0.355, 0.245])


def test_template_of_the_seed_referential_reads_back():
    from cae_data.referentiel.seed_markdown import read_seed_referentiel

    referentiel = read_seed_referentiel(Path(__file__).resolve().parents[1] / "seeds")
    evaluable = referentiel.nodes[referentiel.nodes["niveau"].isin(["sous-action", "tache"])]["action_id"].tolist()
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(referentiel.nodes)))
    sheet = workbook["evaluation"]
    for r in range(2, sheet.max_row + 1):
        sheet.cell(row=r, column=3, value="non renseigné")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_evaluation(buffer.getvalue(), "modele.xlsx", {"cae": referentiel_levels(referentiel.nodes)},
                             collectivite="CAPSO", date=D, today=TODAY)
    assert result.rows["action_id"].tolist() == evaluable
    assert (result.rows["statut"] == "non_renseigne").all()
    # 6.1.1 alone: 5 sous-actions and 2 + 5 + 5 + 4 + 5 tâches (the bullets of seeds/000).
    assert sum(1 for i in evaluable if i.startswith("6.1.1.")) == 26
