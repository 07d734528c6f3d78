"""Reads and writes of domain objects in DuckDB. Pages and the command line go through here,
never through SQL of their own."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd

from . import clock
from .referentiel.model import NODE_COLUMNS, QUESTION_COLUMNS, RULE_COLUMNS, Referentiel


def _json(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return json.dumps(value, ensure_ascii=False)


def _unjson(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    return json.loads(value) if isinstance(value, str) else value


# --- referentials -----------------------------------------------------------------------

def save_referentiel(con: duckdb.DuckDBPyConnection, ref: Referentiel) -> None:
    """Replace the referential of that name as a whole (inside the caller's transaction)."""
    for table in ("referentiel_nodes", "personnalisation_rules", "questions"):
        con.execute(f"DELETE FROM {table} WHERE referentiel = ?", [ref.nom])
    con.execute("DELETE FROM referentiels WHERE nom = ?", [ref.nom])
    con.execute(
        "INSERT INTO referentiels VALUES (?, ?, ?, ?, ?, ?)",
        [ref.nom, ref.titre, ref.source_kind, ref.source, ref.action_depth, clock.now()],
    )
    nodes = ref.nodes[NODE_COLUMNS].copy()
    nodes.insert(0, "referentiel", ref.nom)
    nodes["position"] = range(len(nodes))
    nodes["textes"] = nodes["textes"].map(_json)
    nodes = nodes.astype({"depth": "int64", "ordre": "int64"})
    con.register("incoming_nodes", nodes)
    con.execute(
        "INSERT INTO referentiel_nodes BY NAME SELECT * FROM incoming_nodes"
    )
    con.unregister("incoming_nodes")
    if len(ref.rules):
        rules = ref.rules[RULE_COLUMNS].copy()
        rules.insert(0, "referentiel", ref.nom)
        con.register("incoming_rules", rules)
        con.execute("INSERT INTO personnalisation_rules BY NAME SELECT * FROM incoming_rules")
        con.unregister("incoming_rules")
    if len(ref.questions):
        questions = ref.questions[QUESTION_COLUMNS].copy()
        questions.insert(0, "referentiel", ref.nom)
        questions["choix"] = questions["choix"].map(_json)
        questions["actions"] = questions["actions"].map(_json)
        con.register("incoming_questions", questions)
        con.execute("INSERT INTO questions BY NAME SELECT * FROM incoming_questions")
        con.unregister("incoming_questions")


def referentiel_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT nom FROM referentiels ORDER BY nom").fetchall()]


def referentiel_info(con: duckdb.DuckDBPyConnection, nom: str) -> dict | None:
    row = con.execute(
        "SELECT nom, titre, source_kind, source, action_depth, loaded_at FROM referentiels WHERE nom = ?",
        [nom],
    ).fetchone()
    if row is None:
        return None
    return dict(zip(["nom", "titre", "source_kind", "source", "action_depth", "loaded_at"], row))


def load_referentiel(con: duckdb.DuckDBPyConnection, nom: str = "cae") -> Referentiel | None:
    info = referentiel_info(con, nom)
    if info is None:
        return None
    nodes = con.execute(
        f"SELECT {', '.join(NODE_COLUMNS)} FROM referentiel_nodes WHERE referentiel = ? ORDER BY position",
        [nom],
    ).df()
    nodes["textes"] = nodes["textes"].map(lambda v: _unjson(v) or {})
    nodes["depth"] = nodes["depth"].astype(int)
    nodes["ordre"] = nodes["ordre"].astype(int)
    nodes["parent_id"] = nodes["parent_id"].astype(object).where(nodes["action_id"] != "", None)
    for column in ("categorie", "collectivite_type", "climat_pratic_id"):
        nodes[column] = nodes[column].astype(object).where(nodes[column].notna(), None)
    rules = con.execute(
        f"SELECT {', '.join(RULE_COLUMNS)} FROM personnalisation_rules WHERE referentiel = ? "
        "ORDER BY source_file, source_line, action_id, kind",
        [nom],
    ).df()
    questions = con.execute(
        f"SELECT {', '.join(QUESTION_COLUMNS)} FROM questions WHERE referentiel = ? ORDER BY source_file, source_line",
        [nom],
    ).df()
    questions["choix"] = questions["choix"].map(lambda v: _unjson(v) or [])
    questions["actions"] = questions["actions"].map(lambda v: _unjson(v) or [])
    return Referentiel(
        nom=info["nom"], titre=info["titre"], nodes=nodes, rules=rules, questions=questions,
        source_kind=info["source_kind"], source=info["source"] or "",
    )


def referentiel_levels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """referential → {action_id: niveau}, what the evaluation reader checks ids against."""
    levels: dict[str, dict[str, str]] = {}
    for ref, action_id, niveau in con.execute("SELECT referentiel, action_id, niveau FROM referentiel_nodes").fetchall():
        levels.setdefault(ref, {})[action_id] = niveau
    return levels


# --- collectivities -----------------------------------------------------------------------

def save_profile(con: duckdb.DuckDBPyConnection, profile) -> None:
    con.execute("DELETE FROM collectivites WHERE nom = ?", [profile.nom])
    con.execute(
        "INSERT INTO collectivites VALUES (?, ?, ?, ?, ?, ?)",
        [profile.nom, profile.type, profile.population, profile.localisation,
         _json(dict(profile.reponses)), clock.now()],
    )


def ensure_collectivite(con: duckdb.DuckDBPyConnection, nom: str) -> bool:
    """Create a bare profile (name only) when the collectivity is unknown; True if created."""
    if con.execute("SELECT 1 FROM collectivites WHERE nom = ?", [nom]).fetchone():
        return False
    con.execute("INSERT INTO collectivites (nom, reponses, updated_at) VALUES (?, '{}', ?)", [nom, clock.now()])
    return True


def load_profiles(con: duckdb.DuckDBPyConnection) -> dict:
    from .personnalisation.profile import Profile

    profiles = {}
    for nom, type_, population, localisation, reponses in con.execute(
        "SELECT nom, type, population, localisation, reponses FROM collectivites ORDER BY nom"
    ).fetchall():
        profiles[nom] = Profile(
            nom=nom, type=type_, population=None if population is None else int(population),
            localisation=localisation, reponses=_unjson(reponses) or {},
        )
    return profiles


def collectivite_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT nom FROM collectivites ORDER BY nom").fetchall()]


# --- fiches-actions and cooperation tools -------------------------------------------------

def save_fiche(con: duckdb.DuckDBPyConnection, fiche, referentiel: str = "cae") -> None:
    """Store a fiche (its YAML is the source of truth), its measure links, indicators and targets.
    Indicator values are kept: they belong to the indicator, not to the fiche text."""
    from dataclasses import asdict

    from .fiches.yaml_format import fiche_to_yaml

    con.execute("DELETE FROM fiches WHERE fiche_id = ?", [fiche.fiche_id])
    con.execute("DELETE FROM fiche_mesures WHERE fiche_id = ?", [fiche.fiche_id])
    old_ids = [r[0] for r in con.execute("SELECT indicateur_id FROM indicateurs WHERE fiche_id = ?", [fiche.fiche_id]).fetchall()]
    for indicateur_id in old_ids:
        con.execute("DELETE FROM indicateur_cibles WHERE indicateur_id = ?", [indicateur_id])
    con.execute("DELETE FROM indicateurs WHERE fiche_id = ?", [fiche.fiche_id])
    con.execute(
        "INSERT INTO fiches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [fiche.fiche_id, fiche.titre, fiche.collectivite, fiche.etat, fiche.annee_debut, fiche.annee_fin,
         fiche.pilotage.maitre_ouvrage, _json(asdict(fiche)), fiche_to_yaml(fiche), fiche.source_file, clock.now()],
    )
    for action_id in fiche.mesures:
        con.execute("INSERT INTO fiche_mesures VALUES (?, ?, ?)", [fiche.fiche_id, referentiel, action_id])
    for indicateur in fiche.indicateurs:
        con.execute(
            "INSERT INTO indicateurs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [indicateur.indicateur_id, fiche.fiche_id, indicateur.nom, indicateur.unite, indicateur.sens,
             indicateur.source, indicateur.description],
        )
        for annee, valeur in sorted(indicateur.cibles.items()):
            con.execute("INSERT INTO indicateur_cibles VALUES (?, ?, ?)", [indicateur.indicateur_id, int(annee), float(valeur)])


