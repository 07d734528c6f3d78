"""Blank evaluation files offered for download: one row per sous-action and tâche of a
referential, in reading order, ready to be filled in and imported back (evaluation-csv.md)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from .reader import EVALUATION_SHEET
from .statuses import LABELS

TEMPLATE_COLUMNS = ["action_id", "intitule", "statut", "fait", "programme", "pas_fait", "commentaire"]
HELP_SHEET = "aide"
EVALUABLE_LEVELS = ("sous-action", "tache")
FORMULA_STARTS = ("=", "+", "-", "@")

HELP_ROWS = [
    ("action_id", "Identifiant de la sous-action ou de la tâche (6.1.1.2, 6.1.1.2.3). Ne pas modifier. "
                  "Le préfixe du référentiel est accepté (cae_6.1.1.2)."),
    ("intitule", "Intitulé, pour se repérer ; cette colonne n'est pas lue à l'import."),
    ("statut", "fait, programmé, pas fait, non concerné, non renseigné ou détaillé (liste déroulante). "
               "Majuscules et accents indifférents. Une ligne laissée vide n'est pas importée : "
               "l'action reste non renseignée."),
    ("fait, programme, pas_fait", "Seulement pour le statut « détaillé » : parts en pourcentage (0 à 100, "
                                  "virgule ou point décimal) dont la somme fait 100. Ignorées pour les "
                                  "autres statuts."),
    ("commentaire", "Texte libre, conservé tel quel et affiché dans le tableau de bord."),
    ("date, collectivite", "Colonnes facultatives à ajouter si besoin : date d'évaluation (AAAA-MM-JJ ou "
                           "JJ/MM/AAAA) et nom de la collectivité ; sinon elles sont indiquées à l'import."),
    ("Règles", "Une même action ne peut figurer qu'une fois pour une collectivité et une date. "
               "Si une seule ligne est en erreur, tout le fichier est refusé et la liste des erreurs "
               "indique la ligne et la colonne de chacune."),
]


def template_rows(nodes: pd.DataFrame, prefix: str = "", levels: tuple[str, ...] = EVALUABLE_LEVELS) -> pd.DataFrame:
    """The nodes of `nodes` (model.NODE_COLUMNS) that take a status (`levels`: sous-actions and
    tâches; TE's sous-mesures only), in their order; ids prefixed with `prefix` (« te_ ») so that
    a file of another referential than cae names it."""
    evaluable = nodes[nodes["niveau"].isin(levels)]
    return pd.DataFrame({
        "action_id": prefix + evaluable["action_id"].astype(str).to_numpy(dtype=object),
        "intitule": evaluable["nom"].fillna("").astype(str).to_numpy(),
        "niveau": evaluable["niveau"].to_numpy(),
    })


def _safe_text(text: str) -> str:
    """A title opened by a spreadsheet must not run as a formula."""
    text = " ".join(str(text).split())
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def template_csv(nodes: pd.DataFrame, prefix: str = "", levels: tuple[str, ...] = EVALUABLE_LEVELS) -> bytes:
    """UTF-8 with BOM (so that Excel reads the accents), `;`-separated, one row per node that takes a
    status (see `template_rows`)."""
    rows = template_rows(nodes, prefix, levels)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for action_id, intitule in zip(rows["action_id"], rows["intitule"]):
        writer.writerow([action_id, _safe_text(intitule), "", "", "", "", ""])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def template_xlsx(nodes: pd.DataFrame, prefix: str = "", levels: tuple[str, ...] = EVALUABLE_LEVELS) -> bytes:
    """A workbook with the sheet « evaluation » (status drop-down, shares checked 0–100) and a
    sheet « aide » explaining the columns."""
    import xlsxwriter

    rows = template_rows(nodes, prefix, levels)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
    sous_action = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    tache = workbook.add_format({"indent": 1, "text_wrap": True, "valign": "top"})
    id_format = workbook.add_format({"num_format": "@", "valign": "top"})
    text_format = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet(EVALUATION_SHEET)
    for c, name in enumerate(TEMPLATE_COLUMNS):
        sheet.write_string(0, c, name, header)
    widths = [13, 70, 16, 11, 12, 11, 50]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)
    for r, (action_id, intitule, niveau) in enumerate(zip(rows["action_id"], rows["intitule"], rows["niveau"]), start=1):
        sheet.write_string(r, 0, action_id, id_format)
        sheet.write_string(r, 1, " ".join(intitule.split()), sous_action if niveau == "sous-action" else tache)
    last = max(len(rows), 1)
    sheet.data_validation(1, 2, last, 2, {
        "validate": "list",
        "source": list(LABELS.values()),
        "input_title": "Statut",
        "input_message": "Choisissez un statut ; « détaillé » demande les parts fait, programme et pas_fait.",
        "error_title": "Statut inconnu",
        "error_message": "Choisissez : " + ", ".join(LABELS.values()) + ".",
    })
    sheet.data_validation(1, 3, last, 5, {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": 100,
        "input_title": "Part en %",
        "input_message": "Seulement pour « détaillé » : un pourcentage entre 0 et 100 ; les trois parts font 100.",
        "error_title": "Part invalide",
        "error_message": "Un pourcentage entre 0 et 100 est attendu.",
    })
    sheet.set_column(6, 6, 50, text_format)
    sheet.autofilter(0, 0, last, len(TEMPLATE_COLUMNS) - 1)

    aide = workbook.add_worksheet(HELP_SHEET)
    aide.set_column(0, 0, 26)
    aide.set_column(1, 1, 100, text_format)
    aide.write_string(0, 0, "Colonne", header)
    aide.write_string(0, 1, "Ce qu'il faut y mettre", header)
    for r, (name, text) in enumerate(HELP_ROWS, start=1):
        aide.write_string(r, 0, name, sous_action)
        aide.write_string(r, 1, text, text_format)
    workbook.close()
    return buffer.getvalue()
