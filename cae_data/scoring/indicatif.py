"""The *score indicatif* (referentiel-te.md § Scoring TE, 4): a node's `expr_score` formula over
indicator values gives the share of the node *suggested* as fait. It is shown beside the
status and never added to the points.

    table = scores_indicatifs(referentiel, valeurs, profiles, subjects)

- `valeurs`: one row per (subject, indicator): `indicateur` (the referential's indicator id,
  `cae_18`, `te_6`; case does not matter), `valeur` (its latest value), `cible` (target) and
  `limite` (threshold), floats, NaN when unknown; an optional `subject` column (int; without
  it every row is subject 0). A repeated (subject, indicateur) keeps its last row.
- `profiles` / `subjects`: as for the engine (`subject`, `profile` index into `profiles`), for
  formulas that test `identite(localisation, DOM)` or a `reponse(…)`; without them, one
  subject per `subject` of `valeurs`, each with an empty profile (every identity test false).
- Output: one row per (subject, node with a readable formula), subjects in order then nodes in
  the referential's order, columns INDICATIF_COLUMNS:
  `ratio` (0–1: the formula's value clipped to [0, 1]; NaN when it cannot be computed),
  `ratio_brut` (the formula's value as computed), `calcule` (bool), `indicateurs` (ids the
  formula reads), `valeurs_manquantes` (what it needed and did not have, like
  `["val(cae_18)", "cible(cae_18)"]`).

Evaluation is vectorised over subjects (one pass per formula; TE has 31) and strict about
missing data, unlike the personnalisation rules: a comparison, an operation or a condition
with a missing side has no value, and a formula without value is not computed (the platform
returns null there). A division by zero gives no value either (the platform: not finite →
null). A missing value is reported where the formula needed it: the branches it took, and, after a
condition it could not decide, every later branch (all it may need); the branch of
`si identite(localisation, DOM) alors … sinon …` it did not take is not. `opt_val(x)` reads a missing value
as 0, as on the platform. See docs/scoring.md for the decisions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..personnalisation.profile import Profile, ProfileContext
from ..personnalisation.rules import (
    Arithmetic,
    Comparison,
    Conditional,
    Extremum,
    Identite,
    Indicateur,
    Logical,
    Negation,
    Node,
    Number,
    ReponseEquals,
    ReponseValue,
    RuleSyntaxError,
    compare,
    parse_rule,
)
from ..referentiel.model import Referentiel

INDICATIF_COLUMNS = ["subject", "action_id", "ratio", "ratio_brut", "calcule", "indicateurs", "valeurs_manquantes"]
KINDS = ("valeur", "cible", "limite")
FUNCTION_KIND = {"val": "valeur", "opt_val": "valeur", "cible": "cible", "limite": "limite"}


class _Context:
    """What a formula reads for S subjects: identity and answers (ProfileContext), and
    indicator values as (S,) arrays."""

    def __init__(self, profiles: list, profile_of: np.ndarray, values: dict[str, dict[str, np.ndarray]]):
        self.size = len(profile_of)
        self._base = ProfileContext(profiles)
        self._of = profile_of
        self._values = values

    def identite(self, field: str, value: str) -> np.ndarray:
        return np.asarray(self._base.identite(field, value))[self._of]

    def reponse_equals(self, question: str, value: str) -> np.ndarray:
        return np.asarray(self._base.reponse_equals(question, value))[self._of]

    def reponse_value(self, question: str) -> np.ndarray:
        return np.asarray(self._base.reponse_value(question), dtype=np.float64)[self._of]

    def indicateur(self, kind: str, indicateur: str) -> np.ndarray:
        found = self._values[kind].get(indicateur)
        return np.full(self.size, np.nan) if found is None else found


Reads = dict[tuple[str, str], np.ndarray]  # (function, indicateur) -> subjects where it was read


def _merge(into: Reads, other: Reads) -> Reads:
    for key, mask in other.items():
        into[key] = into[key] | mask if key in into else mask
    return into


def evaluate_formula(node: Node, ctx: _Context, mask: np.ndarray) -> tuple[np.ndarray, Reads]:
    """Value of a formula's syntax tree for every subject (NaN: no value), and where each
    indicator value was read (only subjects of `mask` read anything)."""
    if isinstance(node, Number):
        return np.full(ctx.size, node.value), {}
    if isinstance(node, Indicateur):
        values = ctx.indicateur(FUNCTION_KIND[node.function], node.indicateur)
        if node.function == "opt_val":
            return np.where(np.isnan(values), 0.0, values), {}
        return values, {(node.function, node.indicateur): mask.copy()}
    if isinstance(node, (Identite, ReponseEquals, ReponseValue)):
        return np.asarray(node.evaluate(ctx), dtype=np.float64), {}
    if isinstance(node, Negation):
        values, reads = evaluate_formula(node.operand, ctx, mask)
        return -values, reads
    if isinstance(node, (Arithmetic, Comparison, Logical)):
        left, reads = evaluate_formula(node.left, ctx, mask)
        right, more = evaluate_formula(node.right, ctx, mask)
        reads = _merge(reads, more)
        if isinstance(node, Arithmetic):
            return _arithmetic(node.op, left, right), reads
        if isinstance(node, Comparison):
            return compare(node.op, left, right), reads
        return _logical(node.op, left, right), reads
    if isinstance(node, Extremum):
        values, reads = evaluate_formula(node.args[0], ctx, mask)
        for arg in node.args[1:]:
            other, more = evaluate_formula(arg, ctx, mask)
            values = np.minimum(values, other) if node.name == "min" else np.maximum(values, other)
            reads = _merge(reads, more)
        return values, reads
    if isinstance(node, Conditional):
        return _conditional(node, ctx, mask)
    raise RuleSyntaxError("", "", "indicatif", f"élément « {type(node).__name__} » non permis dans un score indicatif")


def _arithmetic(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b
    return np.where(np.isfinite(result), result, np.nan)


def _logical(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Three-valued et / ou: a known false (true) side decides; otherwise a missing side
    leaves the result without value."""
    known_a, known_b = ~np.isnan(a), ~np.isnan(b)
    true_a, true_b = known_a & (a != 0), known_b & (b != 0)
    if op == "et":
        decided_false = (known_a & ~true_a) | (known_b & ~true_b)
        return np.where(decided_false, 0.0, np.where(known_a & known_b, 1.0, np.nan))
    decided_true = true_a | true_b
    return np.where(decided_true, 1.0, np.where(known_a & known_b, 0.0, np.nan))


