"""Reads and writes of domain objects in DuckDB. Pages and the command line go through here,
never through SQL of their own."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd

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
        [ref.nom, ref.titre, ref.source_kind, ref.source, ref.action_depth, datetime.now()],
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


def referentiel_ids(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = {}
    for ref, action_id in con.execute("SELECT referentiel, action_id FROM referentiel_nodes").fetchall():
        ids.setdefault(ref, set()).add(action_id)
    return ids


# --- collectivities -----------------------------------------------------------------------

def save_profile(con: duckdb.DuckDBPyConnection, profile) -> None:
    con.execute("DELETE FROM collectivites WHERE nom = ?", [profile.nom])
    con.execute(
        "INSERT INTO collectivites VALUES (?, ?, ?, ?, ?, ?)",
        [profile.nom, profile.type, profile.population, profile.localisation,
         _json(dict(profile.reponses)), datetime.now()],
    )


def ensure_collectivite(con: duckdb.DuckDBPyConnection, nom: str) -> bool:
    """Create a bare profile (name only) when the collectivity is unknown; True if created."""
    if con.execute("SELECT 1 FROM collectivites WHERE nom = ?", [nom]).fetchone():
        return False
    con.execute("INSERT INTO collectivites (nom, reponses, updated_at) VALUES (?, '{}', ?)", [nom, datetime.now()])
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
         fiche.pilotage.maitre_ouvrage, _json(asdict(fiche)), fiche_to_yaml(fiche), fiche.source_file, datetime.now()],
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
