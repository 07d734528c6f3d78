"""Collectivities and their profiles (answers to the referentials' questions)."""

from __future__ import annotations

import duckdb

from .. import clock
from ..personnalisation.profile import Profile
from .codec import from_json, to_json
from .sql import first_row, run


def save_profile(con: duckdb.DuckDBPyConnection, profile) -> None:
    run(con, "DELETE FROM collectivites WHERE nom = ?", [profile.nom])
    run(con, "INSERT INTO collectivites (nom, type, population, localisation, reponses, updated_at, soustype) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [profile.nom, profile.type, profile.population, profile.localisation,
         to_json(dict(profile.reponses)), clock.now(), profile.soustype])


def ensure_collectivite(con: duckdb.DuckDBPyConnection, nom: str) -> bool:
    """Create a bare profile (name only) when the collectivity is unknown; True if created."""
    if first_row(con.execute("SELECT 1 FROM collectivites WHERE nom = ?", [nom])):
        return False
    run(con, "INSERT INTO collectivites (nom, reponses, updated_at) VALUES (?, '{}', ?)", [nom, clock.now()])
    return True


def load_profiles(con: duckdb.DuckDBPyConnection) -> dict:
    profiles = {}
    for nom, type_, population, localisation, reponses, soustype in con.execute(
        "SELECT nom, type, population, localisation, reponses, soustype FROM collectivites ORDER BY nom"
    ).fetchall():
        profiles[nom] = Profile(
            nom=nom, type=type_, population=None if population is None else int(population),
            localisation=localisation, reponses=from_json(reponses) or {}, soustype=soustype,
        )
    return profiles


def collectivite_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT nom FROM collectivites ORDER BY nom").fetchall()]
