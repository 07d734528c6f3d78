"""The scoring engine: scoring.md §1–§4, set-based.

Every evaluation is a row and every node a column of (subjects × nodes) float matrices; each
rule of scoring.md is one function below, named after it, that works on whole matrices one
depth level at a time (≤ 6 levels). No Python loop runs over nodes, status rows or
evaluations; the only loops are over depth levels, score rules and chunks of subjects.
See docs/scoring.md for how each rule maps and for the decisions the rules leave open.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..personnalisation.rules import Rule, parse_rule
from ..referentiel.model import Referentiel
from .tree import CompiledTree, tree_of

STATUTS = ("fait", "programme", "pas_fait", "detaille", "non_concerne", "non_renseigne")
FAIT, PROGRAMME, PAS_FAIT, DETAILLE, NON_CONCERNE, NON_RENSEIGNE = range(len(STATUTS))
NO_STATUS = -1

POINT_FIELDS = ("point_fait", "point_programme", "point_pas_fait", "point_non_renseigne")
OUTPUT_COLUMNS = (
    "subject", "action_id", "niveau", "point_referentiel", "point_potentiel",
    *POINT_FIELDS, "desactive", "concerne",
)
# Subjects are scored in chunks so that memory stays bounded (10 000 × 1 500 nodes × 8 B
# = 120 MB per matrix otherwise).
CHUNK = 1024


# ---------------------------------------------------------------- inputs as matrices


@dataclass
class StatusMatrices:
    """One evaluation per row: status code (-1 = no row) and détaillé shares per node."""

    code: np.ndarray  # int8 (S × N)
    fait: np.ndarray  # float (S × N), shares 0–1 of a détaillé status, else NaN
    programme: np.ndarray
    pas_fait: np.ndarray

    @property
    def has_status(self) -> np.ndarray:
        return self.code != NO_STATUS


@dataclass
class StatusRows:
    """Status rows as arrays, sorted by matrix row (stable, so a repeated (row, node) keeps
    its last row): parsed once for a whole batch, then sliced per chunk of subjects."""

    row: np.ndarray  # matrix row (position of the subject in `subjects`)
    position: np.ndarray  # node position
    code: np.ndarray  # index in STATUTS
    fait: np.ndarray
    programme: np.ndarray
    pas_fait: np.ndarray

    @classmethod
    def from_frame(cls, tree: CompiledTree, statuses: pd.DataFrame, row: np.ndarray) -> "StatusRows":
        if len(statuses) == 0:
            empty = np.zeros(0)
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8), empty, empty, empty)
        # factorize first: millions of rows carry only ~1 500 distinct ids and 6 statuses.
        id_codes, ids = pd.factorize(statuses["action_id"])
        position = tree.positions(pd.Index(ids).astype(str))[id_codes]
        position = np.where(id_codes < 0, -1, position)
        statut_codes, statut_values = pd.factorize(statuses["statut"])
        codes = pd.Index(STATUTS).get_indexer(pd.Index(statut_values, dtype=object))
        if (codes < 0).any() or (statut_codes < 0).any():
            bad = [str(v) for v in statut_values[codes < 0]] + (["(vide)"] if (statut_codes < 0).any() else [])
            raise ValueError("statuts inconnus : " + ", ".join(bad)
                             + " (attendus : " + ", ".join(STATUTS) + ")")
        codes = codes.astype(np.int8)[statut_codes]
        shares = [statuses[c].to_numpy(dtype=np.float64) if c in statuses.columns
                  else np.full(len(statuses), np.nan) for c in ("fait", "programme", "pas_fait")]
        # Statuses on ids the referential lacks count for nothing, as on the official
        # platform (example 02 gives 6.5.1.3.5–8, which CAE does not have).
        known = position >= 0
        order = np.argsort(row[known], kind="stable")
        return cls(row[known][order], position[known][order], codes[known][order],
                   *(values[known][order] for values in shares))

    @classmethod
    def from_codes(cls, tree: CompiledTree, row: np.ndarray, position: np.ndarray, code: np.ndarray,
                   fait: np.ndarray, programme: np.ndarray, pas_fait: np.ndarray) -> "StatusRows":
        """Status rows already as numbers (store.evaluations.status_codes_for): node positions
        and codes in STATUTS order (−1: unknown status, refused as from_frame does)."""
        code = np.asarray(code)
        if (code < 0).any() or (code >= len(STATUTS)).any():
            raise ValueError("statuts inconnus (attendus : " + ", ".join(STATUTS) + ")")
        position = np.asarray(position, dtype=np.int64)
        known = (position >= 0) & (position < tree.size)
        row = np.asarray(row, dtype=np.int64)[known]
        order = np.argsort(row, kind="stable")
        return cls(row[order], position[known][order], code.astype(np.int8)[known][order],
                   *(np.asarray(values, dtype=np.float64)[known][order] for values in (fait, programme, pas_fait)))

    def matrices(self, n_nodes: int, start: int, stop: int) -> StatusMatrices:
        """Matrices of the subjects at rows start…stop-1."""
        lo, hi = np.searchsorted(self.row, [start, stop])
        rows, positions = self.row[lo:hi] - start, self.position[lo:hi]
        shape = (stop - start, n_nodes)
        code = np.full(shape, NO_STATUS, dtype=np.int8)
        shares = [np.full(shape, np.nan) for _ in range(3)]
        take = np.arange(lo, hi)
        key = rows * n_nodes + positions
        if len(key) and np.bincount(key, minlength=1).max() > 1:
            # Keep the last row of each (subject, node): numpy does not promise which of
            # repeated fancy-index assignments wins.
            order = np.argsort(key, kind="stable")
            keep = order[np.r_[key[order][1:] != key[order][:-1], True]]
            take, rows, positions = take[keep], rows[keep], positions[keep]
        code[rows, positions] = self.code[take]
        for target, values in zip(shares, (self.fait, self.programme, self.pas_fait)):
            target[rows, positions] = values[take]
        return StatusMatrices(code, *shares)


def status_matrices(tree: CompiledTree, statuses: pd.DataFrame, n_subjects: int) -> StatusMatrices:
    """`statuses` rows (subject = matrix row 0…n-1, action_id, statut, fait, programme,
    pas_fait) → matrices. A repeated (subject, action_id) keeps its last row."""
    row = statuses["subject"].to_numpy(dtype=np.int64) if len(statuses) else np.zeros(0, np.int64)
    return StatusRows.from_frame(tree, statuses, row).matrices(tree.size, 0, n_subjects)


# ---------------------------------------------------------------- scoring.md §3 and §4


def personalised_points(tree: CompiledTree, reduction: np.ndarray) -> np.ndarray:
    """§3.1 / §4 réduction: a node's factor multiplies it and all its descendants; nested
    factors multiply. `reduction` is (S × N), NaN where a node has no factor.
    Parents are not re-summed."""
    cumulative = np.where(np.isnan(reduction), 1.0, reduction)
    for level in tree.levels:  # top-down
        cumulative[:, level.nodes] *= cumulative[:, level.parents]
    return tree.point_referentiel[None, :] * cumulative


def desactivated(tree: CompiledTree, desactive_rule: np.ndarray) -> np.ndarray:
    """§4 désactivation: a node désactivé by a rule takes all its descendants with it."""
    desactive = desactive_rule.copy()
    for level in tree.levels:  # top-down
        desactive[:, level.nodes] |= desactive[:, level.parents]
    return desactive


def non_concerne_set(tree: CompiledTree, status: StatusMatrices, desactive: np.ndarray) -> np.ndarray:
    """§3.2: non concerné by status or désactivé; then bottom-up, a node whose children are
    all non concerné becomes non concerné unless it carries a status itself."""
    non_concerne = (status.code == NON_CONCERNE) | desactive
    has_status = status.has_status
    for level in reversed(tree.levels):  # bottom-up
        parents = level.parent_nodes
        all_children = level.sum_by_parent(non_concerne) == level.sizes
        non_concerne[:, parents] |= all_children & ~has_status[:, parents]
    return non_concerne


def redistribute_non_concerne(level, potential: np.ndarray, personalised: np.ndarray,
                              non_concerne: np.ndarray) -> None:
    """§3.3, below the action level only: when some but not all siblings are non concerné,
    their personalised points are shared equally among the concerné siblings whose
    personalised points are not 0 (in place on `potential`). Only the sibling groups whose
    parent is a mesure or below it (`level.below_action`) take part."""
    nodes = level.nodes
    nc = non_concerne[:, nodes]
    points = personalised[:, nodes]
    receivers = ~nc & (points != 0)
    pool = level.group_sum(np.where(nc, points, 0.0))
    n_nc = level.group_sum(nc)
    n_receivers = level.group_sum(receivers)
    active = (n_nc > 0) & (n_nc < level.sizes) & (n_receivers > 0) & level.below_action[None, :]
    share = np.where(active, pool / np.maximum(n_receivers, 1), 0.0)
    potential[:, nodes] += np.where(receivers, share[:, level.groups], 0.0)


def potentials_bottom_up(tree: CompiledTree, personalised: np.ndarray, non_concerne: np.ndarray,
                         has_status: np.ndarray) -> np.ndarray:
    """§3.3: non concerné → 0; a node with a status, or a leaf → its personalised points;
    any other node → the sum of its children's potentials (after their redistribution).
    A referential without redistribution (TE) goes through potentials_without_redistribution."""
    if not tree.redistribution:
        return potentials_without_redistribution(tree, personalised, non_concerne, has_status)
    potential = np.where(non_concerne, 0.0, personalised)
    for level in reversed(tree.levels):  # children at `level.depth`, bottom-up
        if level.any_below_action:
            redistribute_non_concerne(level, potential, personalised, non_concerne)
        parents = level.parent_nodes
        sums = level.sum_by_parent(potential)
        potential[:, parents] = np.where(
            non_concerne[:, parents], 0.0,
            np.where(has_status[:, parents], personalised[:, parents], sums))
    return potential


def potentials_without_redistribution(tree: CompiledTree, personalised: np.ndarray, non_concerne: np.ndarray,
                                      has_status: np.ndarray) -> np.ndarray:
    """referentiel-te.md « No redistribution », as the platform's engine with
    `disablePotentielRedistribution`: a non concerné or désactivé node and everything under it
    weigh 0; a leaf has its personalised points; any other node the sum of its children's
    potentials, so its parent's potential shrinks by exactly the points left out. A node with a
    status whose children are all non concerné keeps its personalised points (the platform's
    exception). Nothing is rescaled afterwards (§3.4 only moves redistributed points)."""
    zero = non_concerne.copy()
    for level in tree.levels:  # top-down: under a non concerné node, everything weighs 0
        zero[:, level.nodes] |= zero[:, level.parents]
    potential = np.where(zero, 0.0, personalised)
    for level in reversed(tree.levels):  # bottom-up
        parents = level.parent_nodes
        sums = level.sum_by_parent(potential)
        concerned_children = level.sum_by_parent(~non_concerne) > 0
        keep_own = has_status[:, parents] & ~concerned_children
        potential[:, parents] = np.where(zero[:, parents], 0.0,
                                         np.where(keep_own, personalised[:, parents], sums))
    return potential


def rescale_top_down(tree: CompiledTree, potential: np.ndarray, personalised: np.ndarray) -> None:
    """§3.4, from the action level down: when a node's potential differs from its personalised
    points, its children's potentials are multiplied by potential / personalised points
    (0 when those points are 0). In place. Nothing to do without redistribution (TE)."""
    if not tree.redistribution:
        return
    for level in tree.levels:  # top-down
        if not level.any_below_action:
            continue
        parents, nodes = level.parents, level.nodes
        pot, perso = potential[:, parents], personalised[:, parents]
        # Exact comparison and (child / points) × potential, as the official engine: its
        # float noise decides values sitting on a rounding tie (2.7 / 8 → 0.337).
        changed = (pot != perso) & level.below_action_nodes[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(perso == 0, 0.0, potential[:, nodes] / perso * pot)
        potential[:, nodes] = np.where(changed, scaled, potential[:, nodes])


def scored_from_own_status(tree: CompiledTree, status: StatusMatrices, non_concerne: np.ndarray) -> np.ndarray:
    """§2: a leaf, a node with a status other than non renseigné, or a non concerné node."""
    return (tree.is_leaf[None, :] | (status.has_status & (status.code != NON_RENSEIGNE))
            | non_concerne)


def points_from_statuses(tree: CompiledTree, status: StatusMatrices, potential: np.ndarray,
                         non_concerne: np.ndarray, own: np.ndarray) -> dict[str, np.ndarray]:
    """§2 table for nodes scored from their own status, then sums of children for the others."""
    code = status.code
    concerne_own = own & ~non_concerne

    def share(status_code: int, detail: np.ndarray) -> np.ndarray:
        fraction = np.where(code == status_code, 1.0, 0.0)
        fraction = np.where(code == DETAILLE, np.nan_to_num(detail), fraction)
        return np.where(concerne_own, fraction * potential, 0.0)

    points = {
        "point_fait": share(FAIT, status.fait),
        "point_programme": share(PROGRAMME, status.programme),
        "point_pas_fait": share(PAS_FAIT, status.pas_fait),
        "point_non_renseigne": np.where(
            concerne_own & ((code == NO_STATUS) | (code == NON_RENSEIGNE)), potential, 0.0),
    }
    for values in points.values():
        sum_children_unless_own(tree, values, own)
    return points


def sum_children_unless_own(tree: CompiledTree, values: np.ndarray, own: np.ndarray,
                            above_depth: int | None = None) -> None:
    """Bottom-up: nodes not scored from their own status take the sum of their children.
    With `above_depth`, only parents shallower than that depth are recomputed. In place."""
    for level in reversed(tree.levels):
        if above_depth is not None and level.depth > above_depth:
            continue
        parents = level.parent_nodes
        values[:, parents] = np.where(own[:, parents], values[:, parents], level.sum_by_parent(values))


def realised_ratio(point_fait: np.ndarray, potential: np.ndarray) -> np.ndarray:
    """`score(x)` of the rule language: point_fait / point_potentiel, 0 when the potential is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(potential == 0, 0.0, point_fait / potential)


