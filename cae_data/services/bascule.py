"""« Passer à Climat Ressources »: what the switch from CAE/ECI to the 2026 referential (TE) does
to a collectivity's evaluation (cae_data/bascule/, docs/bascule.md), as plain functions over a
database path: `simuler` (reads, for the command line and the page), `appliquer` (writes the
projection as a TE evaluation, one transaction with its journal line) and `annuler` (removes
it; the CAE history stays)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import auth, store
from ..bascule import SourceOrigine, projeter, synthese
from ..bascule.synthese import Bascule
from ..bascule.xlsx import build_xlsx
from ..errors import NoChange, Refused
from ..formatting import date_fr, pourcentage
from ..personnalisation.profile import Profile
from ..referentiel.model import SOURCE_KIND_TE
from .common import require_referentiel
from .scores import SCORE_FIELDS, only_collectivite, scores_csv, scores_for_output

CAE, ECI = "cae", "eci"
STATUS_FIELDS = ["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"]


@dataclass
class BasculeEcrite:
    """What `appliquer` / `annuler` did: the TE evaluation of `collectivite` at `date`,
    `action` « créée », « remplacée », « identique » or « retirée », with `statuts` rows."""

    collectivite: str
    date: date
    referentiel: str
    action: str
    statuts: int
    score: float | None = None
    etoiles: int | None = None

    def message(self) -> str:
        where = f"Évaluation Climat Ressources ({self.referentiel}) de {self.collectivite} au {date_fr(self.date)}"
        if self.action == "identique":
            return f"{where} : déjà écrite à l'identique, rien n'a changé."
        if self.action == "retirée":
            return f"{where} retirée ({self.statuts} statut(s)) ; l'historique CAE est conservé."
        return (f"{where} {self.action} : {self.statuts} statut(s) projeté(s), score {pourcentage(self.score)}, "
                f"{self.etoiles} étoile(s).")


def te_referentiel_name(con: store.Connection) -> str:
    """The loaded referential scored by the TE rules (source « csv-te »); « te » when several."""
    names = [nom for nom in store.referentiel_names(con)
             if (store.referentiel_info(con, nom) or {}).get("source_kind") == SOURCE_KIND_TE]
    if not names:
        raise Refused("Aucun référentiel Climat Ressources (TE) dans la base : chargez te-structure.csv avec "
                      "pcaet referentiel import.")
    return "te" if "te" in names else names[0]


def _entrees(con: store.Connection, collectivite: str | None, on_date: date | None):
    """Everything the projection reads, through one connection: TE, CAE (and ECI when loaded),
    the collectivity's profile and evaluations."""
    te_nom = te_referentiel_name(con)
    te = require_referentiel(con, te_nom)
    cae = store.load_referentiel(con, CAE)
    if cae is None:
        raise Refused("Aucun référentiel « cae » dans la base : chargez-le avec pcaet referentiel import avant de "
                      "simuler la bascule.")
    profiles = store.load_profiles(con)
    evaluated = store.evaluation_keys(con, CAE)
    names = sorted(set(evaluated["collectivite"])) or sorted(profiles)
    collectivite = only_collectivite(names, collectivite, set(profiles) | set(evaluated["collectivite"]))
    dates = [d for d in store.evaluation_dates(con, collectivite, CAE)]
    if not dates:
        raise Refused(f"Aucune évaluation CAE de « {collectivite} » : importez-en une (pcaet evaluation import) "
                      "avant de simuler la bascule.")
    if on_date is None:
        on_date = dates[-1]
    elif on_date not in dates:
        raise Refused(f"Aucune évaluation CAE de « {collectivite} » au {date_fr(on_date)} (évaluations : "
                      + ", ".join(date_fr(d) for d in dates) + ").")
    sources = {CAE: SourceOrigine(cae, _statuses(store.statuses_at(con, collectivite, on_date, CAE)), on_date)}
    # ECI counts when the collectivity follows it here: the referential is loaded and evaluated
    # on or before that date (its latest such evaluation), as the platform reads the referentials
    # a collectivity has in « write » mode.
    date_eci = None
    if ECI in store.referentiel_names(con):
        before = [d for d in store.evaluation_dates(con, collectivite, ECI) if d <= on_date]
        if before:
            date_eci = before[-1]
            sources[ECI] = SourceOrigine(store.load_referentiel(con, ECI),
                                         _statuses(store.statuses_at(con, collectivite, date_eci, ECI)), date_eci)
    profile = profiles.get(collectivite) or Profile(nom=collectivite)
    return te, profile, sources, collectivite, on_date, date_eci


def _statuses(frame: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["action_id", "statut", "fait", "programme", "pas_fait"]
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in columns[2:] else object) for c in columns})
    return frame[columns].reset_index(drop=True)


def simuler_bascule(db_path: Path, collectivite: str | None = None, on_date: date | None = None) -> Bascule:
    """The projection of the collectivity's CAE evaluation at `on_date` (its latest when None;
    with its ECI one when an « eci » referential is loaded and evaluated: the latest on or before
    that date) onto Climat Ressources, and everything the page shows (bascule.synthese.Bascule). Writes
    nothing."""
    with store.reading(db_path) as con:
        te, profile, sources, collectivite, on_date, date_eci = _entrees(con, collectivite, on_date)
    return synthese(projeter(te, profile, sources), collectivite, on_date, date_eci, CAE)