def load_fiches(con: duckdb.DuckDBPyConnection) -> list:
    from .fiches.yaml_format import read_fiche_yaml

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
    from dataclasses import asdict

    con.execute("DELETE FROM outils_cooperation")
    for position, outil in enumerate(outils):
        con.execute(
            "INSERT INTO outils_cooperation VALUES (?, ?, ?, ?)",
            [outil.outil_id, position, outil.titre, _json(asdict(outil))],
        )


def load_outils(con: duckdb.DuckDBPyConnection) -> list:
    from .fiches.cooperation import OutilCooperation

    return [
        OutilCooperation(**_unjson(document))
        for (document,) in con.execute("SELECT document FROM outils_cooperation ORDER BY position").fetchall()
    ]


# --- pages (foundation) -------------------------------------------------------------------

def cooperation_intro(seeds_folder) -> str:
    """The cooperation deck's introduction as markdown, read from its seed document (the one
    `services.init_database` reads the tools from). It is not stored in the database: it is
    fixed text of the deck, and the seeds ship with the project."""
    from pathlib import Path

    from .fiches.cooperation import read_cooperation_intro
    from .services import (
        _seed_document,  # the one place that knows how a seed is recognised
    )

    path = _seed_document(Path(seeds_folder), "déclencheurs")
    return read_cooperation_intro(path.read_bytes(), path.name)


