"""The tables of a committee's report, prepared once so the dashboard's page, its slides, the PDF
and the XLSX show the same figures: the scores and statuses of the evaluation in force, the %
fait by category of both committees, and « depuis le dernier comité » as display tables (French
texts through cae_data.formatting)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import analyses
from ..comites import ComiteChanges, ComiteHistory, evaluation_rows
from ..fiches.indicateurs import STATUT_INDICATEUR_LABELS
from ..formatting import date_fr, ecart_points, ecart_pourcentage, pourcentage, signed_value, valeur_text


def report_title(changes: ComiteChanges) -> str:
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


def scores_table(history: ComiteHistory, changes: ComiteChanges) -> pd.DataFrame:
    """Every node of the evaluation in force at the committee, in referential order: action_id
    (« Total » for the root), nom, niveau, point_referentiel, point_potentiel, point_fait,
    part_fait, point_programme, part_programme, point_pas_fait, part_pas_fait, statut (the
    platform's word for the node's own status; « Détaillé à la tâche » for a sous-action
    evaluated by its tâches), commentaire. Empty without an evaluation in force."""
    columns = ["action_id", "nom", "niveau", "point_referentiel", "point_potentiel", "point_fait", "part_fait",
               "point_programme", "part_programme", "point_pas_fait", "part_pas_fait", "statut", "commentaire"]
    rows = evaluation_rows(history.scores, changes.evaluation_apres)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    nodes = history.nodes.assign(action_id=history.nodes["action_id"].astype(str))
    points = rows.assign(action_id=rows["action_id"].astype(str)).drop(
        columns=[c for c in ("nom", "niveau", "point_referentiel") if c in rows.columns])
    out = nodes[["action_id", "nom", "niveau", "point_referentiel"]].merge(points, on="action_id", how="inner")
    out = analyses.with_parts(out)
    statuses = evaluation_rows(history.statuses, changes.evaluation_apres)
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


def statuses_table(history: ComiteHistory, changes: ComiteChanges) -> pd.DataFrame:
    """The status rows of the evaluation in force, in referential order: action_id, nom,
    niveau, statut (French text, shares of a détaillé), fait, programme, pas_fait (shares 0–1
    of a détaillé, else NaN), commentaire."""
    columns = ["action_id", "nom", "niveau", "statut", "fait", "programme", "pas_fait", "commentaire"]
    statuses = evaluation_rows(history.statuses, changes.evaluation_apres)
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


def category_frame(history: ComiteHistory, changes: ComiteChanges) -> pd.DataFrame:
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
        rows = evaluation_rows(history.scores, when)
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


def values_until(history: ComiteHistory, when: dt.date) -> pd.DataFrame:
    """Indicator values dated on or before `when` (what the committee of that day could see)."""
    values = history.values
    if values.empty:
        return values
    return values[(pd.to_datetime(values["date"]).dt.date <= when).to_numpy()]


# --- « depuis le dernier comité » as display tables (page, slides, PDF) ------------------------

# The statuses of an indicator in the PDF and the XLSX (the page says « Cible atteinte »).
STATUT_INDICATEUR_RAPPORT = {"atteinte": "Atteinte", "en bonne voie": "En bonne voie", "en retard": "En retard",
                             "pas de cible": "Pas de cible", "données insuffisantes": "Données insuffisantes"}
UPLOAD_KINDS = {"evaluation": "Évaluation", "indicateurs": "Valeurs d'indicateurs", "fiche": "Fiche-action",
                "referentiel": "Référentiel", "collectivite": "Collectivité"}


def comite_rows(comites: list) -> pd.DataFrame:
    """The committees for a table, latest first: Date, Titre, Participants (their number),
    Décisions (« notées » or « à saisir »)."""
    ordered = sorted(comites, key=lambda c: c.date, reverse=True)
    return pd.DataFrame({
        "Date": [date_fr(c.date) for c in ordered],
        "Titre": [c.titre for c in ordered],
        "Participants": [len(c.participants) for c in ordered],
        "Décisions": ["notées" if c.notes.strip() else "à saisir" for c in ordered],
    })


def ranked_moves(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest moves of points faits first, then the referential's order."""
    order = frame["delta_point_fait"].astype(float).abs().round(9)
    return frame.assign(_rang=order.to_numpy()).sort_values("_rang", ascending=False, kind="stable").drop(
        columns="_rang").reset_index(drop=True)


def compact_status(code: str, text: str, fait, programme) -> str:
    """« Détaillé : fait 80 %, programmé 20 % » (shares at 0 left out) for a narrow cell; other
    statuses as their French text."""
    if code != "detaille":
        return str(text)
    parts = [f"{name} {pourcentage(share, 0)}" for name, share in (("fait", fait), ("programmé", programme))
             if share is not None and share == share and share > 0]
    return "Détaillé : " + (", ".join(parts) if parts else f"pas fait {pourcentage(1.0, 0)}")


