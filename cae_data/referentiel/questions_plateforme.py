"""Reader of the platform's question files (`questions-plateforme/`: questions.csv, choices.csv,
thematiques.csv, competences.csv), which cover CAE, ECI and TE at once.

questions.csv: `id`, `competenceCode`, `formulation` (→ titre), `consignesJustification`,
`type` (binaire / choix / proportion), `thematiqueId`, `ordonnancement`, `exprVisible` (rule
language: when the question is shown), `typesCollectivitesConcernees` (commune, epci; empty: all),
`description`. `ColonneNonImportee-Metier` is, as its name says, not imported (the platform
ignores it too). choices.csv: `id`, `questionId`, `ordonnancement`, `formulation`.
thematiques.csv: `id`, `nom`; competences.csv: `competenceCode`, `intitule`.

The table has model.ALL_QUESTION_COLUMNS. `ordre` is the position in the profile form: by
thematique (order of thematiques.csv), then `ordonnancement`, then file order. `actions` lists
the prefixed ids of the nodes whose rules (or `personnalisationQuestions`) read the question.

Which questions a referential keeps (`questions_for_referentiel`): the files carry no link to a
referential, so the referential's own rules decide: every question a rule reads, every question
its nodes list in `personnalisationQuestions`, and, recursively, the questions their visibility
rules read. A rule reading a question the files lack is a warning.

Refusals (file:line:column): missing file or column, duplicate id, unknown type, a choice
question without choices, an unreadable visibility rule. Warnings: a choice of an unknown
question, an unknown thematique, competence or collectivity type, an unreadable ordering.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..errors import ProblemCollector
from ..personnalisation.rules import RuleSyntaxError, parse_rule
from ..tabular import parse_number, read_table
from .model import ALL_QUESTION_COLUMNS, empty_questions

QUESTIONS_FILE = "questions.csv"
OTHER_FILES = ("choices.csv", "thematiques.csv", "competences.csv")
QUESTION_TYPES = ("binaire", "choix", "proportion")
COLLECTIVITE_TYPES = ("commune", "epci", "syndicat")
REQUIRED = {
    "questions.csv": ("id", "formulation", "type"),
    "choices.csv": ("id", "questionid", "formulation"),
    "thematiques.csv": ("id", "nom"),
    "competences.csv": ("competencecode", "intitule"),
}


def is_platform_questions(path: Path | None) -> bool:
    """A folder holding questions.csv, or that file itself."""
    if path is None:
        return False
    path = Path(path)
    return (path.is_dir() and (path / QUESTIONS_FILE).is_file()) or (
        path.is_file() and path.name.lower() == QUESTIONS_FILE)


def _table(folder: Path, name: str, problems: ProblemCollector, required: bool = True):
    path = folder / name
    if not path.is_file():
        if required:
            problems.add(name, None, None, f"fichier de questions manquant : {path}")
        return None
    table = read_table(path.read_bytes(), name)
    missing = [key for key in REQUIRED[name] if key not in table.keys]
    for key in missing:
        problems.add(name, table.header_line, None, f"colonne « {key} » manquante")
    return None if missing else table


def _rows(table):
    """(cell accessor, line) per row; zero-width spaces (one hides in a thematique name) removed."""
    for values, line in zip(table.frame.to_dict("records"), table.line_numbers):
        yield (lambda key, v=values: (v.get(key) or "").replace("\u200b", "").strip()), line


def read_platform_questions(path: Path, problems: ProblemCollector, warnings: ProblemCollector) -> pd.DataFrame:
    """Every question of the platform's files (see the module docstring)."""

    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    questions = _table(folder, QUESTIONS_FILE, problems)
    choices = _table(folder, "choices.csv", problems)
    thematiques = _table(folder, "thematiques.csv", problems, required=False)
    competences = _table(folder, "competences.csv", problems, required=False)
    if questions is None or choices is None:
        return empty_questions()
    theme_names: dict[str, str] = {}
    theme_rank: dict[str, int] = {}
    if thematiques is not None:
        for cell, _ in _rows(thematiques):
            theme_rank.setdefault(cell("id"), len(theme_rank))
            theme_names.setdefault(cell("id"), cell("nom"))
    competence_names = {} if competences is None else {cell("competencecode"): cell("intitule")
                                                       for cell, _ in _rows(competences)}
    label = questions.column_label

    rows: list[dict] = []
    by_id: dict[str, dict] = {}
    for cell, line in _rows(questions):
        question_id = cell("id")
        if not question_id:
            problems.add(QUESTIONS_FILE, line, label("id"), "identifiant de question vide")
            continue
        if question_id in by_id:
            problems.add(QUESTIONS_FILE, line, label("id"), f"question en double « {question_id} » "
                                                            f"(déjà définie ligne {by_id[question_id]['source_line']})")
            continue
        kind = cell("type").lower()
        if kind not in QUESTION_TYPES:
            problems.add(QUESTIONS_FILE, line, label("type"), f"type de question « {cell('type')} » inconnu pour "
                                                              f"« {question_id} » (attendu : binaire, choix ou proportion)")
            continue
        visible = "\n".join(part.rstrip() for part in cell("exprvisible").split("\n")).strip() or None
        if visible is not None:
            try:
                parse_rule(visible, question_id, "visibilite")
            except RuleSyntaxError as exc:
                problems.add(QUESTIONS_FILE, line, label("exprvisible"), str(exc))
        theme = cell("thematiqueid") or None
        if theme is not None and thematiques is not None and theme not in theme_names:
            warnings.add(QUESTIONS_FILE, line, label("thematiqueid"),
                         f"thématique « {theme} » absente de thematiques.csv pour « {question_id} »")
        code = cell("competencecode") or None
        if code is not None and competences is not None and code not in competence_names:
            warnings.add(QUESTIONS_FILE, line, label("competencecode"),
                         f"compétence « {code} » absente de competences.csv pour « {question_id} »")
        types = []
        for value in (v.strip().lower() for v in cell("typescollectivitesconcernees").split(",")):
            if not value:
                continue
            if value in COLLECTIVITE_TYPES:
                types.append(value)
            else:
                warnings.add(QUESTIONS_FILE, line, label("typescollectivitesconcernees"),
                             f"type de collectivité « {value} » inconnu pour « {question_id} » (attendu : commune, "
                             "epci ou syndicat) : il n'est pas lu")
        description = cell("description")
        if cell("consignesjustification"):
            consignes = f"**Justification attendue** : {cell('consignesjustification')}"
            description = f"{description}\n\n{consignes}" if description else consignes
        row = {
            "question_id": question_id, "type": kind, "thematique_id": theme, "titre": cell("formulation"),
            "description": description, "choix": [], "actions": [], "source_file": QUESTIONS_FILE,
            "source_line": line, "ordonnancement": _ordering(cell("ordonnancement"), line, label("ordonnancement"),
                                                             question_id, warnings),
            "thematique": theme_names.get(theme) if theme else None, "expr_visible": visible,
            "types_collectivites": types, "competence_code": code,
            "competence": competence_names.get(code) if code else None,
        }
        rows.append(row)
        by_id[question_id] = row

    choice_rows = []
    for cell, line in _rows(choices):
        owner = by_id.get(cell("questionid"))
        if owner is None:
            warnings.add("choices.csv", line, choices.column_label("questionid"),
                         f"choix « {cell('id')} » d'une question inconnue « {cell('questionid')} » : il n'est pas lu")
            continue
        rank = _ordering(cell("ordonnancement"), line, choices.column_label("ordonnancement"), cell("id"), warnings,
                         "choices.csv")
        choice_rows.append((owner, rank, line, {"id": cell("id"), "label": cell("formulation")}))
    for owner, _, _, choice in sorted(choice_rows, key=lambda c: (_last_if_nan(c[1]), c[2])):
        owner["choix"].append(choice)
    for row in rows:
        if row["type"] == "choix" and not row["choix"]:
            problems.add(QUESTIONS_FILE, row["source_line"], label("type"),
                         f"la question à choix « {row['question_id']} » n'a aucun choix dans choices.csv")

    ordered = sorted(rows, key=lambda r: (theme_rank.get(r["thematique_id"], len(theme_rank)),
                                          _last_if_nan(r["ordonnancement"]), r["source_line"]))
    for rank, row in enumerate(ordered):
        row["ordre"] = rank
    if not rows:
        return empty_questions()
    return _frame(rows)


