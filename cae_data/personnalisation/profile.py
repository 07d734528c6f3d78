"""Collectivity profiles (collectivite.md): reading, writing, and the rule context built on them.

Decisions:
- population brackets are strict, as on the official platform: `moins_de_N` means population < N
  and `plus_de_N` population > N, so a population of exactly 20 000 carries neither
  `moins_de_20000` nor `plus_de_20000`;
- a proportion answer is a number between 0 and 1 included (`0,3` and `30 %` read as 0.3); a
  number above 1 is refused, since the official platform stores a share of the whole;
- an answer left empty (`AOM_1:`) means "not answered", like a missing line;
- top-level keys are read without regard to case or accents (`Réponses` is `reponses`), and
  question ids without regard to case (`aom_1` is `AOM_1`);
- an answer to a question that no loaded question file knows (a question of a referential
  that is not loaded, as a profile exported from the platform has for every referential) is
  KEPT as written (`oui`/`non` as OUI/NON, numbers as floats) and reported in
  `Profile.warnings` naming its key; a wrong answer to a known question stays an error;
- `soustype` (epci_a_fiscalite_propre, syndicat, pole: the platform's sous-types) is optional;
  a profile of type syndicat has sous-type syndicat (`Profile.soustype_effectif`), and
  another sous-type given with it is an error.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import yaml

from ..errors import InvalidInput, Problem, ProblemCollector
from ..tabular import decode_bytes, parse_number, strip_accents
from .rules import (
    LOCALISATIONS,
    MOINS_DE,
    PLUS_DE,
    POPULATION_TAGS,
    SOUSTYPES,
    TYPES,
    Rule,
    parse_rules,
    truth,
)

TOP_LEVEL_KEYS = ("nom", "type", "soustype", "population", "localisation", "reponses")
MAX_POPULATION = 1_000_000_000
TOO_DEEP = "YAML illisible : listes ou dictionnaires imbriqués sur trop de niveaux"


@dataclass
class Profile:
    """Who the collectivity is and its answers (question id → "OUI"/"NON", choice id or float).
    `warnings`: what read_profile kept but could not check (answers to unknown questions)."""

    nom: str
    type: str | None = None
    population: int | None = None
    localisation: str | None = None
    reponses: dict[str, str | float] = field(default_factory=dict)
    soustype: str | None = None
    warnings: list[Problem] = field(default_factory=list, compare=False, repr=False)

    @property
    def soustype_effectif(self) -> str | None:
        """The given sous-type, else "syndicat" for a profile of type syndicat."""
        if self.soustype is not None:
            return self.soustype
        return "syndicat" if self.type == "syndicat" else None


def population_tags(population: int | None) -> list[str]:
    """Brackets of scoring.md §4: `moins_de_N` for every N above the population, `plus_de_N`
    for every N below it (strict on both sides, as the official platform)."""
    if population is None:
        return []
    return [f"moins_de_{n}" for n in MOINS_DE if population < n] + [
        f"plus_de_{n}" for n in PLUS_DE if population > n
    ]


# ---------------------------------------------------------------- reading

_YAML_PROBLEMS = (
    ("mapping values are not allowed", "« : » inattendu (une valeur contenant « : » doit être "
                                       "entre guillemets, ou l'indentation est décalée)"),
    ("cannot start any token", "caractère interdit à cet endroit (les tabulations sont "
                               "interdites en YAML : indentez avec des espaces)"),
    ("could not find expected ':'", "« : » attendu après la clé"),
    ("found unexpected end of stream", "guillemet ou crochet jamais fermé"),
    ("expected ',' or ']'", "crochet « ] » jamais fermé"),
    ("expected ',' or '}'", "accolade « } » jamais fermée"),
    ("expected <block end>", "indentation incohérente"),
    ("undefined alias", "alias « * » inconnu"),
    ("could not determine a constructor", "étiquette « ! » non permise"),
    ("found unhashable key", "clé non permise (une clé doit être un simple texte)"),
)


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or ""
    for needle, french in _YAML_PROBLEMS:
        if needle in problem:
            return f"YAML illisible : {french}"
    return "YAML illisible : vérifiez l'indentation, les « : » et les guillemets près de cette ligne"


def _norm_key(text: str) -> str:
    return strip_accents(str(text)).strip().lower()


def _enumerate(words: list[str] | tuple[str, ...]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " ou " + words[-1]


def _choices(choix) -> list[str]:
    if not isinstance(choix, (list, tuple, np.ndarray)):
        return []
    return [str(c["id"]) for c in choix if isinstance(c, dict) and c.get("id")]


def read_profile(data: bytes, filename: str, questions: pd.DataFrame) -> Profile:
    """Read and validate a `collectivite.yaml`; every problem at once (InvalidInput)."""
    text = decode_bytes(data, filename)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # control characters: PyYAML checks them first
        raise InvalidInput.single(filename, text.count("\n", 0, exc.position) + 1, None,
                                  f"caractère de contrôle non permis (code {exc.character:#06x})") from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            column = mark.column + 1 if mark else None
            raise InvalidInput.single(filename, line, column, _yaml_problem(exc)) from None
        reader = _ProfileReader(loader, filename, questions)
        return reader.read(root)
    except RecursionError:  # PyYAML recurses once per nesting level
        raise InvalidInput.single(filename, None, None, TOO_DEEP) from None
    finally:
        loader.dispose()


class _ProfileReader:
    def __init__(self, loader: yaml.SafeLoader, filename: str, questions: pd.DataFrame):
        self.loader = loader
        self.filename = filename
        self.problems = ProblemCollector()
        self.warnings = ProblemCollector()
        self.questions: dict[str, dict] = {}
        for row in questions.to_dict("records"):
            self.questions[str(row["question_id"]).lower()] = row

    def add(self, node: yaml.Node | None, column: str | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.add(self.filename, line, column, message)

    def value(self, node: yaml.Node, column: str):
        """The Python value of a node; a nested list or mapping is refused where a scalar is due."""
        if not isinstance(node, yaml.ScalarNode):
            self.add(node, column, "une seule valeur est attendue, pas une liste ni un dictionnaire")
            return _INVALID
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            self.add(node, column, _yaml_problem(exc))
            return _INVALID

    def read(self, root: yaml.Node | None) -> Profile:
        if root is None:
            raise InvalidInput.single(self.filename, None, None,
                                      "fichier vide : au moins « nom: … » est attendu")
        if not isinstance(root, yaml.MappingNode):
            raise InvalidInput.single(self.filename, root.start_mark.line + 1, None,
                                      "le fichier doit être une suite de lignes « clé: valeur » "
                                      "(nom, type, population, localisation, reponses)")
        fields: dict[str, object] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in root.value:
            key_text = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key = _norm_key(key_text)
            if key not in TOP_LEVEL_KEYS:
                self.add(key_node, key_text, "clé inconnue (attendu : " + _enumerate(TOP_LEVEL_KEYS) + ")")
                continue
            if key in seen:
                self.add(key_node, key_text, f"clé en double (déjà donnée ligne {seen[key]})")
                continue
            seen[key] = key_node.start_mark.line + 1
            reader = getattr(self, f"read_{key}")
            result = reader(value_node, key_text)
            if result is not _INVALID:
                fields[key] = result
        if "nom" not in seen:
            self.problems.add(self.filename, None, "nom", "nom de la collectivité manquant")
        if fields.get("type") == "syndicat" and fields.get("soustype") not in (None, "syndicat"):
            self.problems.add(self.filename, seen.get("soustype"), "soustype",
                              f"sous-type « {fields['soustype']} » incohérent avec le type syndicat (un syndicat a "
                              "le sous-type syndicat)")
        self.problems.raise_if_any()
        return Profile(
            nom=fields["nom"], type=fields.get("type"), population=fields.get("population"),
            localisation=fields.get("localisation"), reponses=fields.get("reponses") or {},
            soustype=fields.get("soustype"), warnings=list(self.warnings.problems),
        )

    def read_nom(self, node: yaml.Node, column: str):
        value = self.value(node, column)
        if value is _INVALID:
            return _INVALID
        if value is None or str(value).strip() == "":
            self.add(node, column, "nom de la collectivité vide")
            return _INVALID
        return str(value).strip()

    def read_type(self, node: yaml.Node, column: str):
        value = self.value(node, column)
        if value is None or value is _INVALID:
            return value
        for candidate in TYPES:
            if _norm_key(value) == candidate.lower():
                return candidate
        self.add(node, column, f"type « {node.value} » inconnu (attendu : {_enumerate(TYPES)})")
        return _INVALID

    def read_soustype(self, node: yaml.Node, column: str):
        value = self.value(node, column)
        if value is None or value is _INVALID:
            return value
        key = re.sub(r"[\s'’-]+", "_", _norm_key(value))
        if key in SOUSTYPES:
            return key
        self.add(node, column, f"sous-type « {node.value} » inconnu (attendu : {_enumerate(SOUSTYPES)})")
        return _INVALID

    def read_localisation(self, node: yaml.Node, column: str):
        value = self.value(node, column)
        if value is None or value is _INVALID:
            return value
        for candidate in LOCALISATIONS:
            if _norm_key(value) == candidate.lower():
                return candidate
        self.add(node, column, f"localisation « {node.value} » inconnue (attendu : "
                               f"{_enumerate(LOCALISATIONS)})")
        return _INVALID

    def read_population(self, node: yaml.Node, column: str):
        value = self.value(node, column)
        if value is None or value is _INVALID:
            return value
        number = None
        if not isinstance(value, bool):
            if isinstance(value, (int, float)):
                number = float(value)
            else:
                cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(value))
                if re.fullmatch(r"-?\d+", cleaned):
                    number = float(cleaned)
        # `.inf` and `.nan` are YAML floats: refused here, int() would raise on them.
        if number is None or not np.isfinite(number) or number != int(number):
            self.add(node, column, f"population « {node.value} » illisible (attendu : un nombre "
                                   "entier d'habitants, par exemple 105000)")
            return _INVALID
        if number > MAX_POPULATION:  # would not fit the database's integer either
            self.add(node, column, f"population « {node.value} » invraisemblable (au plus "
                                   f"{MAX_POPULATION:,} habitants)".replace(",", "\u202f"))
            return _INVALID
        if number < 0:
            self.add(node, column, f"population « {node.value} » négative (attendu : un nombre "
                                   "entier d'habitants, par exemple 105000)")
            return _INVALID
        return int(number)

    def read_reponses(self, node: yaml.Node, column: str):
        if isinstance(node, yaml.ScalarNode) and self.value(node, column) is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.add(node, column, "les réponses doivent être des lignes « question: réponse » "
                                   "indentées sous « reponses: »")
            return _INVALID
        answers: dict[str, str | float] = {}
        seen: dict[str, int] = {}
        seen_foreign: dict[str, int] = {}
        ids = [str(row["question_id"]) for row in self.questions.values()]
        for key_node, value_node in node.value:
            key_text = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            where = f"reponses.{key_text}"
            question = self.questions.get(key_text.strip().lower())
            if question is None:
                if key_text.strip().lower() in seen_foreign:
                    self.add(key_node, where, "question en double (déjà répondue ligne "
                                              f"{seen_foreign[key_text.strip().lower()]})")
                    continue
                seen_foreign[key_text.strip().lower()] = key_node.start_mark.line + 1
                answer = self.foreign_answer(value_node, where)
                if answer is not None and answer is not _INVALID:
                    answers[key_text.strip()] = answer
                    hint = difflib.get_close_matches(key_text, ids, n=1, cutoff=0.75)
                    suffix = f" ; voulez-vous dire « {hint[0]} » ?" if hint else ""
                    self.warnings.add(self.filename, key_node.start_mark.line + 1, where,
                                      f"question « {key_text} » inconnue des référentiels chargés : réponse "
                                      f"conservée, sans effet sur les scores{suffix}")
                continue
            question_id = str(question["question_id"])
            if question_id in seen:
                self.add(key_node, where, f"question en double (déjà répondue ligne {seen[question_id]})")
                continue
            seen[question_id] = key_node.start_mark.line + 1
            answer = self.answer(question, value_node, where)
            if answer is not None and answer is not _INVALID:
                answers[question_id] = answer
        return answers

    def foreign_answer(self, node: yaml.Node, where: str):
        """An answer to a question no loaded file knows, kept as written: oui/non as OUI/NON,
        numbers as floats, other text stripped."""
        value = self.value(node, where)
        if value is None or value is _INVALID:
            return value
        if isinstance(value, bool):
            return "OUI" if value else "NON"
        if isinstance(value, (int, float)):
            if not np.isfinite(value):
                self.add(node, where, f"réponse « {node.value} » illisible (un nombre fini est attendu)")
                return _INVALID
            return float(value)
        text = str(value).strip()
        if _norm_key(text) in ("oui", "non"):
            return _norm_key(text).upper()
        return text or None

    def answer(self, question: dict, node: yaml.Node, where: str):
        value = self.value(node, where)
        if value is None or value is _INVALID:
            return value
        raw = node.value if isinstance(node, yaml.ScalarNode) else str(value)
        kind = question["type"]
        if kind == "binaire":
            if isinstance(value, bool):
                return "OUI" if value else "NON"
            if _norm_key(value) in ("oui", "non"):
                return _norm_key(value).upper()
            self.add(node, where, f"réponse « {raw} » non permise (attendu : oui ou non)")
            return _INVALID
        if kind == "choix":
            choices = _choices(question["choix"])
            for choice in choices:
                if str(value).strip().lower() == choice.lower():
                    return choice
            self.add(node, where, f"réponse « {raw} » non permise (attendu : {_enumerate(choices)})")
            return _INVALID
        if kind == "proportion":
            number = _proportion(value)
            if number is None or not (0.0 <= number <= 1.0):
                self.add(node, where, f"réponse « {raw} » non permise (attendu : une proportion "
                                      "entre 0 et 1, par exemple 0,3 pour 30 %)")
                return _INVALID
            return number
        self.add(node, where, f"type de question « {kind} » inconnu")
        return _INVALID


class _Invalid:
    def __repr__(self) -> str:
        return "<invalide>"


_INVALID = _Invalid()


def _proportion(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if np.isnan(value) else float(value)
    text = str(value).strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    try:
        number = parse_number(text)
    except ValueError:
        return None
    if number is None:
        return None
    return number / 100 if percent else number


# ---------------------------------------------------------------- writing


def profile_to_yaml(profile: Profile) -> str:
    """The profile as collectivite.yaml text; reading it back gives the same Profile."""
    data: dict[str, object] = {"nom": profile.nom}
    if profile.type is not None:
        data["type"] = profile.type
    if profile.population is not None:
        data["population"] = int(profile.population)
    if profile.soustype is not None:
        data["soustype"] = profile.soustype
    if profile.localisation is not None:
        data["localisation"] = profile.localisation
    if profile.reponses:
        data["reponses"] = {
            q: (v.lower() if v in ("OUI", "NON") else (float(v) if not isinstance(v, str) else v))
            for q, v in profile.reponses.items()
        }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


# ---------------------------------------------------------------- rule context


def _missing_value(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _lowered(values: list) -> np.ndarray:
    """Object array of the values lowercased (None where missing)."""
    return np.array([None if _missing_value(v) else str(v).lower() for v in values], dtype=object)


def _as_number(value) -> float:
    """pandas.to_numeric(errors="coerce") of one answer: a number, or a text reading as one."""
    if _missing_value(value):
        return np.nan
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return np.nan


class ProfileContext:
    """RuleContext over n profiles; every method answers for all of them at once (numpy arrays
    built once per profile list; each answer column is prepared once per question)."""

    def __init__(self, profiles: list[Profile], score: Callable[[str], np.ndarray] | None = None):
        self.size = len(profiles)
        self._score = score
        self._types = _lowered([p.type for p in profiles])
        self._soustypes = _lowered([p.soustype_effectif for p in profiles])
        self._localisations = _lowered([p.localisation for p in profiles])
        self._population = np.array(
            [np.nan if p.population is None else float(p.population) for p in profiles], dtype=np.float64
        )
        answers: dict[str, np.ndarray] = {}
        for i, profile in enumerate(profiles):  # per profile and answer: a few dozen each
            for question, value in (profile.reponses or {}).items():
                key = str(question).lower()
                if key not in answers:
                    answers[key] = np.full(self.size, None, dtype=object)
                answers[key][i] = value
        self._answers = answers
        self._text_cache: dict[str, np.ndarray] = {}
        self._number_cache: dict[str, np.ndarray] = {}

    def _missing(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def identite(self, field: str, value: str) -> np.ndarray:
        field, value = field.lower(), value.lower()
        if field == "type":
            match = np.asarray(self._types == value, dtype=bool)
            if value == "syndicat":  # the platform's fallback for rules stored before its rewrite
                match = match | np.asarray(self._soustypes == value, dtype=bool)
            return match
        if field == "soustype":
            return np.asarray(self._soustypes == value, dtype=bool)
        if field == "localisation":
            return np.asarray(self._localisations == value, dtype=bool)
        if field == "population":
            # Comparisons with NaN (unknown population) are False, as collectivite.md wants.
            if value not in POPULATION_TAGS:
                return self._missing()
            bound = float(value.rsplit("_", 1)[1])
            if value.startswith("moins_de_"):
                return self._population < bound
            return self._population > bound
        return self._missing()

    def _text(self, question: str) -> np.ndarray | None:
        key = question.lower()
        if key not in self._answers:
            return None
        if key not in self._text_cache:
            self._text_cache[key] = np.array(
                [None if _missing_value(v) else str(v).strip().upper() for v in self._answers[key]], dtype=object)
        return self._text_cache[key]

    def reponse_equals(self, question: str, value: str) -> np.ndarray:
        column = self._text(question)
        if column is None:
            return self._missing()
        return np.asarray(column == value.strip().upper(), dtype=bool)

    def reponse_value(self, question: str) -> np.ndarray:
        key = question.lower()
        if key not in self._answers:
            return np.full(self.size, np.nan)
        if key not in self._number_cache:
            self._number_cache[key] = np.array([_as_number(v) for v in self._answers[key]], dtype=np.float64)
        return self._number_cache[key].copy()

    def score(self, action_id: str) -> np.ndarray:
        if self._score is None:
            raise ValueError(f"score({action_id}) : les scores ne sont pas encore calculés à cette étape")
        return np.asarray(self._score(action_id), dtype=np.float64)


# ---------------------------------------------------------------- evaluation

PERSONNALISATION_COLUMNS = ["subject", "action_id", "reduction", "desactive"]


def evaluate_personnalisation(rules: pd.DataFrame, profiles: list[Profile]) -> pd.DataFrame:
    """Reduction factor (NaN = no change) and désactivation of every node carrying such a rule,
    for every profile (one row per profile and node, profiles in order, then nodes in the order
    of the rules). Score rules are parsed (so a broken one is refused) but not evaluated. Each
    rule is evaluated once for all the profiles; the table is built once from the arrays."""
    parsed: dict[tuple[str, str], Rule] = parse_rules(rules)
    n = len(profiles)
    action_ids = list(dict.fromkeys(a for (a, kind) in parsed if kind in ("reduction", "desactivation")))
    if not action_ids or n == 0:
        return pd.DataFrame({
            "subject": pd.Series(dtype=np.int64), "action_id": pd.Series(dtype=object),
            "reduction": pd.Series(dtype=np.float64), "desactive": pd.Series(dtype=bool),
        })
    ctx = ProfileContext(profiles)
    reduction = np.full((n, len(action_ids)), np.nan)
    desactive = np.zeros((n, len(action_ids)), dtype=bool)
    for j, action_id in enumerate(action_ids):  # one vectorised evaluation per rule (≈ 100 for CAE)
        reduction_rule = parsed.get((action_id, "reduction"))
        desactivation_rule = parsed.get((action_id, "desactivation"))
        if reduction_rule:
            reduction[:, j] = reduction_rule.evaluate(ctx)
        if desactivation_rule:
            desactive[:, j] = truth(desactivation_rule.evaluate(ctx))
    return pd.DataFrame({
        "subject": np.repeat(np.arange(n, dtype=np.int64), len(action_ids)),
        "action_id": np.tile(np.array(action_ids, dtype=object), n),
        "reduction": reduction.reshape(-1), "desactive": desactive.reshape(-1),
    })[PERSONNALISATION_COLUMNS]
