"""Reader of the seed documents (one mesure per file, `seeds/000_*.txt` …).

Format: `# title` + ```yaml (`id`, `climat_pratic_id`), `## Description` (other `##` sections go
to `textes`), `## Actions` with one `### sous-action` + ```yaml (`id`, `points` = its share in %
of the mesure, stored as `pourcentage`; `categorie`) each. The body of a sous-action:
- `- bullet` lines are its tâches, numbered in order (`6.1.1.1.1`, `6.1.1.1.2` …); a line
  directly below a bullet (no blank line) continues it;
- a line `EPCI :` / `Commune :` alone tags the bullets below it with `collectivite_type`
  "EPCI" / "commune"; a bullet starting with `EPCI :` / `Commune :` is tagged alone, and the
  prefix is removed from its title (the tag keeps the meaning);
- paragraphs before the first bullet form its description; from the first other paragraph (or
  `−` example list) after the bullets, everything is kept as markdown in `textes["Notes"]`.

Only files whose first line is a `# title` directly followed by a yaml block with an `id` are
seed files; the others in the folder (a fiche-action, a slide deck) are skipped. The seeds give
mesures only: the root and the missing axes/sous-axes are created ("Axe 6", "Sous-axe 6.1").
Mesures have no points, so each is worth 100 (scoring.md §1).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ProblemCollector
from .markdown_blocks import (
    Fence,
    Line,
    Section,
    items_markdown,
    norm_title,
    parse_yaml,
    read_text,
    scalar,
    split_sections,
    yaml_key_line,
)
from .model import Referentiel
from .points import (
    NodeRecord,
    add_missing_ancestors,
    assemble_tree,
    check_action_id,
    read_categorie,
    read_number,
    root_title,
)

SEED_SUFFIXES = (".txt", ".md", ".markdown")
BULLET_RE = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
TYPE_PREFIX_RE = re.compile(r"^(EPCI|communes?)\s*:\s*(.*)$", re.IGNORECASE)
TYPE_HEADER_RE = re.compile(r"^(EPCI|communes?)\s*:?\s*$", re.IGNORECASE)
EXAMPLE_RE = re.compile(r"^\s*[\u2212\u2013\u2022]\s+")  # − – • lists are examples, not tâches


def collectivite_type(word: str) -> str:
    return "EPCI" if word.upper() == "EPCI" else "commune"


def is_seed_file(path: Path) -> bool:
    """A `# title` before anything else, directly followed by a yaml block holding `id`."""
    if not path.is_file() or path.suffix.lower() not in SEED_SUFFIXES:
        return False
    try:
        text = read_text(path)
    except Exception:  # undecodable files are not seed documents
        return False
    scratch = ProblemCollector()
    sections = split_sections(text, path.name, scratch)
    if sections[0].body_markdown().strip() or len(sections) < 2:
        return False
    first = sections[1]
    if first.level != 1 or first.yaml is None:
        return False
    data = parse_yaml(first.yaml, path.name, scratch)
    return bool(data) and "id" in data


def seed_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if is_seed_file(p))


def read_seed_referentiel(folder: Path, nom: str = "cae") -> Referentiel:
    """The seed mesures of `folder` as a referential (root, axes and sous-axes created)."""
    folder = Path(folder)
    problems = ProblemCollector()
    files = seed_files(folder)
    if not files:
        problems.add(folder.name, None, None, "aucun document de mesure (« # titre » suivi d'un bloc yaml « id ») dans ce dossier")
        problems.raise_if_any()
    records: list[NodeRecord] = []
    for path in files:
        records.extend(parse_seed_file(read_text(path), path.name, problems))
    records = add_missing_ancestors(records, nom, all_levels=True)
    nodes = assemble_tree(records, problems)
    problems.raise_if_any()
    return Referentiel(nom=nom, titre=root_title(nom), nodes=nodes, source_kind="seed", source=str(folder))


def parse_seed_file(text: str, filename: str, problems: ProblemCollector) -> list[NodeRecord]:
    """Records of one seed document, in reading order."""
    records: list[NodeRecord] = []
    mesure: NodeRecord | None = None
    in_actions = False
    target: tuple[NodeRecord, str] | None = None  # where loose text goes: (node, section title)
    for section in split_sections(text, filename, problems):
        if section.level == 0:
            continue
        title = norm_title(section.title)
        if section.level == 1:
            mesure = _node_from_yaml(section, filename, problems, parent=None, top=True)
            in_actions = False
            target = None
            if mesure is not None:
                records.append(mesure)
                _append(mesure, "Description", section.body_markdown())
            continue
        if mesure is None:
            continue
        if section.level == 2:
            in_actions = title == "actions"
            target = None if in_actions else (mesure, section.title.strip())
            if not in_actions:
                _append(mesure, section.title.strip(), section.body_markdown())
            continue
        if section.level == 3 and in_actions:
            sous_action = _node_from_yaml(section, filename, problems, parent=mesure, top=False)
            target = None
            if sous_action is not None:
                records.append(sous_action)
                records.extend(_tasks(sous_action, section.body, filename))
                target = (sous_action, "Notes")
            continue
        # Deeper headings without structure: kept as markdown where the text was going.
        if target is not None:
            _append(target[0], target[1], "#" * section.level + " " + section.title + "\n" + section.body_markdown())
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


def _node_from_yaml(section: Section, filename: str, problems: ProblemCollector,
                    parent: NodeRecord | None, top: bool) -> NodeRecord | None:
    if section.yaml is None:
        problems.add(filename, section.line, 1, f"bloc yaml manquant après le titre « {section.title} »")
        return None
    data = parse_yaml(section.yaml, filename, problems)
    if data is None:
        return None
    record = NodeRecord("", section.title.strip(), filename, section.line)
    record.lines = {key: yaml_key_line(section.yaml, key) for key in data}
    action_id = scalar(data.get("id"))
    if action_id is None:
        problems.add(filename, section.yaml.line, 1, f"clé « id » manquante dans le bloc yaml de « {section.title} »")
        return None
    record.action_id = action_id
    record.lines["identifiant"] = record.lines.get("id", section.line)
    if not check_action_id(action_id, record, problems):
        return None
    if parent is not None and not action_id.startswith(parent.action_id + "."):
        record.problem(problems, "identifiant",
                       f"l'identifiant « {action_id} » n'est pas sous la mesure « {parent.action_id} » de ce fichier")
        return None
    record.climat_pratic_id = scalar(data.get("climat_pratic_id"))
    record.categorie = read_categorie(scalar(data.get("categorie")), record, problems)
    if top:
        # A seed mesure may declare points; a sous-action's `points` is its share in %.
        record.points_declares = read_number(scalar(data.get("points")), record, "points", problems)
    else:
        key = "pourcentage" if "pourcentage" in data else "points"
        record.pourcentage = read_number(scalar(data.get(key)), record, key, problems)
        record.lines["pourcentage"] = record.lines.get(key, section.line)
    return record


def _tasks(sous_action: NodeRecord, body: list[Line | Fence], filename: str) -> list[NodeRecord]:
    """Tâches of a seed sous-action from its bullets; the rest goes to description / Notes."""
    tasks: list[NodeRecord] = []
    intro: list[Line | Fence] = []
    notes: list[Line | Fence] = []
    group_type: str | None = None
    last_was_bullet = False
    for item in body:
        if notes or isinstance(item, Fence):
            (notes if notes or tasks else intro).append(item)
            last_was_bullet = False
            continue
        text = item.text
        stripped = text.strip()
        if not stripped:
            last_was_bullet = False
            continue
        bullet = BULLET_RE.match(text)
        header = TYPE_HEADER_RE.match(stripped)
        if bullet:
            title = bullet.group(1).strip()
            kind = group_type
            prefixed = TYPE_PREFIX_RE.match(title)
            if prefixed:
                kind = collectivite_type(prefixed.group(1))
                title = prefixed.group(2).strip()
            task = NodeRecord(f"{sous_action.action_id}.{len(tasks) + 1}", title, filename, item.line,
                              collectivite_type=kind)
            tasks.append(task)
            last_was_bullet = True
        elif header:
            group_type = collectivite_type(header.group(1))
            last_was_bullet = False
        elif last_was_bullet and not EXAMPLE_RE.match(text):
            tasks[-1].nom = f"{tasks[-1].nom} {stripped}"
        elif tasks:
            notes.append(item)
        else:
            intro.append(item)
    _append(sous_action, "Description", items_markdown(intro))
    _append(sous_action, "Notes", items_markdown(notes))
    return tasks
