"""Fiches-actions (their YAML is the source of truth), their mesures, and the cooperation tools."""

from __future__ import annotations

from dataclasses import asdict

import duckdb
import pandas as pd

from .. import clock
from ..fiches.cooperation import OutilCooperation
from ..fiches.yaml_format import fiche_to_yaml, read_fiche_yaml
from .codec import from_json, to_json
from .sql import run


def save_fiche(con: duckdb.DuckDBPyConnection, fiche, referentiel: str = "cae") -> None:
    """Store a fiche (its YAML is the source of truth), its measure links, indicators and targets.
    Indicator values are kept: they belong to the indicator, not to the fiche text."""
    run(con, "DELETE FROM fiches WHERE fiche_id = ?", [fiche.fiche_id])
    run(con, "DELETE FROM fiche_mesures WHERE fiche_id = ?", [fiche.fiche_id])
    old_ids = [r[0] for r in con.execute("SELECT indicateur_id FROM indicateurs WHERE fiche_id = ?", [fiche.fiche_id]).fetchall()]
    for indicateur_id in old_ids:
        run(con, "DELETE FROM indicateur_cibles WHERE indicateur_id = ?", [indicateur_id])
    run(con, "DELETE FROM indicateurs WHERE fiche_id = ?", [fiche.fiche_id])
    run(con, 
        "INSERT INTO fiches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [fiche.fiche_id, fiche.titre, fiche.collectivite, fiche.etat, fiche.annee_debut, fiche.annee_fin,
         fiche.pilotage.maitre_ouvrage, to_json(asdict(fiche)), fiche_to_yaml(fiche), fiche.source_file, clock.now()],
    )
    for action_id in fiche.mesures:
        run(con, "INSERT INTO fiche_mesures VALUES (?, ?, ?)", [fiche.fiche_id, referentiel, action_id])
    for indicateur in fiche.indicateurs:
        run(con,
            "INSERT INTO indicateurs (indicateur_id, fiche_id, nom, unite, sens, source, description, "
            "identifiants_referentiel, limite) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [indicateur.indicateur_id, fiche.fiche_id, indicateur.nom, indicateur.unite, indicateur.sens,
             indicateur.source, indicateur.description, to_json(list(indicateur.identifiants_referentiel)),
             indicateur.limite],
        )
        for annee, valeur in sorted(indicateur.cibles.items()):
            run(con, "INSERT INTO indicateur_cibles VALUES (?, ?, ?)", [indicateur.indicateur_id, int(annee), float(valeur)])


def load_fiches(con: duckdb.DuckDBPyConnection) -> list:
    rows = con.execute("SELECT fiche_id, yaml, source_file FROM fiches ORDER BY titre").fetchall()
    fiches = []
    for fiche_id, text, source_file in rows:
        fiche = read_fiche_yaml(text, source_file or f"{fiche_id}.yaml")
        fiches.append(fiche)
    return fiches


def fiches_for_mesure(con: duckdb.DuckDBPyConnection, action_id: str, referentiel: str = "cae") -> pd.DataFrame:
    return con.execute(
        "SELECT f.fiche_id, f.titre, f.etat FROM fiche_mesures m JOIN fiches f USING (fiche_id) "
        "WHERE m.referentiel = ? AND m.action_id = ? ORDER BY f.titre",
        [referentiel, action_id],
    ).df()


def save_outils(con: duckdb.DuckDBPyConnection, outils: list) -> None:
    run(con, "DELETE FROM outils_cooperation")
    for position, outil in enumerate(outils):
        run(con, 
            "INSERT INTO outils_cooperation VALUES (?, ?, ?, ?)",
            [outil.outil_id, position, outil.titre, to_json(asdict(outil))],
        )


def load_outils(con: duckdb.DuckDBPyConnection) -> list:
    return [
        OutilCooperation(**from_json(document))
        for (document,) in con.execute("SELECT document FROM outils_cooperation ORDER BY position").fetchall()
    ]


def fiche_exists(con: duckdb.DuckDBPyConnection, fiche_id: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM fiches WHERE fiche_id = ?", [fiche_id]).fetchall()[0][0])


def fiche_collectivites(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """fiche_id → the collectivity it belongs to (None when it names none)."""
    return dict(con.execute("SELECT fiche_id, collectivite FROM fiches").fetchall())
