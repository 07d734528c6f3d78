"""The committee's workbook (XlsxWriter): sheets « Scores » (the columns of the official
platform's score export, so the sheet also imports back as an evaluation), « Statuts »,
« Indicateurs », « Évolutions » (since the previous committee) and « Comité ».

Numbers are number cells (shares with the format `0.0 %`, shown « 66,7 % » by a French Excel),
dates are date cells (`dd/mm/yyyy`), and every text goes through `write_string`: a text that
starts like a formula (`=`, `+`, `-`, `@`) is never evaluated and carries Excel's quote prefix."""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd
import xlsxwriter

from ..comites import ComiteChanges, ComiteHistory
from ..formatting import date_fr
from ..palette import COULEUR_FAIT, FOND_TITRE_CLASSEUR
from .tables import SCORE_HEADERS, STATUT_INDICATEUR_RAPPORT, scores_table, statuses_table, values_until

FORMULA_STARTS = ("=", "+", "-", "@")
SHEETS = ["Scores", "Statuts", "Indicateurs", "Évolutions", "Comité"]
NIVEAU_LABELS = {"referentiel": "Référentiel", "axe": "Axe", "sous-axe": "Sous-axe", "mesure": "Mesure",
                 "sous-action": "Sous-action", "tache": "Tâche"}
KIND_LABELS = {"evaluation": "Évaluation", "indicateurs": "Indicateurs", "fiche": "Fiche-action"}


