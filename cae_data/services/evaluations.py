"""Evaluations: validate a file, import it (archived, one transaction), read them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .. import auth, clock, store
from ..archive import archive_upload, sha256_of
from ..errors import NoChange
from ..evaluation.reader import read_evaluation
from ..formatting import points
from .common import check_size, record_archived
from .scores import compute_scores


@dataclass
class EvaluationOutcome:
    collectivite: str
    date: date
    referentiel: str
    rows: int
    action: str  # "créée", "remplacée" or "identique"


@dataclass
class ImportResult:
    filename: str
    sha256: str
    upload_id: int | None
    outcomes: list[EvaluationOutcome]
    messages: list[str]

    @property
    def changed(self) -> bool:
        return any(o.action != "identique" for o in self.outcomes)


def read_evaluation_file(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                         on_date: date | None = None, today: date | None = None):
    """Validate a whole evaluation file against the database's referentials; writes nothing."""
    check_size(data, filename)
    with store.reading(db_path) as con:
        ids = store.referentiel_levels(con)
        known = store.collectivite_names(con)
    today = today or clock.today()
    return read_evaluation(
        data, filename, ids, collectivite=collectivite, date=on_date, fallback_date=today,
        known_collectivites=known, today=today,
    )


def import_evaluation(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                      on_date: date | None = None, user: str | None = None,
                      today: date | None = None, auteur: str | None = None) -> ImportResult:
    """Validate, archive the raw file, then replace the evaluations it holds in one transaction.
    The same file imported again changes nothing. `auteur` is who the file is recorded as
    brought by (default: `user`; the demo's « démo »)."""
    auth.require_role(db_path, user, auth.EDITION)
    evaluation = read_evaluation_file(db_path, data, filename, collectivite, on_date, today)
    rows = evaluation.rows
    digest = sha256_of(data)
    keys = [tuple(k) for k in rows[["collectivite", "date", "referentiel"]].drop_duplicates().itertuples(index=False)]
    archived = archive_upload(db_path, data, filename)
    messages: list[str] = [str(w) for w in evaluation.warnings]
    unchanged: ImportResult | None = None
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        previous = store.evaluation_digests(con)
        if keys and all(previous.get(k) == digest for k in keys):
            outcomes = [EvaluationOutcome(c, d, r, int(((rows.collectivite == c) & (rows.date == d)).sum()), "identique")
                        for c, d, r in keys]
            unchanged = ImportResult(filename, digest, None, outcomes, messages + ["Fichier déjà importé : rien n'a changé."])
            raise NoChange
        upload_id = record_archived(con, db_path, archived, "evaluation", len(rows), auteur or user, evaluation.kind)
        for nom in sorted({k[0] for k in keys}):
            if store.ensure_collectivite(con, nom):
                messages.append(f"Collectivité « {nom} » créée : complétez son profil avec pcaet collectivite set.")
        store.replace_evaluations(con, keys, upload_id, rows)
        outcomes = [
            EvaluationOutcome(c, d, r, int(((rows.collectivite == c) & (rows.date == d) & (rows.referentiel == r)).sum()),
                              "remplacée" if (c, d, r) in previous else "créée")
            for c, d, r in keys
        ]
        store.record_journal(con, user, "evaluation", filename, " ; ".join(
            f"{o.collectivite} au {o.date.strftime('%d/%m/%Y')} : {o.rows} ligne{'s' if o.rows > 1 else ''}, "
            f"évaluation {o.action}"
            for o in outcomes), upload_id=upload_id)
    if unchanged is not None:
        return unchanged
    if evaluation.expected_points is not None:
        messages.extend(compare_with_file_points(db_path, evaluation))
    return ImportResult(filename, digest, upload_id, outcomes, messages)


def compare_with_file_points(db_path: Path, evaluation, tolerance: float = 0.0015) -> list[str]:
    """An export of the official platform carries its points: recompute the imported
    evaluation here and say whether they match, node for node (mesures and below, since an
    export may cover only some mesures), naming the first differences."""
    collectivite, on_date = evaluation.collectivites[0], evaluation.dates[0]
    scores = compute_scores(db_path, collectivite=collectivite, on_date=on_date)
    scores = scores[scores["niveau"].astype(str).isin(["mesure", "sous-action", "tache"])]
    merged = evaluation.expected_points.merge(scores.assign(action_id=scores["action_id"].astype(str)),
                                              on="action_id", suffixes=("_fichier", ""))
    labels = {"point_potentiel": "potentiel", "point_fait": "points faits",
              "point_programme": "points programmés", "point_pas_fait": "points pas faits"}
    differences = []
    for column, label in labels.items():
        off = merged[(merged[f"{column}_fichier"] - merged[column]).abs() > tolerance]
        differences += [f"{r.action_id} : {label} {points(getattr(r, column + '_fichier'))} dans le fichier, "
                        f"{points(getattr(r, column))} recalculés" for r in off.itertuples()]
    if not differences:
        return [f"Points recalculés identiques à ceux du fichier ({len(merged)} mesures, sous-actions et tâches)."]
    shown = "\n  ".join(differences[:10])
    more = f"\n  … et {len(differences) - 10} autres écarts" if len(differences) > 10 else ""
    count = len(differences)
    return [f"Attention : {count} écart{'s' if count > 1 else ''} entre les points du fichier et le calcul (profil de la "
            f"collectivité à compléter ?) :\n  {shown}{more}"]


def evaluation_dates(db_path: Path, collectivite: str, referentiel: str = "cae") -> list[date]:
    """Dates of the collectivity's evaluations, oldest first."""
    with store.reading(db_path) as con:
        return store.evaluation_dates(con, collectivite, referentiel)


def statuses_at(db_path: Path, collectivite: str, on_date: date, referentiel: str = "cae") -> pd.DataFrame:
    """The status rows of one evaluation with their comments: action_id, statut, fait,
    programme, pas_fait, commentaire (empty frame when there is no such evaluation)."""
    with store.reading(db_path) as con:
        return store.statuses_at(con, collectivite, on_date, referentiel)
