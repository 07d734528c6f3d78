"""Values of the fiches' indicators: import of a file (docs/import-indicateurs.md), one value
typed in a form, export, and the reads of the indicator pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .. import auth, clock, store
from ..archive import archive_upload, sha256_of
from ..fiches.indicateurs import (
    check_single_value,
    clean_comment,
    export_frame,
    indicateur_statuses,
    read_indicateur_values,
)
from .common import check_size, record_archived


@dataclass
class IndicateurImportResult:
    filename: str
    sha256: str
    upload_id: int | None
    rows: int
    created: int  # values new to the database
    replaced: int  # values that replaced another one (or its comment) at the same date
    unchanged: int  # values already there, identical
    targets: int  # targets created or changed
    messages: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.targets)


@dataclass
class _IndicateurPlan:
    values: pd.DataFrame  # rows to write: indicateur_id, date, valeur, commentaire
    targets: pd.DataFrame  # indicateur_id, annee, valeur
    created: int
    replaced: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(len(self.values) or len(self.targets))


def _plan_indicateur_rows(con, rows: pd.DataFrame) -> _IndicateurPlan:
    """What a validated file changes: values new or different (value or comment) and targets
    new or different. A file without a commentaire column keeps the stored comments."""
    measured = rows[rows["valeur"].notna()]
    incoming = pd.DataFrame({
        "indicateur_id": measured["indicateur_id"].astype(str),
        "date": pd.to_datetime(measured["date"]).astype("datetime64[ns]"),
        "valeur": measured["valeur"].astype("float64"),
        "commentaire": measured["commentaire"].astype(object),
    })
    stored = store.indicateur_values(con)
    stored = pd.DataFrame({
        "indicateur_id": stored["indicateur_id"].astype(str),
        "date": pd.to_datetime(stored["date"]).astype("datetime64[ns]"),
        "valeur_avant": stored["valeur"].astype("float64"),
        "commentaire_avant": stored["commentaire"].astype(object),
    })
    merged = incoming.merge(stored, on=["indicateur_id", "date"], how="left", indicator=True)
    existed = merged["_merge"].eq("both").to_numpy()
    merged["commentaire"] = merged["commentaire"].where(
        merged["commentaire"].notna(), merged["commentaire_avant"].where(merged["commentaire_avant"].notna(), ""))
    same = existed & merged["valeur"].eq(merged["valeur_avant"]).to_numpy() & (
        merged["commentaire"].astype(str) == merged["commentaire_avant"].fillna("").astype(str)).to_numpy()
    to_write = merged.loc[~same, ["indicateur_id", "date", "valeur", "commentaire"]].reset_index(drop=True)

    goals = rows[rows["cible"].notna()]
    goals = pd.DataFrame({
        "indicateur_id": goals["indicateur_id"].astype(str),
        "annee": goals["date"].map(lambda d: d.year).astype("int64"),
        "valeur": goals["cible"].astype("float64"),
    }).drop_duplicates(["indicateur_id", "annee"])
    stored_goals = store.indicateur_targets(con).rename(columns={"valeur": "valeur_avant"})
    stored_goals = stored_goals.astype({"indicateur_id": str, "annee": "int64"})
    goals = goals.merge(stored_goals, on=["indicateur_id", "annee"], how="left")
    goals = goals.loc[goals["valeur"].ne(goals["valeur_avant"]), ["indicateur_id", "annee", "valeur"]]
    return _IndicateurPlan(to_write, goals.reset_index(drop=True), created=int((~existed).sum()),
                          replaced=int((existed & ~same).sum()), unchanged=int(same.sum()))


def read_indicateur_file(db_path: Path, data: bytes, filename: str, today: date | None = None) -> pd.DataFrame:
    """Validate a whole file of indicator values against the database's indicators; writes
    nothing. Rows as `fiches.indicateurs.VALUE_COLUMNS`."""
    check_size(data, filename)
    with store.reading(db_path) as con:
        known = store.indicateur_table(con)
    return read_indicateur_values(data, filename, known, today or clock.today())


def _indicateur_summary(plan: _IndicateurPlan) -> str:
    parts = [f"{plan.created} valeur(s) nouvelle(s)", f"{plan.replaced} remplacée(s)",
             f"{plan.unchanged} inchangée(s)", f"{len(plan.targets)} cible(s) fixée(s)"]
    return ", ".join(parts)


def import_indicateur_values(db_path: Path, data: bytes, filename: str, user: str | None = None,
                            today: date | None = None, auteur: str | None = None) -> IndicateurImportResult:
    """Validate the whole file, archive it, then write its values (a value replaces the one of the
    same indicator and date) and targets in one transaction. A file that changes nothing (the
    same file again) writes nothing, not even an upload row. `auteur` is who the values are
    recorded as brought by (default: `user`)."""
    auth.require_role(db_path, user, auth.EDITION)
    auteur = auteur or user
    rows = read_indicateur_file(db_path, data, filename, today)
    digest = sha256_of(data)
    with store.reading(db_path) as con:
        plan = _plan_indicateur_rows(con, rows)
    unchanged = IndicateurImportResult(filename, digest, None, len(rows), 0, 0, plan.unchanged, 0,
                                      ["Rien n'a changé : toutes les valeurs et cibles du fichier sont déjà enregistrées."])
    if not plan.changed:
        return unchanged
    archived = archive_upload(db_path, data, filename)
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        plan = _plan_indicateur_rows(con, rows)  # again under the write lock: another import may have run
        if not plan.changed:
            return unchanged
        summary = _indicateur_summary(plan)
        upload_id = record_archived(con, db_path, archived, "indicateurs", len(rows), auteur, summary)
        store.save_indicateur_values(con, plan.values, upload_id, auteur, clock.now())
        store.set_indicateur_targets(con, plan.targets)
        store.record_journal(con, user, "indicateurs", filename, summary, upload_id=upload_id)
    return IndicateurImportResult(filename, digest, upload_id, len(rows), plan.created, plan.replaced,
                                 plan.unchanged, len(plan.targets), [summary[0].upper() + summary[1:] + "."])


def add_indicateur_value(db_path: Path, indicateur_id: str, on_date, valeur, commentaire: str = "",
                        user: str | None = None, today: date | None = None) -> str:
    """Record one value typed in a form (same checks as a file row; problems name the field,
    file « saisie »). Returns « créée », « remplacée » or « identique » (nothing written)."""
    auth.require_role(db_path, user, auth.EDITION)
    with store.reading(db_path) as con:
        known = store.indicateur_table(con)
    indicateur_id, when, number = check_single_value(known, indicateur_id, on_date, valeur, today or clock.today())
    commentaire = clean_comment(commentaire)
    row = pd.DataFrame({"indicateur_id": [indicateur_id], "date": [when], "valeur": [number],
                        "commentaire": [commentaire]})
    with store.reading(db_path) as con:
        before = store.indicateur_value_at(con, indicateur_id, when)
    if before is not None and float(before[0]) == number and before[1] == commentaire:
        return "identique"
    outcome = "créée" if before is None else "remplacée"
    nom = known.loc[known["indicateur_id"] == indicateur_id, "nom"]
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        store.save_indicateur_values(con, row, None, user, clock.now())
        store.record_journal(con, user, "valeur_indicateur", indicateur_id,
                       f"{nom.iloc[0] + ' : ' if len(nom) else ''}{number:g} au {when.strftime('%d/%m/%Y')} "
                       f"(valeur {outcome})")
    return outcome


def export_indicateurs(db_path: Path) -> pd.DataFrame:
    """Every indicator with its values and targets: fiche, indicateur, date, valeur, cible (see
    `fiches.indicateurs.export_frame` for the rows)."""
    with store.reading(db_path) as con:
        indicators = store.indicateur_table(con)
        values = store.indicateur_values(con)
        targets = store.indicateur_targets(con)
    return export_frame(indicators, values, targets)


def indicateur_overview(db_path: Path, today: date | None = None, comite_date: date | None = None) -> pd.DataFrame:
    """Every indicator (indicateur_id, fiche_id, fiche_titre, nom, unite, sens) with its status:
    the fields of `fiches.indicateurs.IndicateurStatus` (last value and date, change since the
    previous committee `comite_date`, staleness, next target, trajectory, projection, status)."""
    with store.reading(db_path) as con:
        indicators = store.indicateur_table(con)
        values = store.indicateur_values(con)
        targets = store.indicateur_targets(con)
    indicators = indicators[["indicateur_id", "fiche_id", "fiche_titre", "nom", "unite", "sens"]]
    return indicateur_statuses(indicators, values, targets, today or clock.today(), comite_date)


def indicateur_values(db_path: Path, indicateur_id: str) -> pd.DataFrame:
    """Values of one indicator by date: date, valeur, commentaire, saisi_par, saisi_le, upload_id."""
    with store.reading(db_path) as con:
        return store.indicateur_values(con, indicateur_id).drop(columns="indicateur_id")


def indicateur_targets(db_path: Path, indicateur_id: str) -> pd.DataFrame:
    """Targets of one indicator by year: annee, valeur."""
    with store.reading(db_path) as con:
        return store.indicateur_targets(con, indicateur_id).drop(columns="indicateur_id")