class SheetWriter:
    """Typed cell writers over one workbook: text never becomes a formula, NaN leaves a blank."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.formats = {
            "text": workbook.add_format({**base}),
            "wrap": workbook.add_format({**base, "text_wrap": True}),
            "quoted": workbook.add_format({**base, "quote_prefix": True}),
            "quoted_wrap": workbook.add_format({**base, "quote_prefix": True, "text_wrap": True}),
            "header": workbook.add_format({**base, "bold": True, "bg_color": FOND_TITRE_CLASSEUR, "border": 1, "text_wrap": True}),
            "title": workbook.add_format({**base, "bold": True, "font_size": 14}),
            "section": workbook.add_format({**base, "bold": True, "font_size": 12, "font_color": COULEUR_FAIT}),
            "points": workbook.add_format({**base, "num_format": "#,##0.0##"}),
            "integer": workbook.add_format({**base, "num_format": "0"}),
            "number": workbook.add_format({**base, "num_format": "#,##0.###"}),
            "percent": workbook.add_format({**base, "num_format": "0.0 %"}),
            "date": workbook.add_format({**base, "num_format": "dd/mm/yyyy", "align": "left"}),
            "datetime": workbook.add_format({**base, "num_format": "dd/mm/yyyy hh:mm", "align": "left"}),
        }

    def text(self, sheet, row: int, col: int, value, wrap: bool = False, style: str | None = None) -> None:
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        if text == "":
            return
        if style is None:
            risky = text.lstrip().startswith(FORMULA_STARTS)
            style = ("quoted_wrap" if wrap else "quoted") if risky else ("wrap" if wrap else "text")
        sheet.write_string(row, col, text, self.formats[style])

    def number(self, sheet, row: int, col: int, value, style: str = "number") -> None:
        if value is None or value is pd.NA:
            return
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            return
        sheet.write_number(row, col, value, self.formats[style])

    def date(self, sheet, row: int, col: int, value, style: str = "date") -> None:
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        sheet.write_datetime(row, col, value, self.formats[style])

    def header(self, sheet, row: int, headers: list[str]) -> None:
        for col, name in enumerate(headers):
            sheet.write_string(row, col, name, self.formats["header"])


def build_xlsx(history: ComiteHistory, changes: ComiteChanges) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    workbook.set_properties({
        "title": f"Comité de pilotage du {date_fr(changes.comite.date)} — {changes.collectivite}",
        "subject": "Suivi du PCAET et du label Territoire Engagé Climat-Air-Énergie",
        "author": "Tableau de bord PCAET",
    })
    w = SheetWriter(workbook)
    _scores_sheet(w, workbook.add_worksheet(SHEETS[0]), history, changes)
    _statuses_sheet(w, workbook.add_worksheet(SHEETS[1]), history, changes)
    _indicateurs_sheet(w, workbook.add_worksheet(SHEETS[2]), history, changes)
    _changes_sheet(w, workbook.add_worksheet(SHEETS[3]), changes)
    _comite_sheet(w, workbook.add_worksheet(SHEETS[4]), changes)
    workbook.close()
    return buffer.getvalue()


# --- Scores: the official platform's score export columns ----------------------------------

def _scores_sheet(w: SheetWriter, sheet, history: ComiteHistory, changes: ComiteChanges) -> None:
    # Title rows as the platform writes them: the collectivity, then « Date d'export » holding the
    # date of the scores (the evaluation in force), so the sheet imports back at that date.
    w.text(sheet, 0, 0, changes.collectivite, style="title")
    w.text(sheet, 1, 0, "Date d'export")
    w.date(sheet, 1, 1, changes.evaluation_apres)
    w.text(sheet, 2, 0, f"Scores de l'évaluation en vigueur au comité de pilotage du {date_fr(changes.comite.date)}"
           + ("" if changes.evaluation_apres else " : aucune évaluation"))
    header_row = 4
    w.header(sheet, header_row, SCORE_HEADERS)
    table = scores_table(history, changes)
    for offset, node in enumerate(table.itertuples(index=False), start=1):
        r = header_row + offset
        w.text(sheet, r, 0, node.action_id)
        w.text(sheet, r, 1, node.nom)
        w.number(sheet, r, 2, node.point_referentiel, "points")
        w.number(sheet, r, 3, node.point_potentiel, "points")
        w.number(sheet, r, 4, node.point_fait, "points")
        w.number(sheet, r, 5, node.part_fait, "percent")
        w.number(sheet, r, 6, node.point_programme, "points")
        w.number(sheet, r, 7, node.part_programme, "percent")
        w.number(sheet, r, 8, node.point_pas_fait, "points")
        w.number(sheet, r, 9, node.part_pas_fait, "percent")
        w.text(sheet, r, 10, node.statut)
        w.text(sheet, r, 11, node.commentaire, wrap=True)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 9, 13)
    sheet.set_column(10, 10, 18)
    sheet.set_column(11, 11, 50)
    sheet.freeze_panes(header_row + 1, 2)
    if len(table):
        sheet.autofilter(header_row, 0, header_row + len(table), len(SCORE_HEADERS) - 1)


STATUS_HEADERS = ["N°", "Intitulé", "Niveau", "Statut", "Part faite", "Part programmée", "Part pas faite",
                  "Commentaire"]


def _statuses_sheet(w: SheetWriter, sheet, history: ComiteHistory, changes: ComiteChanges) -> None:
    if changes.evaluation_apres is None:
        w.text(sheet, 0, 0, f"Aucune évaluation en vigueur au comité du {date_fr(changes.comite.date)}.",
               style="title")
        return
    w.text(sheet, 0, 0, f"Statuts de l'évaluation du {date_fr(changes.evaluation_apres)} ({changes.collectivite})",
           style="title")
    w.header(sheet, 2, STATUS_HEADERS)
    table = statuses_table(history, changes)
    for offset, row in enumerate(table.itertuples(index=False), start=3):
        w.text(sheet, offset, 0, row.action_id)
        w.text(sheet, offset, 1, row.nom)
        w.text(sheet, offset, 2, NIVEAU_LABELS.get(str(row.niveau), str(row.niveau)))
        w.text(sheet, offset, 3, row.statut)
        w.number(sheet, offset, 4, row.fait, "percent")
        w.number(sheet, offset, 5, row.programme, "percent")
        w.number(sheet, offset, 6, row.pas_fait, "percent")
        w.text(sheet, offset, 7, row.commentaire, wrap=True)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 3, 40)
    sheet.set_column(4, 6, 12)
    sheet.set_column(7, 7, 50)
    sheet.freeze_panes(3, 2)


INDICATEUR_HEADERS = ["Fiche-action", "Indicateur", "Identifiant", "Unité", "Date", "Valeur", "Cible de l'année",
                     "Commentaire", "Saisi par"]


def _indicateurs_sheet(w: SheetWriter, sheet, history: ComiteHistory, changes: ComiteChanges) -> None:
    w.text(sheet, 0, 0, f"Valeurs des indicateurs connues au comité du {date_fr(changes.comite.date)}", style="title")
    w.header(sheet, 2, INDICATEUR_HEADERS)
    values = values_until(history, changes.comite.date)
    targets = {(i, int(a)): float(v) for i, a, v in
               history.targets[["indicateur_id", "annee", "valeur"]].itertuples(index=False)}
    row = 3
    for indicator in history.indicators.itertuples(index=False):
        own = values[(values["indicateur_id"] == indicator.indicateur_id).to_numpy()] if len(values) else values
        for value in own.itertuples(index=False):
            when = pd.Timestamp(value.date)
            w.text(sheet, row, 0, indicator.fiche_titre)
            w.text(sheet, row, 1, indicator.nom)
            w.text(sheet, row, 2, indicator.indicateur_id)
            w.text(sheet, row, 3, indicator.unite)
            w.date(sheet, row, 4, when.date())
            w.number(sheet, row, 5, value.valeur)
            w.number(sheet, row, 6, targets.get((indicator.indicateur_id, when.year)))
            w.text(sheet, row, 7, value.commentaire, wrap=True)
            w.text(sheet, row, 8, getattr(value, "saisi_par", None))
            row += 1
    if row == 3:
        w.text(sheet, row, 0, "Aucune valeur d'indicateur.")
    sheet.set_column(0, 1, 45)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 3, 12)
    sheet.set_column(4, 6, 13)
    sheet.set_column(7, 7, 50)
    sheet.set_column(8, 8, 14)
    sheet.freeze_panes(3, 0)


# --- Évolutions --------------------------------------------------------------------------

def _section(w: SheetWriter, sheet, row: int, title: str, headers: list[str] | None, empty_phrase: str | None) -> int:
    """A section title (and its header row); returns the next row."""
    w.text(sheet, row, 0, title, style="section")
    row += 1
    if empty_phrase is not None:
        w.text(sheet, row, 0, empty_phrase)
        return row + 2
    if headers:
        w.header(sheet, row, headers)
        row += 1
    return row


def _changes_sheet(w: SheetWriter, sheet, c: ComiteChanges) -> None:
    before_label = f"Comité du {date_fr(c.precedent.date)}" if c.precedent else "Comité précédent"
    after_label = f"Comité du {date_fr(c.comite.date)}"
    w.text(sheet, 0, 0, f"Évolutions depuis le comité précédent — {c.collectivite}", style="title")
    w.text(sheet, 1, 0, (f"Du {c.precedent.libelle} au {c.comite.libelle}" if c.precedent
                         else f"{c.comite.libelle[:1].upper()}{c.comite.libelle[1:]} : premier comité, rien à comparer"))

    row = _section(w, sheet, 3, "Résumé", ["Sujet", "Constat"], None)
    topics = {"evaluation": "Évaluation", "score": "Score", "etoiles": "Étoiles", "statuts": "Statuts",
              "mesures": "Mesures", "indicateurs": "Indicateurs", "imports": "Fichiers importés"}
    for key, topic in topics.items():
        w.text(sheet, row, 0, topic)
        w.text(sheet, row, 1, c.phrases[key], wrap=True)
        row += 1
    row += 1

    row = _section(w, sheet, row, "Score global", ["", before_label, after_label, "Évolution"], None)
    a, b = c.avant, c.apres
    compare = not c.premier_comite
    lines = [
        ("Évaluation en vigueur", "date", c.evaluation_avant if compare else None, c.evaluation_apres, None),
        ("Score réalisé", "percent", a.part_fait if a else (0.0 if compare and b else None),
         b.part_fait if b else None, c.delta_part_fait),
        ("Score programmé", "percent", a.part_programme if a else (0.0 if compare and b else None),
         b.part_programme if b else None,
         (b.part_programme - (a.part_programme if a else 0.0)) if compare and b else None),
        ("Points faits", "points", a.point_fait if a else (0.0 if compare and b else None),
         b.point_fait if b else None, c.delta_points_fait),
        ("Potentiel", "points", a.point_potentiel if a else None, b.point_potentiel if b else None, None),
        ("Étoiles", "integer", a.etoiles if a else None, b.etoiles if b else None, c.delta_etoiles),
    ]
    for label, style, before, after, delta in lines:
        w.text(sheet, row, 0, label)
        for col, value in ((1, before), (2, after)):
            if style == "date":
                w.date(sheet, row, col, value)
            else:
                w.number(sheet, row, col, value, style)
        if delta is not None:
            w.number(sheet, row, 3, delta, "percent" if style == "percent" else style)
        row += 1
    row += 1

    level_headers = ["N°", "Intitulé", f"% fait ({before_label})", f"% fait ({after_label})", "Évolution du % fait",
                     f"Points faits ({before_label})", f"Points faits ({after_label})", "Points faits gagnés ou perdus"]
    for title, frame, phrase in (("Axes", c.axes, "Aucun axe évalué."),
                                 ("Mesures qui ont bougé", c.mesures, c.phrases["mesures"])):
        row = _section(w, sheet, row, title, level_headers, None if len(frame) else phrase)
        if not len(frame):
            continue
        for node in frame.itertuples(index=False):
            w.text(sheet, row, 0, node.action_id)
            w.text(sheet, row, 1, node.nom)
            w.number(sheet, row, 2, node.part_fait_avant, "percent")
            w.number(sheet, row, 3, node.part_fait_apres, "percent")
            w.number(sheet, row, 4, node.delta_part_fait, "percent")
            w.number(sheet, row, 5, node.point_fait_avant, "points")
            w.number(sheet, row, 6, node.point_fait_apres, "points")
            w.number(sheet, row, 7, node.delta_point_fait, "points")
            row += 1
        row += 1

    row = _section(w, sheet, row, "Statuts modifiés",
                   ["N°", "Intitulé", "Niveau", f"Statut ({before_label})", f"Statut ({after_label})",
                    "Points faits gagnés ou perdus", "Commentaire"],
                   None if len(c.statuts) else c.phrases["statuts"])
    if len(c.statuts):
        for node in c.statuts.itertuples(index=False):
            w.text(sheet, row, 0, node.action_id)
            w.text(sheet, row, 1, node.nom)
            w.text(sheet, row, 2, NIVEAU_LABELS.get(str(node.niveau), str(node.niveau)))
            w.text(sheet, row, 3, node.statut_avant)
            w.text(sheet, row, 4, node.statut_apres)
            w.number(sheet, row, 5, node.delta_point_fait, "points")
            w.text(sheet, row, 6, node.commentaire_apres, wrap=True)
            row += 1
        row += 1

    row = _section(w, sheet, row, "Indicateurs",
                   ["Fiche-action", "Indicateur", "Unité", "Date (comité précédent)", "Valeur (comité précédent)",
                    "Date (dernière valeur)", "Dernière valeur", "Évolution", "Nouvelles valeurs", "Année de la cible",
                    "Cible", "Statut"],
                   None if len(c.indicateurs) else c.phrases["indicateurs"])
    if len(c.indicateurs):
        for ind in c.indicateurs.itertuples(index=False):
            w.text(sheet, row, 0, ind.fiche_titre)
            w.text(sheet, row, 1, ind.nom)
            w.text(sheet, row, 2, ind.unite)
            w.date(sheet, row, 3, ind.date_avant)
            w.number(sheet, row, 4, ind.valeur_avant)
            w.date(sheet, row, 5, ind.date_apres)
            w.number(sheet, row, 6, ind.valeur_apres)
            w.number(sheet, row, 7, ind.evolution)
            w.number(sheet, row, 8, ind.nouvelles_valeurs, "integer")
            w.number(sheet, row, 9, None if pd.isna(ind.cible_annee) else int(ind.cible_annee), "integer")
            w.number(sheet, row, 10, ind.cible)
            w.text(sheet, row, 11, STATUT_INDICATEUR_RAPPORT.get(ind.statut, ind.statut))
            row += 1
        row += 1

    row = _section(w, sheet, row, "Nouvelles valeurs d'indicateurs",
                   ["Indicateur", "Unité", "Date", "Valeur", "Commentaire", "Saisi par"],
                   None if len(c.valeurs) else c.phrases["indicateurs"])
    if len(c.valeurs):
        for value in c.valeurs.itertuples(index=False):
            w.text(sheet, row, 0, value.nom)
            w.text(sheet, row, 1, value.unite)
            w.date(sheet, row, 2, value.date)
            w.number(sheet, row, 3, value.valeur)
            w.text(sheet, row, 4, value.commentaire, wrap=True)
            w.text(sheet, row, 5, value.saisi_par)
            row += 1
        row += 1

    row = _section(w, sheet, row, "Fichiers importés", ["Fichier", "Type", "Importé le", "Par", "Résumé"],
                   None if len(c.imports) else c.phrases["imports"])
    for upload in c.imports.itertuples(index=False):
        w.text(sheet, row, 0, upload.filename)
        w.text(sheet, row, 1, KIND_LABELS.get(str(upload.kind), str(upload.kind)))
        w.date(sheet, row, 2, upload.uploaded_at, "datetime")
        w.text(sheet, row, 3, upload.uploaded_by)
        w.text(sheet, row, 4, upload.summary, wrap=True)
        row += 1
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 55)
    sheet.set_column(2, 11, 18)


# --- Comité ------------------------------------------------------------------------------

def _comite_sheet(w: SheetWriter, sheet, c: ComiteChanges) -> None:
    w.text(sheet, 0, 0, f"Comité de pilotage — {c.collectivite}", style="title")
    w.header(sheet, 2, ["", "Ce comité", "Comité précédent"])
    rows = [("Date", "date", lambda k: k.date), ("Titre", "text", lambda k: k.titre),
            ("Participants", "text", lambda k: ", ".join(k.participants)),
            ("Notes et décisions", "wrap", lambda k: k.notes),
            ("Enregistré le", "datetime", lambda k: k.created_at), ("Enregistré par", "text", lambda k: k.created_by)]
    for offset, (label, kind, get) in enumerate(rows, start=3):
        w.text(sheet, offset, 0, label)
        for col, comite in ((1, c.comite), (2, c.precedent)):
            if comite is None:
                if offset == 3 and col == 2:
                    w.text(sheet, offset, col, "Premier comité : aucun comité précédent.")
                continue
            value = get(comite)
            if kind in ("date", "datetime"):
                w.date(sheet, offset, col, value, kind)
            else:
                w.text(sheet, offset, col, value, wrap=kind == "wrap")
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 2, 70)

