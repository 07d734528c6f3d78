"""Reports of a steering committee: a PDF deck (pdf.py, one A4 landscape slide a page) and an
XLSX workbook (xlsx.py), built from a `comites.CommitteeHistory` and its `CommitteeChanges`.
The tables both formats show are prepared here, once, so the PDF, the XLSX and the dashboard
give the same figures (French display through `cae_data.formatting`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import analyses
from ..comites import CommitteeChanges, CommitteeHistory, _evaluation_rows
from ..formatting import date_fr


class ReportError(RuntimeError):
    """A report could not be produced (no font, no browser for the charts…); French message."""


def build_report(fmt: str, history: CommitteeHistory, changes: CommitteeChanges) -> bytes:
    if fmt == "pdf":
        from .pdf import build_pdf

        return build_pdf(history, changes)
    if fmt == "xlsx":
        from .xlsx import build_xlsx

        return build_xlsx(history, changes)
    raise ValueError(f"format de rapport inconnu « {fmt} »")


def report_title(changes: CommitteeChanges) -> str:
    """« CAPSO — Comité de pilotage du 19/11/2026 »."""
    return f"{changes.collectivite} — Comité de pilotage du {date_fr(changes.comite.date)}"


# Status words of the official platform's score export (what its importer reads back).
TET_STATUS_LABELS = {
    "fait": "Fait", "programme": "Programmé", "pas_fait": "Pas fait", "non_concerne": "Non concerné",
    "non_renseigne": "Non renseigné", "detaille": "Détaillé au %",
}
TET_DETAILLE_TACHE = "Détaillé à la tâche"
SCORE_HEADERS = ["N°", "Intitulé", "Potentiel max", "Potentiel personnalisé", "Points faits", "% fait",
                 "Points programmés", "% programmé", "Points pas faits", "% pas fait", "Statut", "Commentaire"]


def scores_table(history: CommitteeHistory, changes: CommitteeChanges) -> pd.DataFrame:
    """Every node of the evaluation in force at the committee, in referential order: action_id
    (« Total » for the root), nom, niveau, point_referentiel, point_potentiel, point_fait,
    part_fait, point_programme, part_programme, point_pas_fait, part_pas_fait, statut (the
    platform's word for the node's own status; « Détaillé à la tâche » for a sous-action
    evaluated by its tâches), commentaire. Empty without an evaluation in force."""
    columns = ["action_id", "nom", "niveau", "point_referentiel", "point_potentiel", "point_fait", "part_fait",
               "point_programme", "part_programme", "point_pas_fait", "part_pas_fait", "statut", "commentaire"]
    rows = _evaluation_rows(history.scores, changes.evaluation_apres)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    nodes = history.nodes.assign(action_id=history.nodes["action_id"].astype(str))
    points = rows.assign(action_id=rows["action_id"].astype(str)).drop(
        columns=[c for c in ("nom", "niveau", "point_referentiel") if c in rows.columns])
    out = nodes[["action_id", "nom", "niveau", "point_referentiel"]].merge(points, on="action_id", how="inner")
    out = analyses._with_parts(out)
    statuses = _evaluation_rows(history.statuses, changes.evaluation_apres)
    own = dict(zip(statuses["action_id"].astype(str), statuses["statut"]))
    comments = dict(zip(statuses["action_id"].astype(str), statuses["commentaire"].fillna("")))
    evaluated_parents = {a.rsplit(".", 1)[0] for a in own if "." in a}
    labels = []
    for action_id, niveau in zip(out["action_id"], out["niveau"].astype(str)):
        if action_id in own:
            labels.append(TET_STATUS_LABELS.get(own[action_id], str(own[action_id])))
        elif niveau == "sous-action" and action_id in evaluated_parents:
            labels.append(TET_DETAILLE_TACHE)
        else:
            labels.append("")
    out["statut"] = labels
    out["commentaire"] = out["action_id"].map(comments).fillna("")
    out["action_id"] = out["action_id"].where(out["action_id"] != "", "Total")
    return out[columns].reset_index(drop=True)


def statuses_table(history: CommitteeHistory, changes: CommitteeChanges) -> pd.DataFrame:
    """The status rows of the evaluation in force, in referential order: action_id, nom,
    niveau, statut (French text, shares of a détaillé), fait, programme, pas_fait (shares 0–1
    of a détaillé, else NaN), commentaire."""
    columns = ["action_id", "nom", "niveau", "statut", "fait", "programme", "pas_fait", "commentaire"]
    statuses = _evaluation_rows(history.statuses, changes.evaluation_apres)
    if statuses.empty:
        return pd.DataFrame(columns=columns)
    frame = statuses.assign(action_id=statuses["action_id"].astype(str))
    frame["texte"] = analyses.status_texts(frame).to_numpy()
    nodes = history.nodes.assign(action_id=history.nodes["action_id"].astype(str))
    out = nodes[["action_id", "nom", "niveau"]].merge(frame, on="action_id", how="inner")
    detail = out["statut"].eq("detaille").to_numpy()
    for share in ("fait", "programme", "pas_fait"):
        out[share] = out[share].astype(float).where(detail, np.nan)
    out["statut"] = out["texte"]
    out["commentaire"] = out["commentaire"].fillna("")
    return out[columns].reset_index(drop=True)


def series_label(comite_label: str, evaluation: dt.date | None) -> str:
    return f"{comite_label} (évaluation du {date_fr(evaluation)})"


def category_frame(history: CommitteeHistory, changes: CommitteeChanges) -> pd.DataFrame:
    """% fait by category (bases, mise en œuvre, effets) of the evaluations in force at the
    previous committee and at this one: serie (French label), categorie, part_fait, in that
    order (the previous committee first when there is one)."""
    parts = []
    wanted = []
    if changes.precedent is not None and changes.evaluation_avant is not None:
        wanted.append((f"Comité du {date_fr(changes.precedent.date)}", changes.evaluation_avant))
    if changes.evaluation_apres is not None:
        wanted.append((f"Comité du {date_fr(changes.comite.date)}", changes.evaluation_apres))
    for label, when in wanted:
        rows = _evaluation_rows(history.scores, when)
        if rows.empty:
            continue
        by_category = analyses.scores_by_category(rows, nodes=history.nodes)
        parts.append(pd.DataFrame({
            "serie": series_label(label, when), "categorie": by_category["categorie"].astype(str).to_numpy(),
            "part_fait": by_category["part_fait"].to_numpy(dtype=float),
        }))
    if not parts:
        return pd.DataFrame({"serie": [], "categorie": [], "part_fait": []})
    return pd.concat(parts, ignore_index=True)


def values_until(history: CommitteeHistory, when: dt.date) -> pd.DataFrame:
    """Indicator values dated on or before `when` (what the committee of that day could see)."""
    values = history.values
    if values.empty:
        return values
    return values[(pd.to_datetime(values["date"]).dt.date <= when).to_numpy()]


def ecart_pourcentage(delta: float | None) -> str:
    """A change of share in percentage points: +0,8 pt, −1,2 pt, 0 pt."""
    from ..formatting import nombre

    if delta is None or delta != delta:
        return "–"
    rounded = round(delta * 100, 1)
    if rounded == 0:
        return "0\u00a0pt"
    return ("+" if rounded > 0 else "−") + nombre(abs(rounded), 1) + "\u00a0pt"
