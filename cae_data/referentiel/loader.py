"""Entry point: read a referential from a folder of markdown or a CSV structure file.

- A folder whose markdown files carry yaml `identifiant` keys is ADEME's format
  (ademe_markdown.py); otherwise its seed documents (`# title` + yaml `id`) are read
  (seed_markdown.py), other files being skipped.
- A `.csv` (or `.xlsx`/`.xls`) file is a CSV structure (csv_structure.py), rules inside.
- The name defaults to the folder's or file's stem without a `-structure` suffix
  (`cae/` → `cae`, `cae-structure.csv` → `cae`).
- Personnalisation rules and questions: `personnalisations` / `questions` may be a folder or a
  file. From a folder, personnalisation files are those named `<nom>_*.md`; question files are
  all `*.md`, and only the questions whose `actions` name a `<nom>_…` action are kept. For
  ADEME markdown, when not given, the sibling folders `../personnalisations` and `../questions`
  of the referential folder are used when they exist. For the seed format and for a CSV,
  nothing is looked up: a CSV's rules come from its own columns (replaced by the markdown
  rules when `personnalisations` is given) and its questions table stays empty unless
  `questions` is given.
- `questions` may also be the platform's question folder (questions.csv, choices.csv,
  thematiques.csv, competences.csv; questions_plateforme.py): the questions the referential's
  rules read are kept, with their choices, order, visibility rule and collectivity types.
- What was read but not taken as written is in `Referentiel.warnings` (never a refusal).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidInput, ProblemCollector
from .ademe_markdown import read_ademe_referentiel, read_questions, read_rules
from .csv_structure import read_csv_referentiel
from .markdown_blocks import parse_yaml, read_text, split_sections
from .model import Referentiel
from .questions_plateforme import is_platform_questions, questions_for_referentiel, read_platform_questions
from .seed_markdown import SEED_SUFFIXES, read_seed_referentiel

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm", ".ods")

__all__ = ["read_referentiel", "read_seed_referentiel", "detect_format", "default_nom"]


def default_nom(path: Path) -> str:
    path = Path(path).resolve()
    stem = path.stem if path.is_file() else path.name
    for suffix in ("-structure", "_structure"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return stem


def detect_format(folder: Path) -> str:
    """"ademe-markdown" when a markdown file's first yaml block has `identifiant`, else "seed"."""
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.suffix.lower() not in SEED_SUFFIXES:
            continue
        try:
            text = read_text(path)
        except InvalidInput:
            continue
        scratch = ProblemCollector()
        for section in split_sections(text, path.name, scratch):
            if section.yaml is not None:
                data = parse_yaml(section.yaml, path.name, scratch) or {}
                if "identifiant" in data:
                    return "ademe-markdown"
                break
    return "seed"


def _markdown_files(path: Path | None, pattern: str) -> list[Path]:
    if path is None:
        return []
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InvalidInput.single(path.name, None, None, f"dossier ou fichier introuvable : {path}")
    return sorted(p for p in path.glob(pattern) if p.is_file())


def read_referentiel(path: Path, nom: str | None = None, personnalisations: Path | None = None,
                     questions: Path | None = None) -> Referentiel:
    """Read a referential (see the module docstring); raises InvalidInput listing every problem."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput.single(path.name, None, None, f"dossier ou fichier introuvable : {path}")
    nom = nom or default_nom(path)
    rule_files = _markdown_files(personnalisations, f"{nom}_*.md")
    platform = is_platform_questions(questions)
    question_files = [] if platform else _markdown_files(questions, "*.md")
    referentiel = _read(path, nom, personnalisations, questions, rule_files, question_files, platform)
    if platform:
        problems, warnings = ProblemCollector(), ProblemCollector()
        table = read_platform_questions(Path(questions), problems, warnings)
        problems.raise_if_any()
        referentiel.questions = questions_for_referentiel(table, nom, referentiel.rules, referentiel.nodes, warnings)
        referentiel.warnings = referentiel.warnings + list(warnings.problems)
    return referentiel


def _read(path: Path, nom: str, personnalisations: Path | None, questions: Path | None, rule_files: list[Path],
          question_files: list[Path], platform: bool) -> Referentiel:
    if path.is_file():
        if path.suffix.lower() not in TABLE_SUFFIXES:
            raise InvalidInput.single(path.name, None, None,
                                      "format non reconnu : un dossier de markdown ou un fichier CSV de structure est attendu")

        return read_csv_referentiel(path, nom, rule_files if personnalisations is not None else None, question_files)

    if detect_format(path) == "ademe-markdown":
        if personnalisations is None and (path.parent / "personnalisations").is_dir():
            rule_files = _markdown_files(path.parent / "personnalisations", f"{nom}_*.md")
        if questions is None and not platform and (path.parent / "questions").is_dir():
            question_files = _markdown_files(path.parent / "questions", "*.md")
        return read_ademe_referentiel(path, nom, rule_files, question_files)

    referentiel = read_seed_referentiel(path, nom)
    if rule_files or question_files:
        problems = ProblemCollector()
        rules = read_rules(rule_files, nom, problems, set(referentiel.nodes["action_id"]))
        table = read_questions(question_files, nom, problems)
        problems.raise_if_any()
        referentiel.rules, referentiel.questions = rules, table
    return referentiel

