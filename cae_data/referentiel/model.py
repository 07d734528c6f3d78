"""The one tree model every referential reader produces.

A referential is three tables (plain data between the steps, as the scoring rules want), plus
the origins of its nodes and the warnings met while reading it:

`nodes`, one row per node, root first then in reading order, columns NODE_COLUMNS, then
NODE_ATTRIBUTE_COLUMNS:
    action_id         dotted id without prefix ("6.1.2.3"); "" for the root
    parent_id         id of the parent ("" for axes); None for the root
    depth             0 root, 1 axe, … (number of id segments)
    niveau            canonical level code, one of NIVEAUX: "referentiel", "axe", "sous-axe",
                      "mesure", "sous-action", "tache" (shown per referential: niveau_label)
    ordre             position among its siblings (0-based, reading order)
    nom               title (plain text)
    description       markdown shown to users ("" when none)
    textes            dict section title -> markdown (Contexte, Exemples, Ressources, Notes…)
    categorie         "bases", "mise en œuvre", "effets" or None
    points_declares   points as written in the source (mesure points, explicit task points) or NaN
    pourcentage       share in % of the parent (sous-actions, ECI tâches) or NaN
    point_referentiel points computed per scoring.md §1 (float, not rounded)
    collectivite_type "EPCI" / "commune" when a seed task applies to one type only, else None
    climat_pratic_id  the seed/ADEME `climat_pratic_id` of a mesure, else None
    source_file       file the node was read from (for error messages)
    source_line       1-based line of the node's heading / row in that file
  attributes (None / NaN / <NA> when the source has no such column, as for CAE's markdown):
    labels                     list of former labels the node counts for ("te_cae", "te_eci")
    coremeasure                boolean (nullable): a core mesure of the label
    thematique_sgpe            national planning theme (« Mieux se déplacer », …)
    adaptation_niveau          "exposition_faible" | "exposition_partielle" | "exposition_forte"
    adaptation_regle           climate-adaptation rule text (read, never applied: see docs)
    indicateurs                list of indicator ids linked to the node ("cae_18", "te_6")
    indicateurs_wip            the structure file's `Indicateurs_WIP` cell, as written
    questions_personnalisation list of question ids the platform links to the node
    expr_score                 *score indicatif* formula (scoring/indicatif.py) or None
    nouvelle_action            boolean (nullable): origin « Nouvelle action » (TE)

`rules`, one row per personnalisation rule, columns RULE_COLUMNS:
    action_id, kind ("reduction" | "desactivation" | "score"), expression (rule-language text),
    description (markdown explanation or ""), source_file, source_line

`questions`, one row per question, columns QUESTION_COLUMNS then QUESTION_ATTRIBUTE_COLUMNS:
    question_id, type ("binaire" | "choix" | "proportion"), thematique_id, titre, description,
    choix (list of {"id", "label"}), actions (list of prefixed action ids like "cae_1.2.2"),
    source_file, source_line,
    ordre (int: position in the profile form), thematique (its name or None), expr_visible
    (rule text: when the question is shown, or None), types_collectivites (list of lower-case
    types the question concerns, [] for all), competence_code, competence (its label)

`origines` (TE), one row per origin of a node, columns ORIGINE_COLUMNS:
    action_id, origine_referentiel ("cae" | "eci"), origine_action_id ("1.1.2.2.3"),
    ponderation (float, 1 when the file gives none), source_file, source_line

`warnings`: list of errors.Problem (file, line, column, French message) for what was read but
not taken as written (points that disagree with their sum, unknown columns, unreadable
origins…). The command line prints them; they never stop the import.

How the engine treats the referential (redistribution, where points are read, stars' mandatory
actions) is `Referentiel.regles`, derived from `source_kind` so that it survives the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from ..errors import Problem

NODE_COLUMNS = [
    "action_id", "parent_id", "depth", "niveau", "ordre", "nom", "description", "textes",
    "categorie", "points_declares", "pourcentage", "point_referentiel", "collectivite_type",
    "climat_pratic_id", "source_file", "source_line",
]
NODE_ATTRIBUTE_COLUMNS = [
    "labels", "coremeasure", "thematique_sgpe", "adaptation_niveau", "adaptation_regle", "indicateurs",
    "indicateurs_wip", "questions_personnalisation", "expr_score", "nouvelle_action",
]
ALL_NODE_COLUMNS = NODE_COLUMNS + NODE_ATTRIBUTE_COLUMNS
RULE_COLUMNS = ["action_id", "kind", "expression", "description", "source_file", "source_line"]
QUESTION_COLUMNS = [
    "question_id", "type", "thematique_id", "titre", "description", "choix", "actions",
    "source_file", "source_line",
]
QUESTION_ATTRIBUTE_COLUMNS = ["ordre", "thematique", "expr_visible", "types_collectivites", "competence_code",
                              "competence"]
ALL_QUESTION_COLUMNS = QUESTION_COLUMNS + QUESTION_ATTRIBUTE_COLUMNS
ORIGINE_COLUMNS = ["action_id", "origine_referentiel", "origine_action_id", "ponderation", "source_file",
                   "source_line"]
RULE_KINDS = ("reduction", "desactivation", "score")
CATEGORIES = ("bases", "mise en œuvre", "effets")

# Canonical level codes, top-down. Every engine computation uses these; users see niveau_label.
NIVEAUX = ("referentiel", "axe", "sous-axe", "mesure", "sous-action", "tache")
# Levels at or below the action level (the mesure): where scoring.md §3.3 redistributes.
NIVEAUX_MESURE_ET_DESSOUS = ("mesure", "sous-action", "tache")
NIVEAU_LABELS = {  # code -> (singular, plural)
    "referentiel": ("référentiel", "référentiels"),
    "axe": ("axe", "axes"),
    "sous-axe": ("sous-axe", "sous-axes"),
    "mesure": ("mesure", "mesures"),
    "sous-action": ("sous-action", "sous-actions"),
    "tache": ("tâche", "tâches"),
}
CATEGORIE_LABELS = {categorie: categorie for categorie in CATEGORIES}


@dataclass(frozen=True)
class Regles:
    """How the engine scores a referential, decided once from its source (`regles_for`).

    - `redistribution`: scoring.md §3.3 shares a non concerné node's points among its siblings
      below the action level; False (TE): the parent's potential simply shrinks.
    - `points_sur_sous_actions`: points are read on the sous-actions (TE's sous-mesures) only;
      mesures and above are sums, tâches share their sous-action's points equally.
    - `criteres_etoiles`: the stars need CAE's mandatory actions (etoiles.CRITERES) on top of the
      thresholds; False (TE): thresholds only.
    - `detaille_a_la_tache`: a sous-action may be detailed by the statuses of its tâches;
      False (TE): statuses go to sous-mesures (for the evaluation reader; the engine scores
      whatever statuses it is given).
    - `niveau_labels` / `categorie_labels`: what users read for each canonical code."""

    forme: str = "classique"
    redistribution: bool = True
    points_sur_sous_actions: bool = False
    criteres_etoiles: bool = True
    detaille_a_la_tache: bool = True
    niveau_labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(NIVEAU_LABELS))
    categorie_labels: Mapping[str, str] = field(default_factory=lambda: dict(CATEGORIE_LABELS))


REGLES_CLASSIQUES = Regles()
REGLES_TE = Regles(
    forme="te", redistribution=False, points_sur_sous_actions=True, criteres_etoiles=False,
    detaille_a_la_tache=False,
    niveau_labels={**NIVEAU_LABELS, "sous-action": ("sous-mesure", "sous-mesures")},
    categorie_labels={"bases": "S'engager", "mise en œuvre": "Concrétiser", "effets": "Mesurer les effets"},
)
# source_kind of the 2026 merged-referential structure file (referentiel-te.md).
SOURCE_KIND_TE = "csv-te"
_REGLES_BY_SOURCE_KIND = {SOURCE_KIND_TE: REGLES_TE}


def regles_for(source_kind: str) -> Regles:
    """The scoring rules of a referential read from a source of that kind."""
    return _REGLES_BY_SOURCE_KIND.get(source_kind, REGLES_CLASSIQUES)


def empty_rules() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in RULE_COLUMNS})


def empty_questions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ALL_QUESTION_COLUMNS})


def empty_origines() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ORIGINE_COLUMNS})
    return frame.astype({"ponderation": "float64", "source_line": "int64"})


@dataclass
class Referentiel:
    """A referential as read from one source. `source_kind` is "seed", "ademe-markdown", "csv"
    or "csv-te" (the merged 2026 referential's structure file)."""

    nom: str
    titre: str
    nodes: pd.DataFrame
    rules: pd.DataFrame = field(default_factory=empty_rules)
    questions: pd.DataFrame = field(default_factory=empty_questions)
    source_kind: str = "seed"
    source: str = ""
    origines: pd.DataFrame = field(default_factory=empty_origines)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def regles(self) -> Regles:
        return regles_for(self.source_kind)

    @property
    def action_depth(self) -> int:
        """Depth of the action level (the mesures; the shallowest one when branches differ)."""
        return action_depth(self.nodes)

    @property
    def niveau_labels(self) -> dict[str, tuple[str, str]]:
        """Canonical code -> (singular, plural) French label, for the levels this referential
        has, top-down: {"axe": ("axe", "axes"), …, "sous-action": ("sous-mesure", …)} for TE."""
        present = set(self.nodes["niveau"])
        return {code: tuple(self.regles.niveau_labels[code]) for code in NIVEAUX if code in present}

    def niveau_label(self, niveau: str, pluriel: bool = False) -> str:
        """The French label of a canonical level code ("tache" → "tâche", TE "sous-action" →
        "sous-mesure")."""
        singulier, plur = self.regles.niveau_labels.get(niveau, (niveau, niveau))
        return plur if pluriel else singulier

    def categorie_label(self, categorie: str | None) -> str | None:
        """The label users read for a category (TE: « S'engager », « Concrétiser », « Mesurer
        les effets »)."""
        if categorie is None:
            return None
        return self.regles.categorie_labels.get(categorie, categorie)

    def node(self, action_id: str) -> pd.Series:
        return self.nodes.set_index("action_id").loc[action_id]


def action_depth(nodes: pd.DataFrame) -> int:
    """The depth of the mesures (the shallowest when branches differ, see assign_niveaux).
    A frame without mesures in its `niveau` column falls back to the first depth carrying
    declared points, or the depth above the first shares."""
    if "niveau" in nodes.columns:
        mesures = nodes.loc[nodes["niveau"] == "mesure", "depth"]
        if len(mesures):
            return int(mesures.min())
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
