"""Reader of a CSV structure file (`cae-structure.csv`, `te-structure.csv`): one row per node,
rules inside.

Columns are found by their normalized header, in any order and case (`identifiant` or
`Identifiant`, `Points`, `Categorie`, `Adaptation - calcul` …); `identifiant` and `nom` are
required. Read columns:
- tree and points: `identifiant, nom, points, pourcentage, categorie`;
- texts: `description` (→ description) and TEXT_COLUMNS (→ textes);
- rules: `desactivation`, `reduction`, `score` with their `…Desc` explanations;
- attributes (model.NODE_ATTRIBUTE_COLUMNS): `labels, coremeasure, thematiqueSGPE,
  adaptationNiveau, Adaptation - calcul, indicateurs, Indicateurs_WIP,
  personnalisationQuestions, exprScore`;
- `origine` (TE): the origins table (Referentiel.origines) and `nouvelle_action`.
A column with another name is a warning naming it (its values are not read) when it holds
any value. Questions are not in the CSV.

The merged 2026 referential (referentiel-te.md) is recognised by its `Origine` or `Labels`
column: it gets source_kind "csv-te" (model.REGLES_TE: points read on sous-mesures only,
mesures and above summed, no redistribution). See points.py for levels and points.

- Numbers accept decimal commas (`0,60`). Ids may carry the `<nom>_` prefix and letters
  (`1.1.1alter.1`, `2.1.1.7.a`).
- Rows are taken in id order (1.2.3.2.2 before 1.2.3.2.10), whatever the file's order: exports
  often sort ids as text.
- A missing root row (empty `identifiant`) is created, titled like the seeds' root.
- Points at several levels (classic referentials): the mesure's points are its total and stay
  authoritative. When its sous-actions also carry `points`, these are authoritative for the
  split: their `pourcentage` is recomputed as points / mesure points × 100 (so points not
  adding up to the mesure total are refused as shares not adding to 100). Points of nodes below
  the sous-actions are explicit tâche points (scoring.md §1). Points written above the mesures
  (ECI's axes) are not used: axes are sums.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import ProblemCollector
from ..personnalisation.rules import RuleSyntaxError, parse_rule
from ..tabular import read_table, strip_accents
from .ademe_markdown import RuleRecord, read_questions, read_rules, rules_frame, strip_prefix
from .markdown_blocks import natural_key
from .model import ORIGINE_COLUMNS, SOURCE_KIND_TE, Referentiel, empty_origines, regles_for
from .points import (
    NodeRecord,
    add_missing_ancestors,
    assemble_tree,
    check_action_id,
    read_categorie,
    read_number,
    root_title,
)

TEXT_COLUMNS = {
    "contexte": "Contexte",
    "exemples": "Exemples",
    "ressources": "Ressources",
    "reductionpotentiel": "Réduction de potentiel",
    "perimetreevaluation": "Périmètre de l'évaluation",
    "preuve": "Preuve",
    "reglementation": "Réglementation",
    "retoursdexperience": "Retours d'expérience",
    "adaptationdescriptifs": "Adaptation au changement climatique",
}
RULE_COLUMNS_CSV = {"desactivation": "desactivationdesc", "reduction": "reductiondesc", "score": "scoredesc"}
FIELD_KEYS = {"identifiant": "identifiant", "points": "points", "pourcentage": "pourcentage",
              "categorie": "categorie", "nom": "nom"}
ATTRIBUTE_KEYS = {  # normalized header -> attribute (model.NODE_ATTRIBUTE_COLUMNS)
    "labels": "labels", "coremeasure": "coremeasure", "thematiquesgpe": "thematique_sgpe",
    "adaptationniveau": "adaptation_niveau", "adaptationcalcul": "adaptation_regle", "indicateurs": "indicateurs",
    "indicateurswip": "indicateurs_wip", "personnalisationquestions": "questions_personnalisation",
    "exprscore": "expr_score",
}
KNOWN_KEYS = (set(FIELD_KEYS) | {"description"} | set(TEXT_COLUMNS) | set(RULE_COLUMNS_CSV)
              | set(RULE_COLUMNS_CSV.values()) | set(ATTRIBUTE_KEYS) | {"origine"})
TE_KEYS = ("origine", "labels")  # columns only the merged referential's structure file has
LABELS = ("te_cae", "te_eci")
COREMEASURE_MARKS = ("coremeasure", "x", "oui", "vrai", "1")
ADAPTATION_NIVEAUX = ("exposition_faible", "exposition_partielle", "exposition_forte")
ORIGINE_REFERENTIELS = ("cae", "eci")
NOUVELLE_ACTION = "nouvelle"
ORIGINE_RE = re.compile(r"^([a-z]+)_(\d+(?:\.\d+)*)\s*(?:\(\s*([^()]*?)\s*\))?$")
ORIGINE_START_RE = re.compile(r"^([a-z]+)_(\d+(?:\.\d+)*)\s*(?:\(\s*([^()]*?)\s*\))?")


def read_csv_referentiel(path: Path, nom: str, personnalisations: list[Path] | None = None,
                         questions: list[Path] | None = None) -> Referentiel:
    """The referential of a CSV structure file. `personnalisations` (markdown files), when given,
    replace the CSV's rule columns; `questions` (markdown files) fill the questions table."""
    path = Path(path)
    problems = ProblemCollector()
    warnings = ProblemCollector()
    table = read_table(path.read_bytes(), path.name)
    missing = [key for key in ("identifiant", "nom") if key not in table.keys]
    if missing:
        for key in missing:
            problems.add(path.name, table.header_line, None, f"colonne « {key} » manquante")
        problems.raise_if_any()
    source_kind = SOURCE_KIND_TE if any(key in table.keys for key in TE_KEYS) else "csv"
    regles = regles_for(source_kind)
    labels = {key: table.column_label(key) for key in table.keys}
    _warn_unknown_columns(table, labels, warnings)

    records: list[NodeRecord] = []
    rules: list[RuleRecord] = []
    origines: list[dict] = []
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
        note = lambda key, message: warnings.add(path.name, line, labels[key], message)  # noqa: E731
        record.attributes = _attributes(action_id, cell, table.keys, note)
        if "origine" in table.keys:
            found, nouvelle = _origines(action_id, cell("origine"), note)
            record.attributes["nouvelle_action"] = nouvelle
            origines.extend(dict(row, source_file=path.name, source_line=line) for row in found)
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
    records = add_missing_ancestors(records, nom, all_levels=False)
    nodes = assemble_tree(records, problems, warnings, regles, shares_from_points=True)
    known = set(nodes["action_id"]) if not problems else None
    if personnalisations is not None:
        rules_table = read_rules(personnalisations, nom, problems, known)
    else:
        rules_table = rules_frame(rules, problems, known)
    questions_table = read_questions(questions or [], nom, problems)
    problems.raise_if_any()
    titre = nodes.loc[nodes["action_id"] == "", "nom"].iloc[0]
    return Referentiel(nom=nom, titre=titre, nodes=nodes, rules=rules_table, questions=questions_table,
                       source_kind=source_kind, source=str(path), origines=_origines_frame(origines, known),
                       warnings=sorted(warnings.problems, key=lambda p: p.line or 0))


