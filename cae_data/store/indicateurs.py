"""Indicators of the fiches-actions: their values by date and their targets by year."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import duckdb
import pandas as pd

from .. import clock
from ..fiches.yaml_format import fiche_to_yaml, read_fiche_yaml
from .codec import to_json
from .sql import run


def indicateur_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator with its fiche: indicateur_id, fiche_id, fiche_titre, nom, unite, sens,
    source, description; ordered by fiche title then the fiche's own order of indicators."""
    return con.execute(
        "SELECT i.indicateur_id, i.fiche_id, f.titre AS fiche_titre, i.nom, coalesce(i.unite, '') AS unite, i.sens, "
        "coalesce(i.source, '') AS source, coalesce(i.description, '') AS description "
        "FROM indicateurs i LEFT JOIN fiches f USING (fiche_id) "
        "ORDER BY f.titre NULLS LAST, i.fiche_id, i.rowid"
    ).df()


def indicateur_values(con: duckdb.DuckDBPyConnection, indicateur_id: str | None = None) -> pd.DataFrame:
    """Measured values (all indicators, or one): indicateur_id, date, valeur, commentaire,
    saisi_par, saisi_le, upload_id; by indicator then date."""
    where, params = ("WHERE indicateur_id = ?", [indicateur_id]) if indicateur_id is not None else ("", [])
    return con.execute(
        "SELECT indicateur_id, date, valeur, coalesce(commentaire, '') AS commentaire, saisi_par, saisi_le, "
        f"upload_id FROM indicateur_valeurs {where} ORDER BY indicateur_id, date",
        params,
    ).df()


def indicateur_targets(con: duckdb.DuckDBPyConnection, indicateur_id: str | None = None) -> pd.DataFrame:
    """Targets (all indicators, or one): indicateur_id, annee, valeur; by indicator then year."""
    where, params = ("WHERE indicateur_id = ?", [indicateur_id]) if indicateur_id is not None else ("", [])
    return con.execute(
        f"SELECT indicateur_id, annee, valeur FROM indicateur_cibles {where} ORDER BY indicateur_id, annee",
        params,
    ).df()


def save_indicateur_values(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, upload_id: int | None,
                          user: str | None, when: datetime) -> None:
    """Insert or replace values (indicateur_id, date, valeur, commentaire), one per
    (indicateur_id, date), inside the caller's transaction."""
    if rows.empty:
        return
    incoming = pd.DataFrame({
        "indicateur_id": rows["indicateur_id"].astype(str),
        "date": pd.to_datetime(rows["date"]).dt.date,
        "valeur": rows["valeur"].astype("float64"),
        "commentaire": rows["commentaire"].astype(object),
    })
    incoming["saisi_par"] = user
    incoming["saisi_le"] = when
    incoming["upload_id"] = upload_id
    incoming = incoming.astype({"saisi_par": object, "upload_id": "Int64"})
    con.register("incoming_indicateur_values", incoming)
    run(con, 
        "DELETE FROM indicateur_valeurs v USING incoming_indicateur_values i "
        "WHERE v.indicateur_id = i.indicateur_id AND v.date = i.date"
    )
    run(con, 
        "INSERT INTO indicateur_valeurs BY NAME SELECT indicateur_id, CAST(date AS DATE) AS date, valeur, "
        "commentaire, CAST(saisi_par AS VARCHAR) AS saisi_par, saisi_le, CAST(upload_id AS BIGINT) AS upload_id "
        "FROM incoming_indicateur_values"
    )
    con.unregister("incoming_indicateur_values")


def set_indicateur_targets(con: duckdb.DuckDBPyConnection, targets: pd.DataFrame) -> None:
    """Insert or replace targets (indicateur_id, annee, valeur), and write them into the YAML of
    the fiches that own those indicators: the fiche's YAML is the source of truth that
    `save_fiche` restores targets from, so a target set here survives the fiche's next save."""
    if targets.empty:
        return
    for indicateur_id, annee, valeur in targets[["indicateur_id", "annee", "valeur"]].itertuples(index=False):
        run(con, "DELETE FROM indicateur_cibles WHERE indicateur_id = ? AND annee = ?", [indicateur_id, int(annee)])
        run(con, "INSERT INTO indicateur_cibles VALUES (?, ?, ?)", [indicateur_id, int(annee), float(valeur)])
    ids = sorted(set(targets["indicateur_id"]))
    placeholders = ", ".join("?" for _ in ids)
    fiche_rows = con.execute(
        "SELECT DISTINCT f.fiche_id, f.yaml, f.source_file FROM fiches f JOIN indicateurs i USING (fiche_id) "
        f"WHERE i.indicateur_id IN ({placeholders})",
        ids,
    ).fetchall()
    for fiche_id, text, source_file in fiche_rows:
        fiche = read_fiche_yaml(text, source_file or f"{fiche_id}.yaml")
        for indicateur in fiche.indicateurs:
            stored = con.execute(
                "SELECT annee, valeur FROM indicateur_cibles WHERE indicateur_id = ? ORDER BY annee",
                [indicateur.indicateur_id],
            ).fetchall()
            indicateur.cibles = {int(a): float(v) for a, v in stored}
        run(con, 
            "UPDATE fiches SET yaml = ?, document = ?, updated_at = ? WHERE fiche_id = ?",
            [fiche_to_yaml(fiche), to_json(asdict(fiche)), clock.now(), fiche_id],
        )


def indicateur_value_at(con: duckdb.DuckDBPyConnection, indicateur_id: str, on_date) -> tuple[float, str] | None:
    """(valeur, commentaire) of one indicator at one date, or None."""
    rows = con.execute(
        "SELECT valeur, coalesce(commentaire, '') FROM indicateur_valeurs WHERE indicateur_id = ? AND date = ?",
        [indicateur_id, on_date],
    ).fetchall()
    return (float(rows[0][0]), rows[0][1]) if rows else None


def indicateur_label_links(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per (indicator, the label's indicator it measures): indicateur_id, fiche_id,
    collectivite (of its fiche, None when the fiche names none), code (« te_6 »), limite."""
    return con.execute(
        "SELECT i.indicateur_id, i.fiche_id, f.collectivite, lower(unnest(CAST(i.identifiants_referentiel AS "
        "VARCHAR[]))) AS code, i.limite FROM indicateurs i LEFT JOIN fiches f USING (fiche_id) "
        "WHERE i.identifiants_referentiel IS NOT NULL ORDER BY i.indicateur_id"
    ).df()
