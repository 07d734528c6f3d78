"""Referentials: their nodes (with the attributes of the TE structure file), personnalisation
rules, questions and the origins of TE nodes."""


from __future__ import annotations

import duckdb
import pandas as pd

from .. import clock
from ..referentiel.model import (
    ALL_NODE_COLUMNS,
    ALL_QUESTION_COLUMNS,
    ORIGINE_COLUMNS,
    RULE_COLUMNS,
    Referentiel,
    empty_origines,
)
from .codec import from_json, to_json
from .sql import first_row, run

NODE_JSON = ("textes", "labels", "indicateurs", "questions_personnalisation")
NODE_BOOLEANS = ("coremeasure", "nouvelle_action")
NODE_TEXTS = ("categorie", "collectivite_type", "climat_pratic_id", "thematique_sgpe", "adaptation_niveau",
              "adaptation_regle", "indicateurs_wip", "expr_score")
QUESTION_JSON = ("choix", "actions", "types_collectivites")


def save_referentiel(con: duckdb.DuckDBPyConnection, ref: Referentiel) -> None:
    """Replace the referential of that name as a whole (inside the caller's transaction)."""
    for table in ("referentiel_nodes", "personnalisation_rules", "questions", "referentiel_origines"):
        run(con, f"DELETE FROM {table} WHERE referentiel = ?", [ref.nom])
    run(con, "DELETE FROM referentiels WHERE nom = ?", [ref.nom])
    run(con, 
        "INSERT INTO referentiels VALUES (?, ?, ?, ?, ?, ?)",
        [ref.nom, ref.titre, ref.source_kind, ref.source, ref.action_depth, clock.now()],
    )
    nodes = ref.nodes.reindex(columns=ALL_NODE_COLUMNS).copy()
    nodes.insert(0, "referentiel", ref.nom)
    nodes["position"] = range(len(nodes))
    for column in NODE_JSON:
        nodes[column] = nodes[column].map(to_json)
    for column in NODE_BOOLEANS:
        nodes[column] = nodes[column].astype("boolean")
    for column in NODE_TEXTS:
        nodes[column] = nodes[column].astype(object).where(nodes[column].notna(), None)
    nodes = nodes.astype({"depth": "int64", "ordre": "int64"})
    con.register("incoming_nodes", nodes)
    run(con, 
        "INSERT INTO referentiel_nodes BY NAME SELECT * FROM incoming_nodes"
    )
    con.unregister("incoming_nodes")
    if len(ref.rules):
        rules = ref.rules[RULE_COLUMNS].copy()
        rules.insert(0, "referentiel", ref.nom)
        con.register("incoming_rules", rules)
        run(con, "INSERT INTO personnalisation_rules BY NAME SELECT * FROM incoming_rules")
        con.unregister("incoming_rules")
    if len(ref.questions):
        questions = ref.questions.reindex(columns=ALL_QUESTION_COLUMNS).copy()
        questions.insert(0, "referentiel", ref.nom)
        for column in QUESTION_JSON:
            questions[column] = questions[column].map(to_json)
        questions["ordre"] = pd.to_numeric(questions["ordre"], errors="coerce").astype("Int64")
        con.register("incoming_questions", questions)
        run(con, "INSERT INTO questions BY NAME SELECT * FROM incoming_questions")
        con.unregister("incoming_questions")
    if len(ref.origines):
        origines = ref.origines[ORIGINE_COLUMNS].copy()
        origines.insert(0, "referentiel", ref.nom)
        con.register("incoming_origines", origines)
        run(con, "INSERT INTO referentiel_origines BY NAME SELECT * FROM incoming_origines")
        con.unregister("incoming_origines")


def referentiel_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT nom FROM referentiels ORDER BY nom").fetchall()]


def referentiel_info(con: duckdb.DuckDBPyConnection, nom: str) -> dict | None:
    row = first_row(con.execute(
        "SELECT nom, titre, source_kind, source, action_depth, loaded_at FROM referentiels WHERE nom = ?",
        [nom],
    ))
    if row is None:
        return None
    return dict(zip(["nom", "titre", "source_kind", "source", "action_depth", "loaded_at"], row))


def load_referentiel(con: duckdb.DuckDBPyConnection, nom: str = "cae") -> Referentiel | None:
    info = referentiel_info(con, nom)
    if info is None:
        return None
    nodes = con.execute(
        f"SELECT {', '.join(ALL_NODE_COLUMNS)} FROM referentiel_nodes WHERE referentiel = ? ORDER BY position",
        [nom],
    ).df()
    nodes["textes"] = nodes["textes"].map(lambda v: from_json(v) or {})
    for column in NODE_JSON[1:]:
        nodes[column] = nodes[column].map(from_json)
    for column in NODE_BOOLEANS:
        nodes[column] = nodes[column].astype("boolean")
    nodes["depth"] = nodes["depth"].astype(int)
    nodes["ordre"] = nodes["ordre"].astype(int)
    nodes["parent_id"] = nodes["parent_id"].astype(object).where(nodes["action_id"] != "", None)
    for column in NODE_TEXTS:
        nodes[column] = nodes[column].astype(object).where(nodes[column].notna(), None)
    rules = con.execute(
        f"SELECT {', '.join(RULE_COLUMNS)} FROM personnalisation_rules WHERE referentiel = ? "
        "ORDER BY source_file, source_line, action_id, kind",
        [nom],
    ).df()
    questions = con.execute(
        f"SELECT {', '.join(ALL_QUESTION_COLUMNS)} FROM questions WHERE referentiel = ? "
        "ORDER BY ordre NULLS LAST, source_file, source_line",
        [nom],
    ).df()
    for column in QUESTION_JSON:
        questions[column] = questions[column].map(lambda v: from_json(v) or [])
    questions["ordre"] = questions["ordre"].astype("Int64")
    origines = con.execute(
        f"SELECT {', '.join(ORIGINE_COLUMNS)} FROM referentiel_origines WHERE referentiel = ? "
        "ORDER BY source_line, rowid",  # as read: by line, then in the order of the cell
        [nom],
    ).df()
    return Referentiel(
        nom=info["nom"], titre=info["titre"], nodes=nodes, rules=rules, questions=questions,
        source_kind=info["source_kind"], source=info["source"] or "",
        origines=origines if len(origines) else empty_origines(),
    )


def referentiel_levels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """referential → {action_id: niveau}, what the evaluation reader checks ids against."""
    levels: dict[str, dict[str, str]] = {}
    for ref, action_id, niveau in con.execute("SELECT referentiel, action_id, niveau FROM referentiel_nodes").fetchall():
        levels.setdefault(ref, {})[action_id] = niveau
    return levels


def referentiel_source_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """name → source_kind of every loaded referential (what `referentiel.model.regles_for` reads)."""
    return dict(con.execute("SELECT nom, source_kind FROM referentiels").fetchall())