def _warn_unknown_columns(table, labels: dict[str, str], warnings: ProblemCollector) -> None:
    for key in table.keys:
        if key in KNOWN_KEYS:
            continue
        filled = int((table.frame[key].fillna("").astype(str).str.strip() != "").sum())
        if filled:
            what = "sa valeur n'est pas lue" if filled == 1 else f"ses {filled} valeurs ne sont pas lues"
            warnings.add(table.filename, table.header_line, labels[key], f"colonne « {labels[key]} » non reconnue : {what}")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def _attributes(action_id: str, cell, keys: list[str], note) -> dict[str, object]:
    """The node attributes of one row (only for the columns the file has)."""
    attributes: dict[str, object] = {}
    if "labels" in keys:
        found = []
        for label in _split_list(cell("labels").lower()):
            if label in LABELS:
                found.append(label)
            else:
                note("labels", f"label inconnu « {label} » pour « {action_id} » (attendu : te_cae ou te_eci) : "
                               "il n'est pas lu")
        attributes["labels"] = found
    if "coremeasure" in keys:
        mark = cell("coremeasure")
        if not mark:
            attributes["coremeasure"] = False
        elif strip_accents(mark).lower() in COREMEASURE_MARKS:
            attributes["coremeasure"] = True
        else:
            note("coremeasure", f"valeur « {mark} » non reconnue pour « {action_id} » (attendu : coremeasure ou "
                                "vide) : mesure cœur inconnue")
    if "thematiquesgpe" in keys:
        attributes["thematique_sgpe"] = cell("thematiquesgpe") or None
    if "adaptationniveau" in keys and cell("adaptationniveau"):
        niveau = cell("adaptationniveau").lower()
        if niveau in ADAPTATION_NIVEAUX:
            attributes["adaptation_niveau"] = niveau
        else:
            note("adaptationniveau", f"niveau d'adaptation « {cell('adaptationniveau')} » inconnu pour « {action_id} » "
                                     "(attendu : exposition_faible, exposition_partielle ou exposition_forte) : "
                                     "il n'est pas lu")
    if "adaptationcalcul" in keys and cell("adaptationcalcul"):
        attributes["adaptation_regle"] = cell("adaptationcalcul")
        note("adaptationcalcul", f"règle d'adaptation de « {action_id} » conservée mais pas appliquée au score "
                                 "(la plateforme ne l'applique pas non plus)")
    if "indicateurs" in keys:
        attributes["indicateurs"] = _split_list(cell("indicateurs"))
    if "indicateurswip" in keys:
        attributes["indicateurs_wip"] = cell("indicateurswip") or None
    if "personnalisationquestions" in keys:
        attributes["questions_personnalisation"] = _split_list(cell("personnalisationquestions"))
    if "exprscore" in keys and cell("exprscore"):

        expression = "\n".join(part.rstrip() for part in cell("exprscore").split("\n")).strip()
        attributes["expr_score"] = expression
        try:
            parse_rule(expression, action_id, "indicatif")
        except RuleSyntaxError as exc:
            note("exprscore", f"{exc} : le score indicatif de « {action_id} » ne sera pas calculé")
    return attributes


