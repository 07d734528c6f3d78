"""Evaluations: one row per (collectivité, date, referential), and their statuses."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from .. import clock
from ..referentiel.model import RULE_COLUMNS, Referentiel

STATUS_COLUMNS = ["collectivite", "date", "referentiel", "action_id", "statut", "fait", "programme", "pas_fait",
                  "commentaire"]


def evaluation_keys(con: duckdb.DuckDBPyConnection, referentiel: str) -> pd.DataFrame:
    """collectivite, date of every evaluation of the referential, by collectivity then date."""
    return con.execute(
        "SELECT collectivite, date FROM evaluations WHERE referentiel = ? ORDER BY collectivite, date",
        [referentiel],
    ).df()


def statuses_for(con: duckdb.DuckDBPyConnection, referentiel: str, keys: pd.DataFrame) -> pd.DataFrame:
    """The statuses of many evaluations at once, for the engine: `keys` has collectivite, date,
    subject; rows of ids unknown to the referential are left out."""
    con.register("wanted_keys", keys[["collectivite", "date", "subject"]])
    try:
        return con.execute(
            "SELECT k.subject, s.action_id, s.statut, s.fait, s.programme, s.pas_fait "
            "FROM evaluation_statuses s JOIN wanted_keys k "
            "ON s.collectivite = k.collectivite AND s.date = k.date "
            "JOIN referentiel_nodes n ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
            "WHERE s.referentiel = ?",
            [referentiel],
        ).df()
    finally:
        con.unregister("wanted_keys")


def evaluation_keys_of(con: duckdb.DuckDBPyConnection, referentiel: str, collectivite: str) -> pd.DataFrame:
    """collectivite, date of one collectivity's evaluations of the referential, oldest first."""
    return con.execute(
        "SELECT collectivite, date FROM evaluations WHERE referentiel = ? AND collectivite = ? ORDER BY date",
        [referentiel, collectivite],
    ).df()


def statuses_of_collectivite(con: duckdb.DuckDBPyConnection, referentiel: str, collectivite: str,
                             keys: pd.DataFrame) -> pd.DataFrame:
    """statuses_for, for evaluations of one collectivity only: the filter on the collectivity is
    pushed into the scan, so a national database is not read whole for one collectivity's page.
    `keys` has date and subject (its collectivite column, if any, is not read)."""
    wanted = pd.DataFrame({"date": pd.to_datetime(keys["date"]).dt.date, "subject": keys["subject"].to_numpy()})
    con.register("wanted_dates", wanted)
    try:
        return con.execute(
            "SELECT k.subject, s.action_id, s.statut, s.fait, s.programme, s.pas_fait "
            "FROM evaluation_statuses s JOIN wanted_dates k ON s.date = k.date "
            "JOIN referentiel_nodes n ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
            "WHERE s.referentiel = ? AND s.collectivite = ?",
            [referentiel, collectivite],
        ).df()
    finally:
        con.unregister("wanted_dates")