def level_change_rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """ComiteChanges.axes / .mesures for a table: N°, `label`, % fait avant, % fait après,
    Évolution (points of %), Points faits (signed), Points programmés (signed)."""
    return pd.DataFrame({
        "N°": frame["action_id"].astype(str).to_numpy(),
        label: frame["nom"].astype(str).to_numpy(),
        "% fait avant": [pourcentage(v) for v in frame["part_fait_avant"]],
        "% fait après": [pourcentage(v) for v in frame["part_fait_apres"]],
        "Évolution": [ecart_pourcentage(v) for v in frame["delta_part_fait"]],
        "Points faits": [ecart_points(v) for v in frame["delta_point_fait"]],
        "Points programmés": [ecart_points(v) for v in frame["delta_point_programme"]],
    })


def category_change_rows(categories: pd.DataFrame) -> pd.DataFrame:
    """`category_frame` for a table: Catégorie, one column per committee (« Comité du
    12/11/2026 », the previous one first) and Évolution when there are two."""
    series = list(dict.fromkeys(categories["serie"].astype(str)))
    names = list(dict.fromkeys(categories["categorie"].astype(str)))
    out = pd.DataFrame({"Catégorie": [c[:1].upper() + c[1:] for c in names]})
    shares = {}
    for name in series:
        rows = categories[categories["serie"].astype(str) == name]
        values = dict(zip(rows["categorie"].astype(str), rows["part_fait"].astype(float)))
        shares[name] = [values.get(c, float("nan")) for c in names]
        out[name.split(" (")[0]] = [pourcentage(v) for v in shares[name]]
    if len(series) == 2:
        out["Évolution"] = [ecart_pourcentage(b - a) for a, b in zip(shares[series[0]], shares[series[1]])]
    return out


def status_change_rows(statuts: pd.DataFrame) -> pd.DataFrame:
    """ComiteChanges.statuts for a table: Action, Intitulé, Avant, Après, Points faits
    (gained + / lost −), Points programmés."""
    return pd.DataFrame({
        "Action": statuts["action_id"].astype(str).to_numpy(),
        "Intitulé": statuts["nom"].astype(str).to_numpy(),
        "Avant": [compact_status(s.code_avant, s.statut_avant, s.fait_avant, s.programme_avant)
                  for s in statuts.itertuples(index=False)],
        "Après": [compact_status(s.code_apres, s.statut_apres, s.fait_apres, s.programme_apres)
                  for s in statuts.itertuples(index=False)],
        "Points faits": [ecart_points(v) for v in statuts["delta_point_fait"]],
        "Points programmés": [ecart_points(v) for v in statuts["delta_point_programme"]],
    })


def indicateur_change_rows(indicateurs: pd.DataFrame) -> pd.DataFrame:
    """ComiteChanges.indicateurs for a table: Indicateur, Au comité précédent, Dernière
    valeur, Évolution, Nouvelles valeurs, Cible, Statut."""
    rows = []
    for ind in indicateurs.itertuples(index=False):
        unite = ind.unite if isinstance(ind.unite, str) else ""
        before = ("—" if pd.isna(ind.valeur_avant)
                  else f"{valeur_text(ind.valeur_avant, unite)} ({date_fr(ind.date_avant)})")
        after = ("—" if pd.isna(ind.valeur_apres)
                 else f"{valeur_text(ind.valeur_apres, unite)} ({date_fr(ind.date_apres)})")
        target = "—" if pd.isna(ind.cible) else f"{valeur_text(ind.cible, unite)} en {int(ind.cible_annee)}"
        rows.append({
            "Indicateur": ind.nom, "Au comité précédent": before, "Dernière valeur": after,
            "Évolution": signed_value(ind.evolution), "Nouvelles valeurs": int(ind.nouvelles_valeurs),
            "Cible": target, "Statut": STATUT_INDICATEUR_LABELS.get(ind.statut, str(ind.statut)),
        })
    return pd.DataFrame(rows, columns=["Indicateur", "Au comité précédent", "Dernière valeur", "Évolution",
                                       "Nouvelles valeurs", "Cible", "Statut"])


def new_value_rows(valeurs: pd.DataFrame) -> pd.DataFrame:
    """ComiteChanges.valeurs for a table: Date, Indicateur, Valeur, Commentaire, Saisie par."""
    return pd.DataFrame({
        "Date": [date_fr(d) for d in valeurs["date"]],
        "Indicateur": valeurs["nom"].astype(str).to_numpy(),
        "Valeur": [valeur_text(v, u if isinstance(u, str) else "")
                   for v, u in zip(valeurs["valeur"], valeurs["unite"])],
        "Commentaire": valeurs["commentaire"].fillna("").astype(str).to_numpy(),
        "Saisie par": [s if isinstance(s, str) and s else "non identifié" for s in valeurs["saisi_par"]],
    })


def upload_rows(imports: pd.DataFrame) -> pd.DataFrame:
    """ComiteChanges.imports for a table: Fichier, Type, Par, Le (jj/mm/aaaa à hh:mm), Résumé."""
    return pd.DataFrame({
        "Fichier": imports["filename"].astype(str).to_numpy(),
        "Type": [UPLOAD_KINDS.get(k, str(k)) for k in imports["kind"]],
        "Par": [u if isinstance(u, str) and u else "non identifié" for u in imports["uploaded_by"]],
        "Le": [pd.Timestamp(t).strftime("%d/%m/%Y à %H:%M") for t in imports["uploaded_at"]],
        "Résumé": imports["summary"].fillna("").astype(str).to_numpy(),
    })
