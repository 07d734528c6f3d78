"""Reader of ADEME's markdown referential (`referentiels/cae/*.md`), its personnalisation rules
(`personnalisations/<nom>_*.md`) and its questions (`questions/*.md`).

Referential files: `cae.md` (root, `identifiant: ""`), axis files (`1.md`, sous-axes listed under
`## Actions`), mesure files (`1.1.2.md`). In every file a heading directly followed by a
```yaml block holding `identifiant` is a node (its place in the tree comes from its id, not from
the heading level); `points`, `pourcentage`, `categorie` and `climat_pratic_id` are read from the
block. A heading named `Actions` opens the list of child nodes: a heading one level below it
without a yaml block is an error. Any other heading is a text section of the node it sits under:
`Description` (any level) goes to `description`, the others (`Contexte`, `Exemples`,
`Ressources`, `Réduction de potentiel`, `Périmètre de l'évaluation`, `Preuve` …) to
`textes[title]`; deeper headings inside a section stay in its markdown. Paragraphs right after
a node's yaml block belong to its description. Every node of a file must lie under the file's
first node (its mesure or axis). `README.md` files are ignored.

Personnalisation files: `# title` + yaml `action_id: cae_1.1.2.0.1` (the `<nom>_` prefix is
removed), then `## Règles` and one `### Désactivation` / `### Réduction de potentiel` /
`### Score…` heading per rule, each with a ```formule block (the expression) followed by its
explanation (the rule's description).

Question files: `# question` + yaml (`id`, `type` binaire/choix/proportion, `thematique_id`,
`actions`), `## Description`, `## Choix` with one `### label` + yaml `id` per choice.
Only the questions whose `actions` name at least one action of the referential (`<nom>_…`) are
kept: ADEME's folder also holds questions of other referentials (ECI).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import ProblemCollector
from .markdown_blocks import (
    Section,
    items_markdown,
    natural_key,
    norm_title,
    parse_yaml,
    read_text,
    scalar,
    split_sections,
    yaml_key_line,
)
from .model import ALL_QUESTION_COLUMNS, RULE_COLUMNS, Referentiel, empty_questions, empty_rules
from .points import (
    NodeRecord,
    add_missing_ancestors,
    assemble_tree,
    check_action_id,
    read_categorie,
    read_number,
    root_title,
)

QUESTION_TYPES = ("binaire", "choix", "proportion")
RULE_TITLES = {"desactivation": "desactivation", "reduction": "reduction", "score": "score"}
KIND_LABELS = {"desactivation": "désactivation", "reduction": "réduction de potentiel", "score": "score"}


@dataclass
class RuleRecord:
    action_id: str
    kind: str
    expression: str
    description: str
    source_file: str
    source_line: int


def ademe_files(folder: Path) -> list[Path]:
    files = [p for p in folder.glob("*.md") if p.is_file() and p.stem.lower() != "readme"]
    # Root file first, then by id (1.md, 1.1.1.md, …, 1.10.1.md); other names after.
    return sorted(files, key=lambda p: (0, natural_key(p.stem)) if _looks_like_id(p.stem) else (1, (), p.name))


def _looks_like_id(stem: str) -> bool:
    return all(part and part[0].isdigit() for part in stem.split("."))


def read_ademe_referentiel(folder: Path, nom: str, personnalisations: list[Path] | None = None,
                           questions: list[Path] | None = None) -> Referentiel:
    """The referential of `folder`, with the rules and questions of the given files."""
    folder = Path(folder)
    problems = ProblemCollector()
    files = ademe_files(folder)
    if not files:
        problems.add(folder.name, None, None, "aucun fichier markdown (.md) dans ce dossier")
        problems.raise_if_any()
    records: list[NodeRecord] = []
    for path in files:
        records.extend(parse_ademe_file(read_text(path), path.name, problems))
    records = add_missing_ancestors(records, nom, all_levels=False)
    nodes = assemble_tree(records, problems)
    rules = read_rules(personnalisations or [], nom, problems, set(nodes["action_id"]) if not problems else None)
    table = read_questions(questions or [], nom, problems)
    problems.raise_if_any()
    titre = nodes.loc[nodes["action_id"] == "", "nom"].iloc[0] if len(nodes) else root_title(nom)
    return Referentiel(nom=nom, titre=titre, nodes=nodes, rules=rules, questions=table,
                       source_kind="ademe-markdown", source=str(folder))


# --- referential files ----------------------------------------------------------------------

def parse_ademe_file(text: str, filename: str, problems: ProblemCollector) -> list[NodeRecord]:
    """Records of one referential file, in reading order."""
    records: list[NodeRecord] = []
    # Open headings: (level, kind, node, section title); kind is "node", "actions" or "section".
    stack: list[tuple[int, str, NodeRecord | None, str]] = []
    top: NodeRecord | None = None
    sections = split_sections(text, filename, problems)
    if not any(s.level > 0 for s in sections):
        problems.add(filename, 1, 1, "aucun titre « # … » suivi d'un bloc yaml : ce n'est pas un fichier de référentiel")
        return records
    for section in sections[1:]:
        while stack and stack[-1][0] >= section.level:
            stack.pop()
        owner = next((entry[2] for entry in reversed(stack) if entry[1] == "node"), None)
        if section.yaml is not None:
            record = _node(section, filename, problems, top)
            if record is None:
                stack.append((section.level, "broken", None, ""))
                continue
            if top is None:
                top = record
            records.append(record)
            stack.append((section.level, "node", record, ""))
            _append(record, "Description", section.body_markdown())
            continue
        title = section.title.strip()
        parent = stack[-1] if stack else None
        if parent is not None and parent[1] == "broken":
            continue
        if owner is None or (parent is not None and parent[1] == "actions" and parent[0] == section.level - 1):
            problems.add(filename, section.line, 1, f"bloc yaml manquant après le titre « {title} »")
            stack.append((section.level, "broken", None, ""))
            continue
        if parent is not None and parent[1] == "section":
            _append(owner, parent[3], "#" * section.level + " " + title + "\n" + section.body_markdown())
            stack.append((section.level, "nested", owner, parent[3]))
            continue
        if parent is not None and parent[1] == "nested":
            _append(owner, parent[3], "#" * section.level + " " + title + "\n" + section.body_markdown())
            continue
        if norm_title(title) == "actions":
            stack.append((section.level, "actions", owner, ""))
            _append(owner, "Actions", section.body_markdown())
            continue
        stack.append((section.level, "section", owner, title))
        _append(owner, title, section.body_markdown())
    return records


def _append(node: NodeRecord, title: str, markdown: str) -> None:
    markdown = markdown.strip("\n")
    if not markdown.strip():
        return
    if norm_title(title) == "description":
        node.description = f"{node.description}\n\n{markdown}" if node.description else markdown
    else:
        previous = node.textes.get(title)
        node.textes[title] = f"{previous}\n\n{markdown}" if previous else markdown


def _node(section: Section, filename: str, problems: ProblemCollector, top: NodeRecord | None) -> NodeRecord | None:
    data = parse_yaml(section.yaml, filename, problems)
    if data is None:
        return None
    record = NodeRecord("", section.title.strip(), filename, section.line)
    record.lines = {key: yaml_key_line(section.yaml, key) for key in data}
    if "identifiant" not in data:
        problems.add(filename, section.yaml.line, 1, f"clé « identifiant » manquante dans le bloc yaml de « {record.nom} »")
        return None
    raw = data["identifiant"]
    action_id = "" if raw is None else str(raw).strip()
    if not check_action_id(action_id, record, problems):
        return None
    record.action_id = action_id
    if top is not None and top.action_id != "" and not action_id.startswith(top.action_id + "."):
        record.problem(problems, "identifiant",
                       f"l'identifiant « {action_id} » n'est pas sous « {top.action_id} », le nœud décrit par ce fichier")
        return None
    record.points_declares = read_number(scalar(data.get("points")), record, "points", problems)
    record.pourcentage = read_number(scalar(data.get("pourcentage")), record, "pourcentage", problems)
    record.categorie = read_categorie(scalar(data.get("categorie")), record, problems)
    record.climat_pratic_id = scalar(data.get("climat_pratic_id"))
    return record


# --- personnalisation rules -------------------------------------------------------------------

def strip_prefix(action_id: str, nom: str) -> str | None:
    """`cae_1.1.2` → `1.1.2` for nom `cae`; an id of another referential (`eci_1.2`) → None."""
    prefix = f"{nom}_"
    if action_id.lower().startswith(prefix.lower()):
        return action_id[len(prefix):]
    if "_" in action_id and not action_id.split("_", 1)[0][:1].isdigit():
        return None
    return action_id


def rule_kind(title: str) -> str | None:
    key = norm_title(title)
    for start, kind in RULE_TITLES.items():
        if key.startswith(start):
            return kind
    return None


def read_rules(paths: list[Path], nom: str, problems: ProblemCollector,
               known_ids: set[str] | None) -> pd.DataFrame:
    """Rules of the personnalisation files; ids checked against `known_ids` when given."""
    rules: list[RuleRecord] = []
    for path in paths:
        rules.extend(parse_personnalisation_file(read_text(path), path.name, nom, problems))
    return rules_frame(rules, problems, known_ids)


def rules_frame(rules: list[RuleRecord], problems: ProblemCollector, known_ids: set[str] | None) -> pd.DataFrame:
    """Rules table; unknown actions and a second rule of one kind on a node are reported."""
    seen: dict[tuple[str, str], RuleRecord] = {}
    for rule in rules:
        if known_ids is not None and rule.action_id not in known_ids:
            problems.add(rule.source_file, rule.source_line, 1,
                         f"règle de {KIND_LABELS[rule.kind]} sur une action inconnue « {rule.action_id} »")
        first = seen.get((rule.action_id, rule.kind))
        if first is not None:
            where = (f"ligne {first.source_line}" if first.source_file == rule.source_file
                     else f"dans {first.source_file} ligne {first.source_line}")
            problems.add(rule.source_file, rule.source_line, 1,
                         f"règle de {KIND_LABELS[rule.kind]} en double pour « {rule.action_id} » (déjà définie {where})")
        else:
            seen[(rule.action_id, rule.kind)] = rule
    if not rules:
        return empty_rules()
    return pd.DataFrame(
        {column: pd.Series([getattr(rule, column) for rule in rules],
                           dtype="int64" if column == "source_line" else "object")
         for column in RULE_COLUMNS}
    )


def parse_personnalisation_file(text: str, filename: str, nom: str, problems: ProblemCollector) -> list[RuleRecord]:
    rules: list[RuleRecord] = []
    action_id: str | None = None
    for section in split_sections(text, filename, problems)[1:]:
        title = section.title.strip()
        if section.level == 1:
            action_id = None
            if section.yaml is None:
                problems.add(filename, section.line, 1, f"bloc yaml manquant après le titre « {title} »")
                continue
            data = parse_yaml(section.yaml, filename, problems)
            if data is None:
                continue
            raw = scalar(data.get("action_id"))
            if raw is None:
                problems.add(filename, section.yaml.line, 1, f"clé « action_id » manquante dans le bloc yaml de « {title} »")
                continue
            action_id = strip_prefix(raw, nom)
            if action_id is None:
                problems.add(filename, yaml_key_line(section.yaml, "action_id"), 1,
                             f"l'action « {raw} » n'appartient pas au référentiel « {nom} »")
            continue
        if action_id is None or section.level != 3:
            continue
        kind = rule_kind(title)
        if kind is None:
            problems.add(filename, section.line, 1,
                         f"type de règle inconnu « {title} » (attendu : Désactivation, Réduction de potentiel ou Score)")
            continue
        formules = section.fences("formule")
        if not formules:
            problems.add(filename, section.line, 1, f"bloc « ```formule » manquant sous « {title} »")
            continue
        expression = "\n".join(line.text.rstrip() for line in formules[0].body_lines).strip()
        if not expression:
            problems.add(filename, formules[0].line, 1, f"formule vide sous « {title} »")
            continue
        rest = [item for item in section.body if item is not formules[0]]
        rules.append(RuleRecord(action_id, kind, expression, items_markdown(rest), filename, section.line))
    return rules


# --- questions --------------------------------------------------------------------------------

def read_questions(paths: list[Path], nom: str, problems: ProblemCollector) -> pd.DataFrame:
    rows: list[dict] = []
    for path in paths:
        rows.extend(parse_question_file(read_text(path), path.name, problems))
    seen: dict[str, dict] = {}
    for row in rows:
        first = seen.get(row["question_id"])
        if first is not None:
            where = (f"ligne {first['source_line']}" if first["source_file"] == row["source_file"]
                     else f"dans {first['source_file']} ligne {first['source_line']}")
            problems.add(row["source_file"], row["source_line"], 1,
                         f"question en double « {row['question_id']} » (déjà définie {where})")
        else:
            seen[row["question_id"]] = row
    prefix = f"{nom}_".lower()
    kept = [row for row in seen.values() if any(a.lower().startswith(prefix) for a in row["actions"])]
    for rank, row in enumerate(kept):  # the profile form follows the files' order
        row["ordre"] = rank
    if not kept:
        return empty_questions()
    integers = ("source_line", "ordre")
    return pd.DataFrame(
        {column: pd.Series([row[column] for row in kept], dtype="int64" if column in integers else "object")
         for column in ALL_QUESTION_COLUMNS}
    )


def parse_question_file(text: str, filename: str, problems: ProblemCollector) -> list[dict]:
    questions: list[dict] = []
    current: dict | None = None
    section_title = ""
    for section in split_sections(text, filename, problems)[1:]:
        title = section.title.strip()
        if section.level == 1:
            current = _question(section, filename, problems)
            section_title = ""
            if current is not None:
                questions.append(current)
                current["description"] = _join(current["description"], section.body_markdown())
            continue
        if current is None:
            continue
        if section.level == 2:
            section_title = norm_title(title)
            if section_title != "choix":
                body = section.body_markdown() if section_title == "description" else f"## {title}\n{section.body_markdown()}"
                current["description"] = _join(current["description"], body)
            continue
        if section_title == "choix" and section.level == 3:
            if section.yaml is None:
                problems.add(filename, section.line, 1, f"bloc yaml manquant après le choix « {title} »")
                continue
            data = parse_yaml(section.yaml, filename, problems)
            choice_id = scalar(data.get("id")) if data is not None else None
            if data is not None and choice_id is None:
                problems.add(filename, section.yaml.line, 1, f"clé « id » manquante dans le bloc yaml du choix « {title} »")
            if choice_id is not None:
                current["choix"].append({"id": choice_id, "label": title})
            continue
        current["description"] = _join(current["description"], "#" * section.level + f" {title}\n{section.body_markdown()}")
    for question in questions:
        if question["type"] == "choix" and not question["choix"]:
            problems.add(filename, question["source_line"], 1,
                         f"la question à choix « {question['question_id']} » n'a aucun choix (section « ## Choix »)")
    return questions


def _join(first: str, second: str) -> str:
    second = second.strip("\n")
    if not second.strip():
        return first
    return f"{first}\n\n{second}" if first else second


def _question(section: Section, filename: str, problems: ProblemCollector) -> dict | None:
    title = section.title.strip()
    if section.yaml is None:
        problems.add(filename, section.line, 1, f"bloc yaml manquant après la question « {title} »")
        return None
    data = parse_yaml(section.yaml, filename, problems)
    if data is None:
        return None
    question_id = scalar(data.get("id"))
    if question_id is None:
        problems.add(filename, section.yaml.line, 1, f"clé « id » manquante dans le bloc yaml de « {title} »")
        return None
    kind = (scalar(data.get("type")) or "").lower()
    if kind not in QUESTION_TYPES:
        problems.add(filename, yaml_key_line(section.yaml, "type"), 1,
                     f"type de question « {kind} » inconnu pour « {question_id} » (attendu : binaire, choix ou proportion)")
        return None
    actions = data.get("actions")
    if actions is None:
        actions = []
    elif isinstance(actions, str):
        actions = [a.strip() for a in actions.split(",") if a.strip()]
    elif isinstance(actions, list):
        actions = [str(a).strip() for a in actions if str(a).strip()]
    else:
        problems.add(filename, yaml_key_line(section.yaml, "actions"), 1,
                     f"« actions » doit être une liste d'identifiants pour « {question_id} »")
        actions = []
    return {
        "question_id": question_id,
        "type": kind,
        "thematique_id": scalar(data.get("thematique_id")),
        "titre": title,
        "description": "",
        "choix": [],
        "actions": actions,
        "source_file": filename,
        "source_line": section.line,
        "thematique": None,
        "expr_visible": None,
        "types_collectivites": _types_concernes(data.get("types_concernes")),
        "competence_code": None,
        "competence": None,
    }


def _types_concernes(value: object) -> list[str]:
    """`types_concernes: [EPCI]` → ["epci"] (lower case, as the platform's files)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [str(v).strip().lower() for v in value if str(v).strip()]