def profiles_named(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict:
    """store.load_profiles for the given collectivities only (a national database holds
    thousands of profiles; a page of one collectivity needs one)."""
    from ..personnalisation.profile import Profile
    from .codec import from_json

    profiles = {}
    for nom, type_, population, localisation, reponses, soustype in con.execute(
        "SELECT nom, type, population, localisation, reponses, soustype FROM collectivites "
        "WHERE list_contains(?, nom) ORDER BY nom", [list(names)]
    ).fetchall():
        profiles[nom] = Profile(
            nom=nom, type=type_, population=None if population is None else int(population),
            localisation=localisation, reponses=from_json(reponses) or {}, soustype=soustype,
        )
    return profiles


def scoring_referentiel(con: duckdb.DuckDBPyConnection, nom: str) -> Referentiel | None:
    """The referential as the engine needs it to score evaluations, and nothing more: the nodes'
    tree and points (action_id, parent_id, depth, niveau, points_declares, pourcentage,
    point_referentiel), the personnalisation rules and the scoring rules (`source_kind`). The
    full `store.load_referentiel` also decodes every node's texts, which a command that only
    scores (pcaet scores) does not show. None when the referential is unknown."""
    row = con.execute("SELECT nom, titre, source_kind, source FROM referentiels WHERE nom = ?", [nom]).fetchall()
    if not row:
        return None
    nom, titre, source_kind, source = row[0]
    nodes = con.execute(
        "SELECT action_id, parent_id, depth, niveau, points_declares, pourcentage, point_referentiel "
        "FROM referentiel_nodes WHERE referentiel = ? ORDER BY position", [nom]).df()
    nodes["depth"] = nodes["depth"].astype(int)
    nodes["parent_id"] = nodes["parent_id"].astype(object).where(nodes["action_id"] != "", None)
    rules = con.execute(
        f"SELECT {', '.join(RULE_COLUMNS)} FROM personnalisation_rules WHERE referentiel = ? "
        "ORDER BY source_file, source_line, action_id, kind", [nom]).df()
    return Referentiel(nom=nom, titre=titre, nodes=nodes, rules=rules, source_kind=source_kind, source=source or "")


# Order of scoring.engine.STATUTS: the engine's status codes.
_STATUT_CODES = ("fait", "programme", "pas_fait", "detaille", "non_concerne", "non_renseigne")


def status_codes_for(con: duckdb.DuckDBPyConnection, referentiel: str, keys: pd.DataFrame,
                     collectivite: str | None = None) -> dict[str, np.ndarray]:
    """statuses_for as numpy arrays of numbers, for the engine on many evaluations: `subject`,
    `position` (the node's position in the referential, its row in the engine's matrices),
    `code` (index in scoring.engine.STATUTS, −1 for a status it does not know), `fait`,
    `programme`, `pas_fait`; no text crosses from DuckDB to Python. With `collectivite`, only
    that collectivity's statuses are scanned (`keys` then needs date and subject only)."""
    cases = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(_STATUT_CODES))
    if collectivite is None:
        wanted = keys[["collectivite", "date", "subject"]]
        join, where, params = "s.collectivite = k.collectivite AND s.date = k.date", "", [referentiel]
    else:
        wanted = pd.DataFrame({"date": pd.to_datetime(keys["date"]).dt.date, "subject": keys["subject"].to_numpy()})
        join, where, params = "s.date = k.date", " AND s.collectivite = ?", [referentiel, collectivite]
    con.register("wanted_codes", wanted)
    try:
        found = con.execute(
            "SELECT k.subject::BIGINT AS subject, n.position::BIGINT AS position, "
            f"(CASE s.statut {cases} ELSE -1 END)::TINYINT AS code, s.fait, s.programme, s.pas_fait "
            f"FROM evaluation_statuses s JOIN wanted_codes k ON {join} "
            "JOIN referentiel_nodes n ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
            f"WHERE s.referentiel = ?{where}",  # the engine sorts by subject itself
            params,
        ).fetchnumpy()
    finally:
        con.unregister("wanted_codes")
    out = {name: np.asarray(found[name]) for name in ("subject", "position", "code")}
    for name in ("fait", "programme", "pas_fait"):
        values = found[name]
        out[name] = np.ma.filled(values.astype(np.float64), np.nan) if np.ma.isMaskedArray(values) \
            else np.asarray(values, dtype=np.float64)
    return out


def evaluation_digests(con: duckdb.DuckDBPyConnection) -> dict[tuple, str | None]:
    """(collectivite, date, referentiel) → sha256 of the file each evaluation came from."""
    return {
        (c, d, r): sha
        for c, d, r, sha in con.execute(
            "SELECT e.collectivite, e.date, e.referentiel, u.sha256 FROM evaluations e "
            "LEFT JOIN uploads u USING (upload_id)"
        ).fetchall()
    }


def replace_evaluations(con: duckdb.DuckDBPyConnection, keys: list[tuple], upload_id: int | None,
                        statuses: pd.DataFrame) -> None:
    """Replace the evaluations of `keys` ((collectivite, date, referentiel)) by `statuses`
    (STATUS_COLUMNS), inside the caller's transaction: a few set-based statements whatever the
    number of evaluations."""
    incoming = pd.DataFrame(keys, columns=["collectivite", "date", "referentiel"])
    incoming["date"] = pd.to_datetime(incoming["date"]).dt.date
    incoming["upload_id"] = pd.array([upload_id] * len(incoming), dtype="Int64")
    incoming["imported_at"] = clock.now()
    con.register("incoming_evaluations", incoming)
    con.register("incoming_statuses", statuses[STATUS_COLUMNS])
    try:
        for table in ("evaluation_statuses", "evaluations"):
            con.execute(
                f"DELETE FROM {table} t USING incoming_evaluations k "
                "WHERE t.collectivite = k.collectivite AND t.date = k.date AND t.referentiel = k.referentiel"
            ).fetchall()  # DuckDB 2.0: a result left unfinished blocks later work on the connection
        con.execute("INSERT INTO evaluations BY NAME SELECT * FROM incoming_evaluations").fetchall()
        con.execute("INSERT INTO evaluation_statuses BY NAME SELECT * FROM incoming_statuses").fetchall()
    finally:
        con.unregister("incoming_evaluations")
        con.unregister("incoming_statuses")


def evaluation_dates(con: duckdb.DuckDBPyConnection, collectivite: str, referentiel: str) -> list[date]:
    rows = con.execute(
        "SELECT date FROM evaluations WHERE collectivite = ? AND referentiel = ? ORDER BY date",
        [collectivite, referentiel],
    ).fetchall()
    return [r[0] for r in rows]