def bascule_scores(bascule: Bascule) -> pd.DataFrame:
    """The projected TE scores with the fields of `pcaet scores` (unrounded; round with
    services.scores_for_output), `referentiel` = the TE referential's name."""
    scores = bascule.projection.scores.copy()
    scores.insert(0, "referentiel", bascule.te.nom)
    return scores[SCORE_FIELDS]


def bascule_csv(bascule: Bascule) -> bytes:
    """`pcaet bascule simuler --format csv`: exactly the CSV of `pcaet scores`."""
    return scores_csv(bascule_scores(bascule), with_keys=False)


def bascule_json(bascule: Bascule) -> str:
    return scores_for_output(bascule_scores(bascule), with_keys=False).to_json(orient="records", force_ascii=False,
                                                                                indent=1)


def bascule_xlsx(bascule: Bascule) -> bytes:
    """The whole table as a workbook (French headers, formula-like texts neutralised)."""
    return build_xlsx(bascule)


def _same_statuses(current: pd.DataFrame, new: pd.DataFrame) -> bool:
    if len(current) != len(new):
        return False
    a = current[STATUS_FIELDS].sort_values("action_id").reset_index(drop=True)
    b = new[STATUS_FIELDS].sort_values("action_id").reset_index(drop=True)
    if not (a["action_id"].astype(str).equals(b["action_id"].astype(str))
            and a["statut"].astype(str).equals(b["statut"].astype(str))
            and a["commentaire"].fillna("").astype(str).equals(b["commentaire"].fillna("").astype(str))):
        return False
    for column in ("fait", "programme", "pas_fait"):
        x, y = a[column].to_numpy(dtype=np.float64), b[column].to_numpy(dtype=np.float64)
        if not np.all((np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-12)):
            return False
    return True


def appliquer_bascule(db_path: Path, collectivite: str | None = None, on_date: date | None = None,
              user: str | None = None) -> BasculeEcrite:
    """Write the projection as the collectivity's TE evaluation at the CAE evaluation's date, with
    the statuses the platform writes (projection.statuts), in one transaction with its journal
    line. Refused for a reader. The same projection again writes nothing (no journal line, no
    new data version). A TE evaluation already at that date is replaced when an earlier
    `appliquer` wrote it, refused when it came from a file (nothing is lost)."""
    auth.require_role(db_path, user, auth.EDITION)
    outcome: BasculeEcrite | None = None
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        te, profile, sources, collectivite, on_date, _ = _entrees(con, collectivite, on_date)
        projection = projeter(te, profile, sources)
        statuts = projection.statuts
        exists, upload_id = store.evaluation_upload(con, collectivite, on_date, te.nom)
        if exists and upload_id is not None:
            raise Refused(f"Une évaluation Climat Ressources de « {collectivite} » au {date_fr(on_date)} vient d'un "
                          "fichier importé : la bascule ne l'écrase pas. Choisissez une évaluation CAE d'une autre date "
                          "(--date) ou retirez ce fichier.")
        score = float(projection.etoiles_statuts["score_realise"])
        etoiles = int(projection.etoiles_statuts["etoiles"])
        if exists and _same_statuses(store.statuses_at(con, collectivite, on_date, te.nom), statuts):
            outcome = BasculeEcrite(collectivite, on_date, te.nom, "identique", len(statuts), score, etoiles)
            raise NoChange
        rows = statuts.assign(collectivite=collectivite, date=on_date, referentiel=te.nom)
        store.replace_evaluations(con, [(collectivite, on_date, te.nom)], None, rows)
        action = "remplacée" if exists else "créée"
        store.record_journal(
            con, user, "bascule", f"{collectivite} au {date_fr(on_date)}",
            f"évaluation Climat Ressources « {te.nom} » {action} depuis l'évaluation CAE du {date_fr(on_date)} : "
            f"{len(statuts)} statut(s) projeté(s), score {pourcentage(score)}, {etoiles} étoile(s)")
        outcome = BasculeEcrite(collectivite, on_date, te.nom, action, len(statuts), score, etoiles)
    return outcome


def annuler_bascule(db_path: Path, on_date: date, collectivite: str | None = None, user: str | None = None) -> BasculeEcrite:
    """Remove the TE evaluation that `appliquer` wrote at `on_date` (the CAE history is never
    touched), in one transaction with its journal line. Refused for a reader, when there is no
    such evaluation, and when that evaluation came from a file."""
    auth.require_role(db_path, user, auth.EDITION)
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        te_nom = te_referentiel_name(con)
        profiles = store.load_profiles(con)
        evaluated = store.evaluation_keys(con, te_nom)
        names = sorted(set(evaluated["collectivite"])) or sorted(profiles)
        collectivite = only_collectivite(names, collectivite, set(profiles) | set(evaluated["collectivite"]))
        exists, upload_id = store.evaluation_upload(con, collectivite, on_date, te_nom)
        if not exists:
            raise Refused(f"Aucune évaluation Climat Ressources de « {collectivite} » au {date_fr(on_date)} : "
                          "rien à annuler.")
        if upload_id is not None:
            raise Refused(f"L'évaluation Climat Ressources de « {collectivite} » au {date_fr(on_date)} vient d'un "
                          "fichier importé : pcaet bascule annuler ne retire que ce que pcaet bascule appliquer a écrit.")
        removed = store.delete_evaluation(con, collectivite, on_date, te_nom)
        store.record_journal(con, user, "bascule", f"{collectivite} au {date_fr(on_date)}",
                             f"bascule annulée : évaluation Climat Ressources « {te_nom} » retirée ({removed} "
                             "statut(s)) ; l'historique CAE est conservé")
    return BasculeEcrite(collectivite, on_date, te_nom, "retirée", removed)
