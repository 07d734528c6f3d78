"""Reader of a CSV structure file (`cae-structure.csv`): one row per node, rules inside.

Columns are found by their normalized header, in any order and case (`identifiant` or
`Identifiant`, `Points`, `Categorie` …); `identifiant` and `nom` are required. Read columns:
`identifiant, nom, description, contexte, exemples, ressources, points, pourcentage, categorie,
reductionPotentiel, perimetreEvaluation, desactivation, desactivationDesc, score, scoreDesc,
reduction, reductionDesc`. The rules are the expressions of `desactivation`, `reduction` and
`score` (explanations from the `…Desc` columns). `personnalisationQuestions`, `indicateurs`,
`exprScore` and `Coremeasure` have no place in the tree model and are not read. Questions are
not in the CSV.

- Numbers accept decimal commas (`0,60`). Ids may carry the `<nom>_` prefix and letters
  (`1.1.1alter.1`).
- Rows are taken in id order (1.2.3.2.2 before 1.2.3.2.10), whatever the file's order: exports
  often sort ids as text.
- A missing root row (empty `identifiant`) is created, titled like the seeds' root.
- Points at several levels: the mesure's points (first node of each branch with points) are
  its total and stay authoritative. When its sous-actions also carry `points`, these are
  authoritative for the split: their `pourcentage` is recomputed as points / mesure points ×
  100 (so points not adding up to the mesure total are refused as shares not adding to 100).
  Points of nodes below the sous-actions are explicit tâche points (scoring.md §1).
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import ProblemCollector
from ..tabular import read_table
from .ademe_markdown import RuleRecord, read_questions, read_rules, rules_frame, strip_prefix
from .markdown_blocks import natural_key
from .model import Referentiel
from .points import NodeRecord, add_missing_ancestors, assemble_tree, check_action_id, read_categorie, \
    read_number, root_title

TEXT_COLUMNS = {
    "contexte": "Contexte",
    "exemples": "Exemples",
    "ressources": "Ressources",
    "reductionpotentiel": "Réduction de potentiel",
    "perimetreevaluation": "Périmètre de l'évaluation",
}
RULE_COLUMNS_CSV = {"desactivation": "desactivationdesc", "reduction": "reductiondesc", "score": "scoredesc"}
FIELD_KEYS = {"identifiant": "identifiant", "points": "points", "pourcentage": "pourcentage",
              "categorie": "categorie", "nom": "nom"}


def read_csv_referentiel(path: Path, nom: str, personnalisations: list[Path] | None = None,
                         questions: list[Path] | None = None) -> Referentiel:
    """The referential of a CSV structure file. `personnalisations` (markdown files), when given,
    replace the CSV's rule columns; `questions` fill the questions table."""
    path = Path(path)
    problems = ProblemCollector()
    table = read_table(path.read_bytes(), path.name)
    missing = [key for key in ("identifiant", "nom") if key not in table.keys]
    if missing:
        for key in missing:
            problems.add(path.name, table.header_line, None, f"colonne « {key} » manquante")
        problems.raise_if_any()

    labels = {key: table.column_label(key) for key in table.keys}
    records: list[NodeRecord] = []
    rules: list[RuleRecord] = []
    for values, line in zip(table.frame.to_dict("records"), table.line_numbers):
        cell = lambda key: (values.get(key) or "").strip()  # noqa: E731 - tiny accessor
        record = NodeRecord("", cell("nom"), path.name, line, column=labels["identifiant"])
        record.columns = {name: labels[key] for name, key in FIELD_KEYS.items() if key in labels}
        raw_id = cell("identifiant")
        action_id = strip_prefix(raw_id, nom) if raw_id else ""
        if action_id is None:
            record.problem(problems, "identifiant", f"l'action « {raw_id} » n'appartient pas au référentiel « {nom} »")
            continue
        if not check_action_id(action_id, record, problems):
            continue
        record.action_id = action_id
        if action_id == "" and not record.nom:
            record.nom = root_title(nom)
        record.description = cell("description")
        record.textes = {title: cell(key) for key, title in TEXT_COLUMNS.items() if cell(key)}
        record.points_declares = read_number(cell("points"), record, "points", problems, named=False)
        record.pourcentage = read_number(cell("pourcentage"), record, "pourcentage", problems, named=False)
        record.categorie = read_categorie(cell("categorie"), record, problems, named=False)
        records.append(record)
        for kind, description_key in RULE_COLUMNS_CSV.items():
            expression = "\n".join(part.rstrip() for part in cell(kind).split("\n")).strip()
            if expression:
                rules.append(RuleRecord(action_id, kind, expression, cell(description_key), path.name, line))

    if not records:  # nothing to build a tree from (the tree's own message would name no file)
        problems.add(path.name, table.header_line, None, "aucun nœud lisible sous l'en-tête : le référentiel est vide")
        problems.raise_if_any()
    # Exports often sort ids as text (1.2.3.2.10 before 1.2.3.2.2): siblings follow the ids.
    records.sort(key=lambda r: natural_key(r.action_id))
    _shares_from_points(records)
    records = add_missing_ancestors(records, nom, all_levels=False)
    nodes = assemble_tree(records, problems)
    known = set(nodes["action_id"]) if not problems else None
    if personnalisations is not None:
        rules_table = read_rules(personnalisations, nom, problems, known)
    else:
        rules_table = rules_frame(rules, problems, known)
    questions_table = read_questions(questions or [], nom, problems)
    problems.raise_if_any()
    titre = nodes.loc[nodes["action_id"] == "", "nom"].iloc[0]
    return Referentiel(nom=nom, titre=titre, nodes=nodes, rules=rules_table, questions=questions_table,
                       source_kind="csv", source=str(path))


def _shares_from_points(records: list[NodeRecord]) -> None:
    """Sous-action points under a mesure with points → their pourcentage of the mesure."""
    by_id = {r.action_id: r for r in records}
    with_points = {r.action_id for r in records if not math.isnan(r.points_declares) and r.action_id}
    for record in records:
        if record.action_id == "" or "." not in record.action_id or math.isnan(record.points_declares):
            continue
        parent_id = record.action_id.rsplit(".", 1)[0]
        parent = by_id.get(parent_id)
        if parent is None or parent_id not in with_points or _has_ancestor_in(parent_id, with_points):
            continue
        if parent.points_declares > 0:
            record.pourcentage = record.points_declares / parent.points_declares * 100.0
            record.lines["pourcentage"] = record.source_line
            record.columns["pourcentage"] = record.columns.get("points", record.column)


def _has_ancestor_in(action_id: str, ids: set[str]) -> bool:
    while "." in action_id:
        action_id = action_id.rsplit(".", 1)[0]
        if action_id in ids:
            return True
    return False
