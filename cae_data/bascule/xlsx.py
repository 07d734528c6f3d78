"""The switch as a workbook: « Synthèse », « Climat Ressources » (every TE node, the whole table
of synthese.tableau), « Nouvelles mesures » and « Questions ». Written through the committee
workbook's cell writers (rapports/xlsx.py): numbers are number cells, shares `0.0 %`, and a text
that starts like a formula (`=`, `+`, `-`, `@`) is never evaluated (Excel's quote prefix)."""

from __future__ import annotations

import io

import xlsxwriter

from ..formatting import date_fr
from ..rapports.xlsx import SheetWriter
from .synthese import RAISONS, Bascule

SHEETS = ["Synthèse", "Climat Ressources", "Nouvelles mesures", "Questions"]
TABLE_HEADERS = [
    "Identifiant", "Niveau", "Intitulé", "Catégorie", "Potentiel", "Points faits", "Points programmés",
    "Points pas faits", "Points non renseignés", "Score réalisé", "Points faits CAE/ECI correspondants",
    "Écart (points)", "Statut écrit par la bascule", "Origines", "Raisons",
]
NOUVELLES_HEADERS = ["Identifiant", "Intitulé", "Niveau", "Mesure", "Intitulé de la mesure", "Points à évaluer"]
QUESTION_HEADERS = ["Question", "Intitulé", "Type", "Thématique", "Choix"]


def build_xlsx(bascule: Bascule) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    workbook.set_properties({
        "title": f"Passage à Climat Ressources — {bascule.collectivite}, évaluation CAE du {date_fr(bascule.date)}",
        "subject": "Projection de l'évaluation CAE/ECI sur le référentiel Climat Ressources",
        "author": "Tableau de bord PCAET",
    })
    w = SheetWriter(workbook)
    _summary(w, workbook.add_worksheet(SHEETS[0]), bascule)
    _table(w, workbook.add_worksheet(SHEETS[1]), bascule)
    _nouvelles(w, workbook.add_worksheet(SHEETS[2]), bascule)
    _questions(w, workbook.add_worksheet(SHEETS[3]), bascule)
    workbook.close()
    return buffer.getvalue()


def _summary(w: SheetWriter, sheet, b: Bascule) -> None:
    w.text(sheet, 0, 0, f"Passage à Climat Ressources — {b.collectivite}", style="title")
    rows = [
        ("Évaluation CAE projetée", None, b.date),
        ("Score réalisé CAE", b.cae_score, None),
        ("Étoiles CAE", b.cae_nombre_etoiles if b.cae_etoiles_significatives else None, None),
        ("Score réalisé Climat Ressources projeté", b.te_score, None),
        ("Étoiles Climat Ressources projetées", b.te_nombre_etoiles, None),
        ("Score réalisé après écriture des statuts", b.te_score_statuts, None),
        ("Étoiles après écriture des statuts", b.te_nombre_etoiles_statuts, None),
    ]
    if b.date_eci is not None:
        rows.insert(1, ("Évaluation ECI prise en compte", None, b.date_eci))
    for offset, (label, value, day) in enumerate(rows, start=2):
        w.text(sheet, offset, 0, label)
        if day is not None:
            w.date(sheet, offset, 1, day)
        elif label.startswith("Score"):
            w.number(sheet, offset, 1, value, "percent")
        elif value is None:
            w.text(sheet, offset, 1, "non calculables (référentiel CAE incomplet)")
        else:
            w.number(sheet, offset, 1, value, "integer")
    row = 2 + len(rows) + 1
    for line in b.resume():
        w.text(sheet, row, 0, line)
        row += 1
    sheet.set_column(0, 0, 45)
    sheet.set_column(1, 1, 16)


def _table(w: SheetWriter, sheet, b: Bascule) -> None:
    w.header(sheet, 0, TABLE_HEADERS)
    table = b.tableau
    for r, node in enumerate(table.itertuples(index=False), start=1):
        w.text(sheet, r, 0, node.action_id)
        w.text(sheet, r, 1, node.niveau_label)
        w.text(sheet, r, 2, node.nom, wrap=True)
        w.text(sheet, r, 3, node.categorie)
        for col, value in enumerate((node.point_potentiel, node.point_fait, node.point_programme, node.point_pas_fait,
                                     node.point_non_renseigne), start=4):
            w.number(sheet, r, col, value, "points")
        w.number(sheet, r, 9, node.score_realise, "percent")
        w.number(sheet, r, 10, node.point_fait_origines, "points")
        w.number(sheet, r, 11, node.ecart_points, "points")
        w.text(sheet, r, 12, node.statut_texte)
        w.text(sheet, r, 13, node.origines, wrap=True)
        w.text(sheet, r, 14, node.raison, wrap=True)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 13)
    sheet.set_column(2, 2, 50)
    sheet.set_column(3, 3, 18)
    sheet.set_column(4, 11, 13)
    sheet.set_column(12, 12, 30)
    sheet.set_column(13, 14, 50)
    sheet.freeze_panes(1, 3)
    if len(table):
        sheet.autofilter(0, 0, len(table), len(TABLE_HEADERS) - 1)
    note = len(table) + 2
    w.text(sheet, note, 0, "Raisons : " + ", ".join(RAISONS.values()) + ".")


def _nouvelles(w: SheetWriter, sheet, b: Bascule) -> None:
    w.header(sheet, 0, NOUVELLES_HEADERS)
    for r, node in enumerate(b.nouvelles_mesures.itertuples(index=False), start=1):
        w.text(sheet, r, 0, node.action_id)
        w.text(sheet, r, 1, node.nom, wrap=True)
        w.text(sheet, r, 2, node.niveau_label)
        w.text(sheet, r, 3, node.mesure_id)
        w.text(sheet, r, 4, node.mesure_nom, wrap=True)
        w.number(sheet, r, 5, node.point_potentiel, "points")
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 3, 13)
    sheet.set_column(4, 4, 50)
    sheet.set_column(5, 5, 13)


def _questions(w: SheetWriter, sheet, b: Bascule) -> None:
    w.header(sheet, 0, QUESTION_HEADERS)
    for r, question in enumerate(b.questions.itertuples(index=False), start=1):
        w.text(sheet, r, 0, question.question_id)
        w.text(sheet, r, 1, question.titre, wrap=True)
        w.text(sheet, r, 2, question.type)
        w.text(sheet, r, 3, question.thematique)
        w.text(sheet, r, 4, question.choix, wrap=True)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 3, 16)
    sheet.set_column(4, 4, 50)