def _conditional(node: Conditional, ctx: _Context, mask: np.ndarray) -> tuple[np.ndarray, Reads]:
    """Branches in order: the first true condition gives the value; a condition without value
    leaves the result without value; no true condition: the `sinon` value (or none). Where a
    condition has no value, every later condition and branch counts as read: the values it
    lacks are all those the formula may need once that condition is known."""
    result = np.full(ctx.size, np.nan)
    open_ = mask.copy()  # subjects not decided yet
    stuck = np.zeros(ctx.size, dtype=bool)  # subjects whose result is already without value
    reads: Reads = {}
    for condition, value in node.branches:
        cond, more = evaluate_formula(condition, ctx, open_ | stuck)
        _merge(reads, more)
        taken = open_ & ~np.isnan(cond) & (cond != 0)
        stuck |= open_ & np.isnan(cond)
        branch, more = evaluate_formula(value, ctx, taken | stuck)
        _merge(reads, more)
        result = np.where(taken, branch, result)
        open_ = open_ & ~np.isnan(cond) & (cond == 0)
    if node.otherwise is not None:
        branch, more = evaluate_formula(node.otherwise, ctx, open_ | stuck)
        _merge(reads, more)
        result = np.where(open_, branch, result)
    return result, reads


def _value_arrays(valeurs: pd.DataFrame, subject_ids: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """{"valeur"|"cible"|"limite": {indicateur: (S,) array}} from the long `valeurs` table."""
    arrays: dict[str, dict[str, np.ndarray]] = {kind: {} for kind in KINDS}
    if valeurs is None or valeurs.empty:
        return arrays
    rows = pd.Index(subject_ids).get_indexer(valeurs["subject"]) if "subject" in valeurs.columns \
        else np.zeros(len(valeurs), dtype=np.int64)
    keep = rows >= 0
    codes, names = pd.factorize(valeurs["indicateur"].astype(str).str.strip().str.lower())
    for kind in KINDS:
        if kind not in valeurs.columns:
            continue
        matrix = np.full((len(subject_ids), len(names)), np.nan)
        # a repeated (subject, indicateur): the last row wins (assigned in order)
        matrix[rows[keep], codes[keep]] = pd.to_numeric(valeurs[kind], errors="coerce").to_numpy(
            dtype=np.float64)[keep]
        arrays[kind] = {name: matrix[:, j] for j, name in enumerate(names)}
    return arrays


def formulas_of(referentiel: Referentiel) -> list[tuple[str, Node]]:
    """(action_id, parsed formula) of every node with a readable `expr_score`, in order. The
    loader has already warned about the unreadable ones."""
    if "expr_score" not in referentiel.nodes.columns:
        return []
    formulas = []
    for action_id, expression in zip(referentiel.nodes["action_id"], referentiel.nodes["expr_score"]):
        if isinstance(expression, str) and expression.strip():
            try:
                formulas.append((str(action_id), parse_rule(expression, str(action_id), "indicatif").root))
            except RuleSyntaxError:
                continue
    return formulas


def _indicateurs(node: Node) -> list[str]:
    return list(dict.fromkeys(n.indicateur for n in node.walk() if isinstance(n, Indicateur)))


def scores_indicatifs(referentiel: Referentiel, valeurs: pd.DataFrame, profiles: list | None = None,
                      subjects: pd.DataFrame | None = None) -> pd.DataFrame:
    """The score indicatif of every node with a formula, for every subject (module docstring)."""
    if subjects is None:
        ids = pd.unique(valeurs["subject"]) if valeurs is not None and "subject" in valeurs.columns \
            and len(valeurs) else np.array([0])
        subjects = pd.DataFrame({"subject": np.asarray(ids, dtype=np.int64), "profile": 0})
        profiles = profiles or [Profile(nom="")]
    profiles = profiles or [Profile(nom="")]
    subject_ids = subjects["subject"].to_numpy(dtype=np.int64)
    profile_of = subjects["profile"].to_numpy(dtype=np.int64)
    ctx = _Context(list(profiles), profile_of, _value_arrays(valeurs, subject_ids))
    everyone = np.ones(len(subject_ids), dtype=bool)
    frames = []
    for action_id, formula in formulas_of(referentiel):  # ≤ a few dozen formulas
        values, reads = evaluate_formula(formula, ctx, everyone)
        missing = [[] for _ in range(len(subject_ids))]
        for (function, indicateur), read in reads.items():
            absent = read & np.isnan(ctx.indicateur(FUNCTION_KIND[function], indicateur))
            for position in np.flatnonzero(absent):
                missing[position].append(f"{function}({indicateur})")
        calcule = np.isfinite(values)
        frames.append(pd.DataFrame({
            "subject": subject_ids, "action_id": action_id,
            "ratio": np.where(calcule, np.clip(values, 0.0, 1.0), np.nan), "ratio_brut": values,
            "calcule": calcule, "indicateurs": [_indicateurs(formula)] * len(subject_ids),
            "valeurs_manquantes": [sorted(set(m), key=m.index) for m in missing],
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in INDICATIF_COLUMNS})
    table = pd.concat(frames, ignore_index=True)
    order = np.lexsort((np.arange(len(table)), pd.Index(subject_ids).get_indexer(table["subject"])))
    return table.iloc[order].reset_index(drop=True)[INDICATIF_COLUMNS]