def _ordering(text: str, line: int, column: str, owner: str, warnings: ProblemCollector,
              filename: str = QUESTIONS_FILE) -> float:
    if not text:
        return math.nan
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        warnings.add(filename, line, column, f"ordonnancement « {text} » illisible pour « {owner} » : placé en fin")
        return math.nan
    return value


def _last_if_nan(value: float) -> tuple[int, float]:
    return (1, 0.0) if math.isnan(value) else (0, value)


def _frame(rows: list[dict]) -> pd.DataFrame:
    data = {}
    for column in ALL_QUESTION_COLUMNS:
        values = [row.get(column) for row in rows]
        dtype = "int64" if column in ("source_line", "ordre") else "object"
        data[column] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data)


def questions_for_referentiel(table: pd.DataFrame, nom: str, rules: pd.DataFrame, nodes: pd.DataFrame,
                              warnings: ProblemCollector) -> pd.DataFrame:
    """The questions of `table` (read_platform_questions) that the referential reads: through
    its rules, its nodes' `questions_personnalisation`, and the visibility rules of those,
    recursively. `actions` names the nodes that read each question (`<nom>_<id>`)."""

    if table.empty:
        return table
    ids = {str(q).lower(): str(q) for q in table["question_id"]}
    actions: dict[str, list[str]] = {}

    def link(question: str, action_id: str | None) -> bool:
        known = ids.get(question.lower())
        if known is None:
            return False
        linked = actions.setdefault(known, [])
        if action_id is not None and f"{nom}_{action_id}" not in linked:
            linked.append(f"{nom}_{action_id}")
        return True

    for row in rules.to_dict("records"):
        try:
            rule = parse_rule(row["expression"], str(row["action_id"]), str(row["kind"]))
        except RuleSyntaxError:
            continue  # refused by parse_rules with its own message
        for question in sorted(rule.questions()):
            if not link(question, str(row["action_id"])):
                warnings.add(str(row.get("source_file") or ""), row.get("source_line"), str(row["kind"]),
                             f"la règle de {row['kind']} de « {row['action_id']} » lit la question « {question} » "
                             "absente des fichiers de questions")
    if "questions_personnalisation" in nodes.columns:
        for action_id, listed, file, line in nodes[["action_id", "questions_personnalisation", "source_file",
                                                    "source_line"]].itertuples(index=False):
            for question in listed if isinstance(listed, list) else []:
                if not link(question, action_id):
                    warnings.add(file, line, "personnalisationQuestions",
                                 f"question « {question} » de « {action_id} » absente des fichiers de questions")
    visible = dict(zip(table["question_id"], table["expr_visible"]))
    pending = list(actions)
    while pending:  # a kept question's visibility rule reads other questions: keep them too
        expression = visible.get(pending.pop())
        if not expression:
            continue
        for question in parse_rule(expression, "", "visibilite").questions():
            known = ids.get(question.lower())
            if known is not None and known not in actions:
                actions[known] = []
                pending.append(known)
    kept = table[table["question_id"].isin(actions)].copy()
    kept["actions"] = [actions[q] for q in kept["question_id"]]
    return kept.sort_values("ordre", kind="stable").reset_index(drop=True)
