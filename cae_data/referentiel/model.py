"""The one tree model every referential reader produces.

A referential is three tables (plain data between the steps, as the scoring rules want):

`nodes`, one row per node, root first then in reading order, columns NODE_COLUMNS:
    action_id         dotted id without prefix ("6.1.2.3"); "" for the root
    parent_id         id of the parent ("" for axes); None for the root
    depth             0 root, 1 axe, … (number of id segments)
    niveau            "referentiel", "axe", "sous-axe", "mesure", "sous-action", "tache"
    ordre             position among its siblings (0-based, reading order)
    nom               title (plain text)
    description       markdown shown to users ("" when none)
    textes            dict section title -> markdown (Contexte, Exemples, Ressources, Notes…)
    categorie         "bases", "mise en œuvre", "effets" or None
    points_declares   points as written in the source (mesure points, explicit task points) or NaN
    pourcentage       share in % of the parent mesure (sous-actions) or NaN
    point_referentiel points computed per scoring.md §1 (float, not rounded)
    collectivite_type "EPCI" / "commune" when a seed task applies to one type only, else None
    climat_pratic_id  the seed/ADEME `climat_pratic_id` of a mesure, else None
    source_file       file the node was read from (for error messages)
    source_line       1-based line of the node's heading / row in that file

`rules`, one row per personnalisation rule, columns RULE_COLUMNS:
    action_id, kind ("reduction" | "desactivation" | "score"), expression (rule-language text),
    description (markdown explanation or ""), source_file, source_line

`questions`, one row per question, columns QUESTION_COLUMNS:
    question_id, type ("binaire" | "choix" | "proportion"), thematique_id, titre, description,
    choix (list of {"id", "label"}), actions (list of prefixed action ids like "cae_1.2.2"),
    source_file, source_line
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

NODE_COLUMNS = [
    "action_id", "parent_id", "depth", "niveau", "ordre", "nom", "description", "textes",
    "categorie", "points_declares", "pourcentage", "point_referentiel", "collectivite_type",
    "climat_pratic_id", "source_file", "source_line",
]
RULE_COLUMNS = ["action_id", "kind", "expression", "description", "source_file", "source_line"]
QUESTION_COLUMNS = [
    "question_id", "type", "thematique_id", "titre", "description", "choix", "actions",
    "source_file", "source_line",
]
RULE_KINDS = ("reduction", "desactivation", "score")
CATEGORIES = ("bases", "mise en œuvre", "effets")


def empty_rules() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in RULE_COLUMNS})


def empty_questions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in QUESTION_COLUMNS})


@dataclass
class Referentiel:
    """A referential as read from one source. `source_kind` is "seed", "ademe-markdown" or "csv"."""

    nom: str
    titre: str
    nodes: pd.DataFrame
    rules: pd.DataFrame = field(default_factory=empty_rules)
    questions: pd.DataFrame = field(default_factory=empty_questions)
    source_kind: str = "seed"
    source: str = ""

    @property
    def action_depth(self) -> int:
        """Depth of the level that carries the points (mesure for CAE)."""
        return action_depth(self.nodes)

    def node(self, action_id: str) -> pd.Series:
        return self.nodes.set_index("action_id").loc[action_id]


def action_depth(nodes: pd.DataFrame) -> int:
    """The first depth at which every branch carries declared points (scoring.md §1).
    A referential without any points (seeds alone) uses the depth of its deepest titled level
    above sous-actions: the nodes that have sous-actions with a `pourcentage`."""
    with_points = nodes[nodes["points_declares"].notna() & (nodes["depth"] > 0)]
    if not with_points.empty:
        return int(with_points["depth"].min())
    with_share = nodes[nodes["pourcentage"].notna()]
    if not with_share.empty:
        return int(with_share["depth"].min()) - 1
    raise ValueError("référentiel sans points ni pourcentages")


def niveau_for_depth(depth: int, action_level: int) -> str:
    """Level names relative to the action level, so that ECI (action level 2) works too."""
    if depth == 0:
        return "referentiel"
    if depth == action_level:
        return "mesure"
    if depth == action_level + 1:
        return "sous-action"
    if depth >= action_level + 2:
        return "tache"
    if depth == 1:
        return "axe"
    return "sous-axe"


def parent_of(action_id: str) -> str | None:
    """Parent id per scoring.md §1: the id without its last segment; axes hang under the root."""
    if action_id == "":
        return None
    return action_id.rsplit(".", 1)[0] if "." in action_id else ""