# --- indicators ---------------------------------------------------------------------------

def indicator_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator with its fiche: indicateur_id, fiche_id, fiche_titre, nom, unite, sens,
    source, description; ordered by fiche title then the fiche's own order of indicators."""
    return con.execute(
        "SELECT i.indicateur_id, i.fiche_id, f.titre AS fiche_titre, i.nom, coalesce(i.unite, '') AS unite, i.sens, "
        "coalesce(i.source, '') AS source, coalesce(i.description, '') AS description "
        "FROM indicateurs i LEFT JOIN fiches f USING (fiche_id) "
        "ORDER BY f.titre NULLS LAST, i.fiche_id, i.rowid"
    ).df()


def indicator_values(con: duckdb.DuckDBPyConnection, indicateur_id: str | None = None) -> pd.DataFrame:
    """Measured values (all indicators, or one): indicateur_id, date, valeur, commentaire,
    saisi_par, saisi_le, upload_id; by indicator then date."""
    where, params = ("WHERE indicateur_id = ?", [indicateur_id]) if indicateur_id is not None else ("", [])
    return con.execute(
        "SELECT indicateur_id, date, valeur, coalesce(commentaire, '') AS commentaire, saisi_par, saisi_le, "
        f"upload_id FROM indicateur_valeurs {where} ORDER BY indicateur_id, date",
        params,
    ).df()


def indicator_targets(con: duckdb.DuckDBPyConnection, indicateur_id: str | None = None) -> pd.DataFrame:
    """Targets (all indicators, or one): indicateur_id, annee, valeur; by indicator then year."""
    where, params = ("WHERE indicateur_id = ?", [indicateur_id]) if indicateur_id is not None else ("", [])
    return con.execute(
        f"SELECT indicateur_id, annee, valeur FROM indicateur_cibles {where} ORDER BY indicateur_id, annee",
        params,
    ).df()