def _origines(action_id: str, text: str, note) -> tuple[list[dict], bool | None]:
    """Origins of one `Origine` cell (referentiel-te.md): one `cae_1.2.3 (0,5)` per line, the
    weighting optional (1), or « Nouvelle action ». As the platform does, the whole cell is read
    in lower case and a line holding two origins keeps the first (the rest is a warning)."""
    lowered = text.lower().strip()
    if not lowered:
        return [], False
    if lowered.startswith(NOUVELLE_ACTION):
        return [], True
    found: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for part in (p.strip() for p in lowered.split("\n")):
        if not part:
            continue
        match = ORIGINE_RE.match(part)
        if match is None:
            match = ORIGINE_START_RE.match(part)
            if match is None:
                note("origine", f"origine illisible « {part} » pour « {action_id} » (attendu : cae_1.2.3 ou "
                                "cae_1.2.3 (0,5), une par ligne) : elle n'est pas lue")
                continue
            note("origine", f"origine « {part} » pour « {action_id} » : une origine par ligne est attendue ; seule "
                            f"« {match.group(0).strip()} » est lue, comme sur la plateforme")
        referentiel, origine_id, weighting = match.group(1), match.group(2), match.group(3)
        if referentiel not in ORIGINE_REFERENTIELS:
            note("origine", f"origine « {part} » pour « {action_id} » : référentiel « {referentiel} » inconnu "
                            "(attendu : cae ou eci) : elle n'est pas lue")
            continue
        ponderation = 1.0
        if weighting:
            try:
                ponderation = float(weighting.replace(",", "."))
            except ValueError:
                note("origine", f"pondération illisible « {weighting} » pour l'origine « {referentiel}_{origine_id} » "
                                f"de « {action_id} » : l'origine n'est pas lue")
                continue
        if (referentiel, origine_id) in seen:
            note("origine", f"origine « {referentiel}_{origine_id} » donnée deux fois pour « {action_id} » : "
                            "la seconde n'est pas lue")
            continue
        seen.add((referentiel, origine_id))
        found.append({"action_id": action_id, "origine_referentiel": referentiel, "origine_action_id": origine_id,
                      "ponderation": ponderation})
    return found, False


def _origines_frame(rows: list[dict], known: set[str] | None) -> pd.DataFrame:
    if not rows:
        return empty_origines()
    frame = pd.DataFrame(rows, columns=ORIGINE_COLUMNS)
    if known is not None:
        frame = frame[frame["action_id"].isin(known)]
    return frame.astype({"ponderation": "float64", "source_line": "int64"}).reset_index(drop=True)