def latest_evaluation_date(con: duckdb.DuckDBPyConnection, collectivite: str, referentiel: str) -> date | None:
    row = con.execute("SELECT max(date) FROM evaluations WHERE collectivite = ? AND referentiel = ?",
                      [collectivite, referentiel]).fetchall()[0]
    return row[0] if row else None


def statuses_at(con: duckdb.DuckDBPyConnection, collectivite: str, on_date: date, referentiel: str,
                in_referentiel_order: bool = True) -> pd.DataFrame:
    """The status rows of one evaluation with their comments: action_id, statut, fait,
    programme, pas_fait, commentaire; in the referential's order (ids it does not know last),
    or by id."""
    order = "n.position NULLS LAST, s.action_id" if in_referentiel_order else "s.action_id"
    return con.execute(
        "SELECT s.action_id, s.statut, s.fait, s.programme, s.pas_fait, coalesce(s.commentaire, '') AS commentaire "
        "FROM evaluation_statuses s LEFT JOIN referentiel_nodes n "
        "ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
        f"WHERE s.collectivite = ? AND s.date = ? AND s.referentiel = ? ORDER BY {order}",
        [collectivite, on_date, referentiel],
    ).df()


def statuses_on_days(con: duckdb.DuckDBPyConnection, collectivite: str, referentiel: str,
                     days: list[date]) -> pd.DataFrame:
    """date, action_id, statut, fait, programme, pas_fait, commentaire of the collectivity's
    evaluations on `days`."""
    return con.execute(
        "SELECT date, action_id, statut, fait, programme, pas_fait, coalesce(commentaire, '') AS commentaire "
        "FROM evaluation_statuses WHERE collectivite = ? AND referentiel = ? AND list_contains(?, date)",
        [collectivite, referentiel, list(days)],
    ).df()


def statuses_before(con: duckdb.DuckDBPyConnection, keys: pd.DataFrame, inclusive: bool) -> pd.DataFrame:
    """For each key (collectivite, date, referentiel): the statuses of the collectivity's latest
    evaluation of that referential before the date (`inclusive`: on or before). Columns:
    collectivite, date (the key's), referentiel, base_date, action_id, statut, fait, programme,
    pas_fait, commentaire; a key without such an evaluation has no row."""
    comparison = "<=" if inclusive else "<"
    wanted = keys[["collectivite", "date", "referentiel"]].drop_duplicates().copy()
    wanted["date"] = pd.to_datetime(wanted["date"]).dt.date
    con.register("wanted_keys", wanted)
    try:
        return con.execute(
            "WITH base AS ("
            "  SELECT k.collectivite, k.date, k.referentiel, max(e.date) AS base_date FROM wanted_keys k "
            "  JOIN evaluations e ON e.collectivite = k.collectivite AND e.referentiel = k.referentiel "
            f"  AND e.date {comparison} k.date GROUP BY ALL) "
            "SELECT b.collectivite, b.date, b.referentiel, b.base_date, s.action_id, s.statut, s.fait, s.programme, "
            "s.pas_fait, coalesce(s.commentaire, '') AS commentaire FROM base b JOIN evaluation_statuses s "
            "ON s.collectivite = b.collectivite AND s.referentiel = b.referentiel AND s.date = b.base_date "
            "ORDER BY b.collectivite, b.date, b.referentiel, s.action_id"
        ).df()
    finally:
        con.unregister("wanted_keys")


def evaluation_upload(con: duckdb.DuckDBPyConnection, collectivite: str, on_date: date,
                      referentiel: str) -> tuple[bool, int | None]:
    """(whether the evaluation exists, the upload it came from: None when it was written
    without a file, as `pcaet bascule appliquer` writes it)."""
    rows = con.execute(
        "SELECT upload_id FROM evaluations WHERE collectivite = ? AND date = ? AND referentiel = ?",
        [collectivite, on_date, referentiel],
    ).fetchall()
    if not rows:
        return False, None
    return True, None if rows[0][0] is None else int(rows[0][0])


def delete_evaluation(con: duckdb.DuckDBPyConnection, collectivite: str, on_date: date, referentiel: str) -> int:
    """Remove one evaluation and its statuses inside the caller's transaction; returns the
    number of status rows removed."""
    count = con.execute(
        "SELECT count(*) FROM evaluation_statuses WHERE collectivite = ? AND date = ? AND referentiel = ?",
        [collectivite, on_date, referentiel],
    ).fetchall()[0][0]
    for table in ("evaluation_statuses", "evaluations"):
        con.execute(f"DELETE FROM {table} WHERE collectivite = ? AND date = ? AND referentiel = ?",
                    [collectivite, on_date, referentiel]).fetchall()
    return int(count)