def save_indicator_values(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, upload_id: int | None,
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
    con.register("incoming_indicator_values", incoming)
    con.execute(
        "DELETE FROM indicateur_valeurs v USING incoming_indicator_values i "
        "WHERE v.indicateur_id = i.indicateur_id AND v.date = i.date"
    )
    con.execute(
        "INSERT INTO indicateur_valeurs BY NAME SELECT indicateur_id, CAST(date AS DATE) AS date, valeur, "
        "commentaire, CAST(saisi_par AS VARCHAR) AS saisi_par, saisi_le, CAST(upload_id AS BIGINT) AS upload_id "
        "FROM incoming_indicator_values"
    )
    con.unregister("incoming_indicator_values")


def set_indicator_targets(con: duckdb.DuckDBPyConnection, targets: pd.DataFrame) -> None:
    """Insert or replace targets (indicateur_id, annee, valeur), and write them into the YAML of
    the fiches that own those indicators: the fiche's YAML is the source of truth that
    `save_fiche` restores targets from, so a target set here survives the fiche's next save."""
    from dataclasses import asdict

    from .fiches.yaml_format import fiche_to_yaml, read_fiche_yaml

    if targets.empty:
        return
    for indicateur_id, annee, valeur in targets[["indicateur_id", "annee", "valeur"]].itertuples(index=False):
        con.execute("DELETE FROM indicateur_cibles WHERE indicateur_id = ? AND annee = ?", [indicateur_id, int(annee)])
        con.execute("INSERT INTO indicateur_cibles VALUES (?, ?, ?)", [indicateur_id, int(annee), float(valeur)])
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
        con.execute(
            "UPDATE fiches SET yaml = ?, document = ?, updated_at = ? WHERE fiche_id = ?",
            [fiche_to_yaml(fiche), _json(asdict(fiche)), clock.now(), fiche_id],
        )


# --- committees ---------------------------------------------------------------------------

def _has_comites_table(con: duckdb.DuckDBPyConnection) -> bool:
    """A database of schema 1 opened read-only has no committees table yet (migrations run on
    the next write)."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'comites'"
    ).fetchone()[0])


def load_comites(con: duckdb.DuckDBPyConnection) -> list:
    """Every committee, oldest first (empty on a database not migrated yet)."""
    from .comites import Comite

    if not _has_comites_table(con):
        return []
    rows = con.execute(
        "SELECT comite_id, date, titre, participants, notes, created_at, created_by FROM comites ORDER BY date"
    ).fetchall()
    return [
        Comite(date=when, titre=titre, participants=list(_unjson(participants) or []), notes=notes or "",
               comite_id=int(comite_id), created_at=created_at, created_by=created_by)
        for comite_id, when, titre, participants, notes, created_at, created_by in rows
    ]


def save_comite(con: duckdb.DuckDBPyConnection, comite, user: str | None) -> int:
    """Insert a committee (inside the caller's transaction); returns its id."""
    return int(con.execute(
        "INSERT INTO comites (date, titre, participants, notes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) "
        "RETURNING comite_id",
        [comite.date, comite.titre, _json(list(comite.participants)), comite.notes, clock.now(), user],
    ).fetchone()[0])


def replace_comite(con: duckdb.DuckDBPyConnection, old_date, comite) -> int | None:
    """Replace the committee of `old_date` by `comite` (its date may change), keeping its id and
    its creation; None when there is no committee at `old_date`. Delete then insert: DuckDB
    refuses some UPDATEs of a column under a UNIQUE constraint."""
    row = con.execute("SELECT comite_id, created_at, created_by FROM comites WHERE date = ?", [old_date]).fetchone()
    if row is None:
        return None
    comite_id, created_at, created_by = row
    con.execute("DELETE FROM comites WHERE comite_id = ?", [comite_id])
    con.execute(
        "INSERT INTO comites VALUES (?, ?, ?, ?, ?, ?, ?)",
        [comite_id, comite.date, comite.titre, _json(list(comite.participants)), comite.notes, created_at, created_by],
    )
    return int(comite_id)