@dataclass(frozen=True)
class ScoreRule:
    position: int
    subtree: np.ndarray  # bool mask: the node and its descendants
    rule: Rule


def apply_score_rules(tree: CompiledTree, rules: list[ScoreRule], points: dict[str, np.ndarray],
                      potential: np.ndarray, own: np.ndarray,
                      make_context: Callable[[Callable[[str], np.ndarray]], object]) -> None:
    """§4 score: evaluated after the scores, in referential order. The new realised ratio of a
    node scales point_fait of the node and all its descendants by new / old; the node's
    ancestors are re-summed. Only point_fait changes. In place."""
    fait = points["point_fait"]

    def score(action_id: str) -> np.ndarray:
        position = tree.index.get_indexer([action_id])[0]
        if position < 0:
            return np.full(fait.shape[0], np.nan)
        return realised_ratio(fait[:, position], potential[:, position])

    context = make_context(score)
    for item in rules:
        new = item.rule.evaluate(context)
        old = realised_ratio(fait[:, item.position], potential[:, item.position])
        applies = ~np.isnan(new) & (old > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(applies, new / old, 1.0)
        fait[:, item.subtree] *= factor[:, None]
        sum_children_unless_own(tree, fait, own, above_depth=int(tree.depth[item.position]))


# ---------------------------------------------------------------- personnalisation inputs


_SCORE_RULES: dict[int, tuple[pd.DataFrame, CompiledTree, list[ScoreRule]]] = {}
_LOCK = threading.Lock()  # the caches below are shared by Streamlit's session threads


def score_rules_of(referentiel: Referentiel, tree: CompiledTree) -> list[ScoreRule]:
    """Parsed score rules in referential order (cached per rules frame)."""
    key = id(referentiel.rules)
    hit = _SCORE_RULES.get(key)
    if hit is not None and hit[0] is referentiel.rules and hit[1] is tree:
        return hit[2]
    rules = referentiel.rules
    rules = rules[rules["kind"] == "score"] if rules is not None and len(rules) else rules
    items = []
    if rules is None or rules.empty:
        rules = pd.DataFrame({"action_id": [], "expression": []})
    for action_id, expression in zip(rules["action_id"], rules["expression"]):  # ≤ a few rules
        position = int(tree.index.get_indexer([action_id])[0])
        if position < 0:
            continue  # a rule on a node the referential lacks has nothing to change
        items.append(ScoreRule(position, tree.subtree_mask(action_id),
                               parse_rule(expression, action_id, "score")))
    items.sort(key=lambda item: item.position)
    with _LOCK:
        if len(_SCORE_RULES) > 8:
            _SCORE_RULES.clear()
        _SCORE_RULES[key] = (referentiel.rules, tree, items)
    return items


def _profile_key(profile) -> tuple:
    reponses = tuple(sorted((str(k), repr(v)) for k, v in (profile.reponses or {}).items()))
    return (profile.type, getattr(profile, "soustype", None), profile.population, profile.localisation, reponses)


# The simulator scores one profile again and again: keep the last few results.
_PERSONNALISATION: OrderedDict[tuple, tuple] = OrderedDict()


def personnalisation_matrices(referentiel: Referentiel, tree: CompiledTree,
                              profiles: list) -> tuple[np.ndarray, np.ndarray]:
    """(profiles × nodes) reduction factors (NaN = none) and désactivation flags from the
    referential's reduction and désactivation rules. Rules run once per distinct profile."""
    from ..personnalisation.profile import evaluate_personnalisation

    keys = [_profile_key(p) for p in profiles]
    distinct: dict[tuple, int] = {}
    of_profile = np.array([distinct.setdefault(k, len(distinct)) for k in keys], dtype=np.int64)
    cache_key = (id(referentiel.rules), id(referentiel.nodes), tuple(distinct)) if len(distinct) <= 4 else None
    with _LOCK:
        hit = _PERSONNALISATION.get(cache_key) if cache_key else None
        if hit is not None and hit[0] is referentiel.rules and hit[1] is referentiel.nodes:
            _PERSONNALISATION.move_to_end(cache_key)
            return hit[2][of_profile], hit[3][of_profile]

    first_of = np.unique(of_profile, return_index=True)[1]
    unique_profiles = [profiles[i] for i in first_of]
    shape = (len(unique_profiles), tree.size)
    reduction = np.full(shape, np.nan)
    desactive = np.zeros(shape, dtype=bool)
    rules = referentiel.rules
    if unique_profiles and rules is not None and not rules.empty:
        rules = rules[rules["kind"].isin(["reduction", "desactivation"])]
        effects = evaluate_personnalisation(rules, unique_profiles) if not rules.empty else None
        if effects is not None and not effects.empty:
            pos = tree.positions(effects["action_id"].astype(str))
            known = pos >= 0  # a rule on a node the referential lacks changes nothing
            subj = effects["subject"].to_numpy(dtype=np.int64)[known]
            reduction[subj, pos[known]] = effects["reduction"].to_numpy(dtype=np.float64)[known]
            desactive[subj, pos[known]] = effects["desactive"].to_numpy(dtype=bool)[known]
    if cache_key:
        with _LOCK:
            _PERSONNALISATION[cache_key] = (referentiel.rules, referentiel.nodes, reduction, desactive)
            while len(_PERSONNALISATION) > 16:
                _PERSONNALISATION.popitem(last=False)
    return reduction[of_profile], desactive[of_profile]


class _SubjectContext:
    """RuleContext over the subjects of a chunk: identity and answers come from their
    profiles' context (evaluated once per profile), `score` from the chunk's matrices."""

    def __init__(self, base, profile_of: np.ndarray, score: Callable[[str], np.ndarray]):
        self.size = len(profile_of)
        self._base, self._of, self._score = base, profile_of, score

    def identite(self, field: str, value: str) -> np.ndarray:
        return np.asarray(self._base.identite(field, value))[self._of]

    def reponse_equals(self, question: str, value: str) -> np.ndarray:
        return np.asarray(self._base.reponse_equals(question, value))[self._of]

    def reponse_value(self, question: str) -> np.ndarray:
        return np.asarray(self._base.reponse_value(question), dtype=np.float64)[self._of]

    def score(self, action_id: str) -> np.ndarray:
        return self._score(action_id)


# ---------------------------------------------------------------- the whole computation


@dataclass
class ScoreMatrices:
    """Everything the engine computes for a chunk of subjects, as (S × N) matrices."""

    personalised: np.ndarray
    potential: np.ndarray
    points: dict[str, np.ndarray]
    desactive: np.ndarray
    non_concerne: np.ndarray
    own: np.ndarray


def score_matrices(tree: CompiledTree, status: StatusMatrices, reduction: np.ndarray,
                   desactive_rule: np.ndarray, score_rules: list[ScoreRule] = (),
                   make_context=None) -> ScoreMatrices:
    """scoring.md §2–§4 in order, for S subjects at once."""
    personalised = personalised_points(tree, reduction)
    desactive = desactivated(tree, desactive_rule)
    non_concerne = non_concerne_set(tree, status, desactive)
    potential = potentials_bottom_up(tree, personalised, non_concerne, status.has_status)
    rescale_top_down(tree, potential, personalised)
    own = scored_from_own_status(tree, status, non_concerne)
    points = points_from_statuses(tree, status, potential, non_concerne, own)
    if score_rules:
        apply_score_rules(tree, list(score_rules), points, potential, own, make_context)
    return ScoreMatrices(personalised, potential, points, desactive, non_concerne, own)


def long_frame(tree: CompiledTree, subject_ids: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long output from (S × N) matrices: one row per (subject, node), subject-major."""
    n_subjects, n_nodes = len(subject_ids), tree.size
    niveaux = pd.unique(pd.Series(tree.niveau, dtype=object))
    niveau_codes = pd.Index(niveaux).get_indexer(tree.niveau).astype(np.int8)
    code_type = np.int16 if n_nodes < 2 ** 15 else np.int32  # the categoricals' own code width

    def per_node(values: np.ndarray) -> np.ndarray:
        return np.broadcast_to(values, (n_subjects, n_nodes)).reshape(-1)

    frame = {
        "subject": np.broadcast_to(subject_ids[:, None], (n_subjects, n_nodes)).reshape(-1),
        "action_id": pd.Categorical.from_codes(per_node(np.arange(n_nodes, dtype=code_type)),
                                               categories=pd.Index(tree.ids, dtype=object)),
        "niveau": pd.Categorical.from_codes(per_node(niveau_codes), categories=pd.Index(niveaux, dtype=object)),
        "point_referentiel": per_node(tree.point_referentiel),
    }
    frame.update({name: values.reshape(-1) for name, values in columns.items()})
    # copy=False: no block consolidation (which would copy 10 000 × 1 500 rows once more).
    return pd.DataFrame({name: frame[name] for name in OUTPUT_COLUMNS}, copy=False)


def score_evaluations(referentiel: Referentiel, profiles: list, subjects: pd.DataFrame,
                      statuses: pd.DataFrame) -> pd.DataFrame:
    """Points of every node for every evaluation of `subjects` (see module docstring).

    `subjects`: `subject` (int), `profile` (index into `profiles`), other columns ignored
    (merge them back on `subject`). `statuses`: `subject`, `action_id`, `statut` (one of
    STATUTS), `fait`, `programme`, `pas_fait` (shares 0–1 of a détaillé status, NaN
    otherwise); nodes without a row have no status; rows on ids the referential lacks are
    ignored. Returns one row per (subject, node), in the order of `subjects` then of the
    referential's nodes, columns OUTPUT_COLUMNS, points unrounded (see rounding.py);
    `action_id` and `niveau` are categoricals."""
    tree = tree_of(referentiel)
    reduction, desactive = personnalisation_matrices(referentiel, tree, profiles)
    return score_personalised(referentiel, profiles, subjects, statuses, reduction, desactive)


def score_personalised(referentiel: Referentiel, profiles: list, subjects: pd.DataFrame,
                       statuses: pd.DataFrame | StatusRows, reduction_by_profile: np.ndarray,
                       desactive_by_profile: np.ndarray) -> pd.DataFrame:
    """score_evaluations once the reduction and désactivation rules have been evaluated
    (personnalisation_matrices); separate so that the benchmark can time both parts.
    `statuses` may also be StatusRows already (rows = positions in `subjects`)."""
    tree = tree_of(referentiel)
    subject_ids = subjects["subject"].to_numpy(dtype=np.int64)
    n_subjects = len(subject_ids)
    columns = {name: np.empty((n_subjects, tree.size)) for name in ("point_potentiel", *POINT_FIELDS)}
    columns["desactive"] = np.empty((n_subjects, tree.size), dtype=bool)
    columns["concerne"] = np.empty((n_subjects, tree.size), dtype=bool)
    for start, stop, result in scored_chunks(referentiel, profiles, subjects, statuses, reduction_by_profile,
                                             desactive_by_profile):
        columns["point_potentiel"][start:stop] = result.potential
        for name in POINT_FIELDS:
            columns[name][start:stop] = result.points[name]
        columns["desactive"][start:stop] = result.desactive
        columns["concerne"][start:stop] = ~result.non_concerne
    return long_frame(tree, subject_ids, columns)


def scored_chunks(referentiel: Referentiel, profiles: list, subjects: pd.DataFrame,
                  statuses: pd.DataFrame | StatusRows, reduction_by_profile: np.ndarray,
                  desactive_by_profile: np.ndarray, chunk: int = CHUNK):
    """The engine on `chunk` subjects at a time, in the order of `subjects`: yields (start,
    stop, ScoreMatrices) so that a caller can write each chunk out and keep memory bounded."""
    tree = tree_of(referentiel)
    subject_ids = subjects["subject"].to_numpy(dtype=np.int64)
    profile_of = subjects["profile"].to_numpy(dtype=np.int64)
    if len(profile_of) and (profile_of.min() < 0 or profile_of.max() >= len(profiles)):
        raise ValueError("profil hors limites dans `subjects`")
    if isinstance(statuses, StatusRows):
        rows = statuses
    else:
        subject_index = pd.Index(subject_ids)
        if subject_index.has_duplicates:
            raise ValueError("sujets en double dans `subjects`")
        row = subject_index.get_indexer(statuses["subject"]) if len(statuses) else np.zeros(0, np.int64)
        if (row < 0).any():
            raise ValueError("statuts d'un sujet absent de `subjects`")
        rows = StatusRows.from_frame(tree, statuses, row)
    score_rules = score_rules_of(referentiel, tree)

    base_context = None
    if score_rules:
        from ..personnalisation.profile import ProfileContext

        base_context = ProfileContext(profiles)
    n_subjects = len(subject_ids)
    for start in range(0, n_subjects, chunk):
        stop = min(start + chunk, n_subjects)
        chunk_profiles = profile_of[start:stop]
        make_context = (lambda score, of=chunk_profiles: _SubjectContext(base_context, of, score)) \
            if score_rules else None
        yield start, stop, score_matrices(tree, rows.matrices(tree.size, start, stop),
                                          reduction_by_profile[chunk_profiles],
                                          desactive_by_profile[chunk_profiles], score_rules, make_context)


def score_one(referentiel: Referentiel, profile, statuses: pd.DataFrame) -> pd.DataFrame:
    """One evaluation (the simulator): `statuses` without a `subject` column. Returns the
    engine's columns without `subject`."""
    rows = statuses.assign(subject=0)
    subjects = pd.DataFrame({"subject": [0], "profile": [0]})
    return score_evaluations(referentiel, [profile], subjects, rows).drop(columns="subject")
