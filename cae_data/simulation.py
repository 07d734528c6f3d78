"""« Vers la prochaine étoile »: what-if scoring of one evaluation, in memory.

`simulate` scores an evaluation with some statuses changed (nothing is written).
`smallest_completion_set` finds the fewest sous-actions currently *programmées* whose
completion (programmé → fait) reaches the next star: the threshold of score réalisé and the
mandatory criteria (scoring.md §5). It is set-based: the evaluation and each single-completion
variant are scored as many subjects in one engine call, which gives every candidate's gain;
candidates are then taken greedily by gain (fewest items to reach a sum: first those closing
the gap of each unmet mandatory criterion, then those reaching the threshold), and the final
set is verified with one more scoring. If non-additivity (a score rule such as CAE's
3.3.5 ≤ 1.2.3) leaves it short, the set plus the 1, 2, … next largest gains are scored in one
call, the first that reaches the star is kept, and members it no longer needs are pruned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import analyses
from .evaluation.statuses import normalize_statut
from .formatting import pourcentage
from .referentiel.model import Referentiel
from .scoring.engine import STATUTS, score_evaluations
from .scoring.etoiles import CRITERES, SEUILS, TOLERANCE
from .scoring.etoiles import criteres as criteria_table
from .scoring.etoiles import etoiles as etoile_table
from .scoring.tree import CompiledTree, tree_of

STATUS_FIELDS = ["action_id", "statut", "fait", "programme", "pas_fait"]


# --------------------------------------------------------------------------- inputs


def _clean_statuses(statuses: pd.DataFrame | None) -> pd.DataFrame:
    """The engine's status columns, one row per id (the last one wins, as in the engine)."""
    if statuses is None or len(statuses) == 0:
        return pd.DataFrame({"action_id": pd.Series(dtype=object), "statut": pd.Series(dtype=object),
                             **{c: pd.Series(dtype=float) for c in ("fait", "programme", "pas_fait")}})
    out = statuses.copy()
    for column in ("fait", "programme", "pas_fait"):
        if column not in out.columns:
            out[column] = np.nan
    out = out[STATUS_FIELDS].assign(action_id=out["action_id"].astype(str))
    out = out.astype({"statut": object, "fait": float, "programme": float, "pas_fait": float})
    return out.drop_duplicates("action_id", keep="last").reset_index(drop=True)


def apply_changes(referentiel: Referentiel, statuses: pd.DataFrame | None, changes: dict[str, str]) -> pd.DataFrame:
    """The statuses with `changes` (action_id → status code or French label) applied: each
    changed node gets that status alone. A sous-action given a status wins over its tâches
    (scoring.md §2); « non renseigné » lets them count again. « Détaillé » needs shares and
    cannot be set here."""
    base = _clean_statuses(statuses)
    if not changes:
        return base
    ids = pd.Index(list(changes), dtype=object).astype(str)
    known = set(referentiel.nodes["action_id"].astype(str))
    unknown = [i for i in ids if i not in known or i == ""]
    if unknown:
        raise ValueError("identifiants inconnus du référentiel : " + ", ".join(unknown))
    codes = [normalize_statut(v) if v not in STATUTS else v for v in changes.values()]  # a few changes
    bad = [str(v) for v, c in zip(changes.values(), codes) if c is None or c == "detaille"]
    if bad:
        raise ValueError("statuts impossibles à simuler : " + ", ".join(bad)
                         + " (attendus : fait, programmé, pas fait, non concerné, non renseigné)")
    extra = pd.DataFrame({"action_id": ids.to_numpy(), "statut": codes, "fait": np.nan,
                          "programme": np.nan, "pas_fait": np.nan})
    kept = base[~base["action_id"].isin(ids)]
    return pd.concat([kept, extra], ignore_index=True) if len(kept) else extra


def _score(referentiel: Referentiel, profile, statuses: pd.DataFrame, n_subjects: int) -> pd.DataFrame:
    """Engine output for subjects 0…n-1 of one profile (subject-major, referential order)."""
    subjects = pd.DataFrame({"subject": np.arange(n_subjects), "profile": 0})
    return score_evaluations(referentiel, [profile], subjects, statuses)


def _root_values(scores: pd.DataFrame, tree: CompiledTree, n_subjects: int, field_name: str) -> np.ndarray:
    """(subjects,) value of one field at the root: the output is subject-major in node order."""
    root = int(tree.index.get_indexer([""])[0])
    return scores[field_name].to_numpy(dtype=np.float64).reshape(n_subjects, tree.size)[:, root]


def _etoile_inputs(scores: pd.DataFrame, tree: CompiledTree, n_subjects: int) -> pd.DataFrame:
    """The rows the star rules read: the root, each criterion's node and its parent (a tâche
    may be judged on its sous-action). Passing only these keeps the stars of many variants
    fast; the star tables are the same (tests/test_simulation.py checks it)."""
    wanted = tree.positions(pd.Index(["", *(c.action_id for c in CRITERES)], dtype=object))
    wanted = wanted[wanted >= 0]
    parents = tree.parent[wanted]
    keep = np.unique(np.r_[wanted, parents[parents >= 0]])
    take = (np.arange(n_subjects)[:, None] * tree.size + keep[None, :]).ravel()
    return scores.iloc[take]


# --------------------------------------------------------------------------- simulate


@dataclass
class SimulationResult:
    """The simulated evaluation: `scores` of every node (engine columns and `nom`, points
    unrounded), the root summary, the stars and the criteria table (scoring.md §5), and the
    score and stars of the evaluation before the changes."""

    statuses: pd.DataFrame
    scores: pd.DataFrame
    criteres: pd.DataFrame
    score_realise: float
    score_programme: float
    etoiles: int
    prochaine_etoile: int | None
    points_manquants: float
    point_potentiel: float
    point_fait: float
    score_realise_avant: float
    etoiles_avant: int

    @property
    def resume(self) -> pd.Series:
        """The root's row (potential and the four points)."""
        return self.scores[self.scores["action_id"].astype(str) == ""].iloc[0]

    @property
    def gain(self) -> float:
        """Points fait gained at the root by the changes (score × potential)."""
        return (self.score_realise - self.score_realise_avant) * self.point_potentiel


def simulate(referentiel: Referentiel, profile, statuses: pd.DataFrame | None,
             changes: dict[str, str] | None = None) -> SimulationResult:
    """Score the evaluation with `changes` applied, next to the evaluation as it is (both in
    one engine call). Nothing is written."""
    tree = tree_of(referentiel)
    before = _clean_statuses(statuses)
    after = apply_changes(referentiel, before, changes or {})
    rows = pd.concat([before.assign(subject=0), after.assign(subject=1)], ignore_index=True)
    scores = _score(referentiel, profile, rows, 2)
    table = criteria_table(referentiel, _etoile_inputs(scores, tree, 2), rows)
    summary = etoile_table(referentiel, _etoile_inputs(scores, tree, 2), rows).set_index("subject")
    own = scores[(scores["subject"] == 1).to_numpy()].drop(columns="subject").reset_index(drop=True)
    names = referentiel.nodes.assign(action_id=referentiel.nodes["action_id"].astype(str)).set_index("action_id")["nom"]
    own["nom"] = names.reindex(own["action_id"].astype(str)).to_numpy()
    star = summary.loc[1]
    nxt = star["prochaine_etoile"]
    return SimulationResult(
        statuses=after, scores=own,
        criteres=table[(table["subject"] == 1).to_numpy()].drop(columns="subject").reset_index(drop=True),
        score_realise=float(star["score_realise"]), score_programme=float(star["score_programme"]),
        etoiles=int(star["etoiles"]), prochaine_etoile=None if pd.isna(nxt) else int(nxt),
        points_manquants=float(star["points_manquants"]),
        point_potentiel=float(_root_values(scores, tree, 2, "point_potentiel")[1]),
        point_fait=float(_root_values(scores, tree, 2, "point_fait")[1]),
        score_realise_avant=float(summary.loc[0, "score_realise"]), etoiles_avant=int(summary.loc[0, "etoiles"]),
    )


# --------------------------------------------------------------------------- next star


@dataclass
class CompletionPlan:
    """The answer of `smallest_completion_set`.

    `action_ids`: the sous-actions to complete, in referential order (when the next star is out
    of reach with programmées alone: every programmée that would help). `detail`: one row per
    sous-action of the set (action_id, nom, gain = points fait gained at the root when
    completed alone, raison « critère obligatoire » or « seuil »), largest gain first.
    `points_manquants`: points fait still missing at the root for the threshold once the set is
    completed (0 when reachable); `criteres_manquants`: labels of the mandatory criteria still
    unmet then."""

    etoiles: int
    etoile_visee: int | None
    atteignable: bool
    action_ids: list[str]
    detail: pd.DataFrame
    score_avant: float
    score_apres: float
    points_manquants: float = 0.0
    criteres_manquants: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.etoile_visee is None:
            return "Cinq étoiles : il n'y a pas d'étoile suivante."
        target = f"la {self.etoile_visee}{'re' if self.etoile_visee == 1 else 'e'} étoile"
        if self.atteignable and not self.action_ids:
            return f"Les conditions de {target} sont déjà réunies."
        if self.atteignable:
            n = len(self.action_ids)
            return (f"Réaliser {n} sous-action{'s' if n > 1 else ''} programmée{'s' if n > 1 else ''} "
                    f"suffit pour atteindre {target}.")
        parts = []
        if self.points_manquants > TOLERANCE:
            parts.append(f"il manquerait encore {self.points_manquants:.1f} points".replace(".", ","))
        if self.criteres_manquants:
            parts.append("critères obligatoires non remplis : " + " ; ".join(self.criteres_manquants))
        return (f"Les sous-actions programmées ne suffisent pas pour atteindre {target} : "
                + " ; ".join(parts) + ".")


def _sous_action_of(tree: CompiledTree) -> np.ndarray:
    """Position of each node's sous-action (the node itself at that level, its ancestor below
    it, -1 above it)."""
    unit = np.full(tree.size, -1, dtype=np.int64)
    level_of_sous_action = tree.action_depth + 1
    for level in tree.levels:  # top-down, ≤ 6 levels
        if level.depth == level_of_sous_action:
            unit[level.nodes] = level.nodes
        elif level.depth > level_of_sous_action:
            unit[level.nodes] = unit[level.parents]
    return unit


def _variants(base: pd.DataFrame, row_candidate: np.ndarray, member: np.ndarray) -> pd.DataFrame:
    """Status rows of V variants (subject v = 0…V-1): in variant v, every row inside a
    candidate sous-action with member[v, candidate] is completed: programmé → fait, détaillé
    → its programmé share added to fait."""
    n_variants, n = member.shape[0], len(base)
    take = np.tile(np.arange(n), n_variants)
    subject = np.repeat(np.arange(n_variants), n)
    candidate = row_candidate[take]
    hit = candidate >= 0
    hit[hit] = member[subject[hit], candidate[hit]]
    statut = base["statut"].to_numpy(dtype=object)[take]
    fait = base["fait"].to_numpy(dtype=np.float64)[take]
    programme = base["programme"].to_numpy(dtype=np.float64)[take]
    detail = hit & (statut == "detaille")
    return pd.DataFrame({
        "subject": subject,
        "action_id": base["action_id"].to_numpy(dtype=object)[take],
        "statut": np.where(hit & (statut == "programme"), "fait", statut),
        "fait": np.where(detail, np.nan_to_num(fait) + np.nan_to_num(programme), fait),
        "programme": np.where(detail, 0.0, programme),
        "pas_fait": base["pas_fait"].to_numpy(dtype=np.float64)[take],
    })


def _margins(table: pd.DataFrame, n_subjects: int, target: int) -> np.ndarray:
    """(subjects × criteria) margins of the mandatory criteria of stars 1…target: ≥ 0 when met
    (share fait − needed share, or fait + programmé − needed when programmé also counts);
    0 for a criterion that does not apply."""
    needs = pd.DataFrame([(c.etoile, c.action_id, c.min_fait, c.min_fait_programme) for c in CRITERES],
                         columns=["etoile", "action_id", "min_fait", "min_fait_programme"])
    rows = table[((table["etoile"] <= target) & (table["action_id"] != "")).to_numpy()]
    rows = rows.merge(needs, on=["etoile", "action_id"], how="inner")
    margin = rows["part_fait"] - rows["min_fait"]
    with_programme = rows["min_fait_programme"].notna()
    margin = margin.where(~with_programme, np.maximum(
        margin, rows["part_fait"] + rows["part_programme"] - rows["min_fait_programme"]))
    rows = rows.assign(margin=np.where(rows["applicable"], margin.fillna(0.0), 0.0))
    wide = rows.pivot_table(index="subject", columns=["etoile", "action_id"], values="margin", aggfunc="first")
    return wide.reindex(range(n_subjects)).to_numpy(dtype=np.float64)


def _take_until(values: np.ndarray, needed: float, allowed: np.ndarray) -> tuple[np.ndarray, bool]:
    """The fewest allowed items whose values add up to `needed`: the largest first (ties in
    referential order). Returns their indices and whether `needed` is reached."""
    if needed <= TOLERANCE:
        return np.zeros(0, dtype=np.int64), True
    useful = np.flatnonzero(allowed & (values > TOLERANCE))
    order = useful[np.argsort(-np.round(values[useful], 9), kind="stable")]
    total = np.cumsum(values[order])
    enough = np.flatnonzero(total >= needed - TOLERANCE)
    if len(enough):
        return order[: enough[0] + 1], True
    return order, False


def smallest_completion_set(referentiel: Referentiel, profile, statuses: pd.DataFrame | None) -> CompletionPlan:
    """The fewest sous-actions currently programmées whose completion reaches the next star
    (threshold and mandatory criteria; a missing criterion that is programmé puts its
    sous-action in the set). See CompletionPlan for the answer when it is out of reach."""
    tree = tree_of(referentiel)
    base = _clean_statuses(statuses)

    # Candidates: sous-actions with a programmé share in a row of their own or of their tâches.
    positions = tree.positions(base["action_id"])
    unit = np.where(positions >= 0, _sous_action_of(tree)[np.maximum(positions, 0)], -1)
    programmed = (base["statut"] == "programme").to_numpy() | (
        (base["statut"] == "detaille").to_numpy() & (base["programme"].fillna(0).to_numpy() > 0))
    candidates = np.unique(unit[programmed & (unit >= 0)])  # positions, referential order
    row_candidate = np.full(len(base), -1, dtype=np.int64)
    in_candidate = np.isin(unit, candidates) & (unit >= 0)
    row_candidate[in_candidate] = np.searchsorted(candidates, unit[in_candidate])
    k = len(candidates)

    # One engine call: subject 0 = the evaluation, subject 1 + i = candidate i completed alone.
    member = np.vstack([np.zeros((1, k), dtype=bool), np.eye(k, dtype=bool)])
    rows = _variants(base, row_candidate, member)
    scores = _score(referentiel, profile, rows, k + 1)
    etoile_rows = _etoile_inputs(scores, tree, k + 1)
    table = criteria_table(referentiel, etoile_rows, rows)
    first = (etoile_rows["subject"] == 0).to_numpy()
    summary = etoile_table(referentiel, etoile_rows[first], rows[(rows["subject"] == 0).to_numpy()])
    etoiles = int(summary["etoiles"].iloc[0])
    score_avant = float(summary["score_realise"].iloc[0])
    ids = tree.ids[candidates].astype(str)
    empty = pd.DataFrame({"action_id": pd.Series(dtype=object), "nom": pd.Series(dtype=object),
                          "gain": pd.Series(dtype=float), "raison": pd.Series(dtype=object)})
    if etoiles >= 5:
        return CompletionPlan(etoiles, None, True, [], empty, score_avant, score_avant)
    target = etoiles + 1
    potential = _root_values(scores, tree, k + 1, "point_potentiel")
    fait = _root_values(scores, tree, k + 1, "point_fait")
    gains = fait[1:] - fait[0]

    # Mandatory criteria first: for each unmet one, the fewest candidates that close its gap.
    margins = _margins(table, k + 1, target)
    chosen = np.zeros(k, dtype=bool)
    possible = True
    for c in np.flatnonzero(margins[0] < -TOLERANCE):  # ≤ 6 criteria
        improvement = margins[1:, c] - margins[0, c]
        picked, closed = _take_until(improvement, -margins[0, c], np.ones(k, dtype=bool))
        chosen[picked] = True
        possible &= closed
    for_criteria = chosen.copy()

    # Then the threshold: the largest remaining gains until the points are there.
    needed = SEUILS[target] * potential[0] - fait[0] - gains[chosen].sum()
    picked, closed = _take_until(gains, needed, ~chosen)
    chosen[picked] = True
    possible &= closed

    # Verify with one scoring; if short (non-additive rules), extend by the next largest gains.
    reached = False
    if possible:
        chosen, check = _verified(referentiel, profile, base, row_candidate, chosen, gains, target)
        reached = int(check["etoiles"]) >= target
    if not reached:
        # Out of reach: complete every candidate that helps, and say what is still missing.
        helps_criteria = ((margins[1:] - margins[0]) > TOLERANCE).any(axis=1) if margins.shape[1] else False
        chosen = chosen | (gains > TOLERANCE) | helps_criteria
        chosen, check = _verified(referentiel, profile, base, row_candidate, chosen, gains, target, extend=False)
        reached = int(check["etoiles"]) >= target
    detail = pd.DataFrame({
        "action_id": ids[chosen], "gain": gains[chosen],
        "raison": np.where(for_criteria[chosen], "critère obligatoire", "seuil"),
        "_order": np.flatnonzero(chosen),
    })
    names = referentiel.nodes.assign(action_id=referentiel.nodes["action_id"].astype(str)).set_index("action_id")["nom"]
    detail.insert(1, "nom", names.reindex(detail["action_id"]).to_numpy())
    detail = detail.assign(_gain=-detail["gain"].round(9)).sort_values(["_gain", "_order"], kind="stable")
    detail = detail.drop(columns=["_gain", "_order"]).reset_index(drop=True)
    missing = [] if reached else list(check["criteres_non_remplis"])
    return CompletionPlan(
        etoiles=etoiles, etoile_visee=target, atteignable=reached, action_ids=list(ids[chosen]),
        detail=detail, score_avant=score_avant, score_apres=float(check["score_realise"]),
        points_manquants=0.0 if reached else float(check["points_manquants"]),
        criteres_manquants=missing,
    )


def _verified(referentiel: Referentiel, profile, base: pd.DataFrame, row_candidate: np.ndarray,
              chosen: np.ndarray, gains: np.ndarray, target: int, extend: bool = True) -> tuple[np.ndarray, pd.Series]:
    """Score the set; when it falls short of `target` and `extend`, score in one call the set
    plus the 1, 2, … next largest remaining gains and keep the first that reaches it."""
    outcome = _evaluate_sets(referentiel, profile, base, row_candidate, chosen[None, :], target,
                             with_criteria=not extend).iloc[0]
    rest = np.flatnonzero(~chosen & (gains > TOLERANCE))
    if outcome["etoiles"] >= target or not extend or not len(rest):
        return chosen, outcome
    rest = rest[np.argsort(-np.round(gains[rest], 9), kind="stable")]
    # Row j of `sets`: the set plus rest[0…j].
    prefix = np.arange(len(rest))[:, None] >= np.arange(len(rest))[None, :]
    sets = np.repeat(chosen[None, :], len(rest), axis=0)
    sets[:, rest] |= prefix
    outcomes = _evaluate_sets(referentiel, profile, base, row_candidate, sets, target)
    reaching = np.flatnonzero(outcomes["etoiles"].to_numpy() >= target)
    if not len(reaching):
        return sets[-1], outcomes.iloc[-1]
    return _pruned(referentiel, profile, base, row_candidate, sets[reaching[0]], outcomes.iloc[reaching[0]],
                   gains, target)


def _pruned(referentiel: Referentiel, profile, base: pd.DataFrame, row_candidate: np.ndarray,
            chosen: np.ndarray, outcome: pd.Series, gains: np.ndarray, target: int) -> tuple[np.ndarray, pd.Series]:
    """After an extension, drop members the star does not need: score every set less one
    member in one call, drop the smallest gain among those still reaching it, and repeat."""
    while True:  # at most as many rounds as members; usually one
        members = np.flatnonzero(chosen)
        if len(members) <= 1:
            return chosen, outcome
        sets = np.repeat(chosen[None, :], len(members), axis=0)
        sets[np.arange(len(members)), members] = False
        outcomes = _evaluate_sets(referentiel, profile, base, row_candidate, sets, target)
        still = np.flatnonzero(outcomes["etoiles"].to_numpy() >= target)
        if not len(still):
            return chosen, outcome
        drop = still[np.lexsort((members[still], np.round(gains[members[still]], 9)))[0]]
        chosen, outcome = sets[drop], outcomes.iloc[drop]


def _evaluate_sets(referentiel: Referentiel, profile, base: pd.DataFrame, row_candidate: np.ndarray,
                   sets: np.ndarray, target: int, with_criteria: bool = False) -> pd.DataFrame:
    """One row per set of completed candidates (all scored in one engine call): etoiles,
    score_realise, points_manquants (points fait missing at the root for the threshold of
    `target`) and criteres_non_remplis (labels of the mandatory criteria of stars ≤ target
    not met; only `with_criteria`, else empty)."""
    tree = tree_of(referentiel)
    n = sets.shape[0]
    rows = _variants(base, row_candidate, sets)
    scores = _score(referentiel, profile, rows, n)
    etoile_rows = _etoile_inputs(scores, tree, n)
    summary = etoile_table(referentiel, etoile_rows, rows)
    potential = _root_values(scores, tree, n, "point_potentiel")
    fait = _root_values(scores, tree, n, "point_fait")
    labels = pd.Series([None] * n, dtype=object)
    if with_criteria:
        table = criteria_table(referentiel, etoile_rows, rows)
        unmet = table[(~table["satisfait"] & (table["etoile"] <= target) & (table["action_id"] != "")).to_numpy()]
        labels = unmet.groupby("subject")["critere"].agg(list).reindex(range(n))
    missing = np.maximum(SEUILS[target] * potential - fait, 0.0)
    return pd.DataFrame({
        "etoiles": summary["etoiles"].to_numpy(dtype=int),
        "score_realise": summary["score_realise"].to_numpy(dtype=np.float64),
        "points_manquants": np.where(missing > TOLERANCE, missing, 0.0),
        "criteres_non_remplis": [c if isinstance(c, list) else [] for c in labels],
    })


# --------------------------------------------------------------------------- the simulator's table
# « Vers la prochaine étoile » lists the rows a user may move, with the label of their status;
# the labels chosen are turned back into `changes` for `simulate`.

# The statuses a user may give in the simulator, by French label, then the states only a row
# already in them keeps (they need shares or tâches, which the simulator does not edit).
SIMULABLE_LABELS = {"fait": "fait", "programme": "programmé", "pas_fait": "pas fait",
                    "non_concerne": "non concerné", "non_renseigne": "non renseigné"}
LABEL_DETAILLE = "détaillé"
LABEL_DETAILLE_REALISE = "détaillé, part programmée faite"
LABEL_A_LA_TACHE = "détaillé à la tâche"
SIMULATION_OPTIONS = [*SIMULABLE_LABELS.values(), LABEL_DETAILLE, LABEL_DETAILLE_REALISE, LABEL_A_LA_TACHE]
_OWN_STATUS_WINS = ("fait", "programme", "pas_fait", "detaille", "non_concerne")  # scoring.md §2


def share_text(fait: float, programme: float, pas_fait: float) -> str:
    """« 30 % fait, 50 % programmé, 20 % pas fait » (shares 0–1; missing ones read 0)."""
    named = ((fait, "fait"), (programme, "programmé"), (pas_fait, "pas fait"))
    parts = [(0.0 if v != v else v, word) for v, word in named]
    return ", ".join(f"{pourcentage(v, 0 if round(v * 100, 1).is_integer() else 1)} {word}" for v, word in parts)


def complete_detailed(statuses: pd.DataFrame, ids) -> pd.DataFrame:
    """The statuses with the programmé share of the détaillé rows `ids` moved to fait."""
    ids = set(ids)
    if not ids:
        return statuses
    out = statuses.copy()
    hit = out["action_id"].astype(str).isin(ids).to_numpy() & (out["statut"] == "detaille").to_numpy()
    out.loc[hit, "fait"] = out.loc[hit, "fait"].fillna(0.0) + out.loc[hit, "programme"].fillna(0.0)
    out.loc[hit, "programme"] = 0.0
    return out


def simulation_table(nodes: pd.DataFrame, action_depth: int, statuses: pd.DataFrame,
                     scores: pd.DataFrame) -> pd.DataFrame:
    """The rows a user moves in the simulator, in referential order: every sous-action, and the
    tâches of the sous-actions evaluated tâche by tâche (no status of their own that wins).
    Columns: action_id, niveau, nom, sous_action_id, mesure_id, axe_id, statut (code, "" when
    none), statut_actuel (French label, one of SIMULATION_OPTIONS), detail (shares of a détaillé
    row), programme (its programmé share, 0 else), point_potentiel and point_fait (points of
    `scores`, the engine's rows of the evaluation)."""
    sous_action_depth = action_depth + 1
    rows = nodes[nodes["depth"] >= sous_action_depth]
    ids = rows["action_id"].astype(str)
    parts = ids.str.split(".")
    table = pd.DataFrame({
        "action_id": ids.to_numpy(),
        "niveau": rows["niveau"].astype(str).to_numpy(),
        "nom": rows["nom"].fillna("").astype(str).to_numpy(),
        "sous_action_id": parts.str[:sous_action_depth].str.join(".").to_numpy(),
        "mesure_id": parts.str[:action_depth].str.join(".").to_numpy(),
        "axe_id": parts.str[0].to_numpy(),
        "depth": rows["depth"].to_numpy(),
    })
    own = statuses.assign(action_id=statuses["action_id"].astype(str)).drop_duplicates("action_id", keep="last")
    own = own.set_index("action_id")
    table["statut"] = table["action_id"].map(own["statut"]).fillna("").astype(str)
    for share in ("fait", "programme", "pas_fait"):
        table[share] = table["action_id"].map(own[share]).astype("float64")
    is_sous_action = (table["depth"] == sous_action_depth).to_numpy()
    wins = table["statut"].isin(_OWN_STATUS_WINS).to_numpy()
    tache_with_status = ~is_sous_action & (table["statut"] != "").to_numpy()
    by_tache = set(table.loc[tache_with_status, "sous_action_id"]) - set(table.loc[is_sous_action & wins, "action_id"])
    shown = is_sous_action | table["sous_action_id"].isin(by_tache).to_numpy()
    table = table[shown].reset_index(drop=True)

    labels = table["statut"].map(SIMULABLE_LABELS)
    labels = labels.where(table["statut"] != "detaille", LABEL_DETAILLE)
    a_la_tache = (table["depth"] == sous_action_depth) & table["action_id"].isin(by_tache)
    labels = labels.where(~a_la_tache, LABEL_A_LA_TACHE)
    table["statut_actuel"] = labels.fillna(SIMULABLE_LABELS["non_renseigne"])
    detailed = table["statut"] == "detaille"
    table["detail"] = ""
    table.loc[detailed, "detail"] = [share_text(f, p, pf) for f, p, pf in
                                     table.loc[detailed, ["fait", "programme", "pas_fait"]].itertuples(index=False)]
    table["programme"] = table["programme"].where(detailed, 0.0).fillna(0.0)
    points = scores.assign(action_id=scores["action_id"].astype(str)).set_index("action_id")
    table["point_potentiel"] = table["action_id"].map(points["point_potentiel"]).astype("float64")
    table["point_fait"] = table["action_id"].map(points["point_fait"]).astype("float64")
    return table.drop(columns=["fait", "pas_fait", "depth"])


@dataclass
class SimulationChoices:
    """What the chosen labels mean for the engine: `changes` (action_id → status code, for
    `simulate`), `realises` (détaillé rows whose programmé share becomes fait) and `ignores`
    (rows given a state they cannot take: kept as they are)."""

    changes: dict[str, str]
    realises: list[str]
    ignores: list[str]


def simulation_choices(table: pd.DataFrame, chosen: dict[str, str]) -> SimulationChoices:
    """The labels chosen in the simulator's table (`simulation_table`), action_id → label, as
    changes for the engine; a label equal to the row's current one is no change."""
    by_label = {label: code for code, label in SIMULABLE_LABELS.items()}
    rows = table.set_index("action_id")
    out = SimulationChoices({}, [], [])
    for action_id, label in chosen.items():  # only the rows the user changed
        if action_id not in rows.index:
            out.ignores.append(action_id)
            continue
        row = rows.loc[action_id]
        if label == row["statut_actuel"]:
            continue
        if label in by_label:
            out.changes[action_id] = by_label[label]
        elif label == LABEL_DETAILLE_REALISE and row["statut"] == "detaille" and row["programme"] > 0:
            out.realises.append(action_id)
        else:
            out.ignores.append(action_id)
    return out


def plan_choices(table: pd.DataFrame, statuses: pd.DataFrame, sous_actions: list[str],
                 action_depth: int) -> dict[str, str]:
    """The labels that complete the sous-actions of a CompletionPlan the way the engine counts
    it: every programmé row in them (the sous-action or its tâches) becomes fait, and a
    détaillé row gets its programmé share done."""
    wanted = set(sous_actions)
    ids = statuses["action_id"].astype(str)
    unit = ids.str.split(".").str[:action_depth + 1].str.join(".")
    inside = unit.isin(wanted).to_numpy()
    chosen = {}
    for action_id, statut, programme in zip(ids[inside], statuses["statut"][inside], statuses["programme"][inside]):
        if statut == "programme":
            chosen[action_id] = SIMULABLE_LABELS["fait"]
        elif statut == "detaille" and programme == programme and programme > 0:
            chosen[action_id] = LABEL_DETAILLE_REALISE
    shown = set(table["action_id"])
    return {k: v for k, v in chosen.items() if k in shown}


def scores_actuel_simule(before: pd.DataFrame, after: pd.DataFrame, when) -> pd.DataFrame:
    """The two evaluations as the long score frame of cae_data.analyses (collectivite « Actuel »
    and « Simulé », same date), for the category and axis radars."""
    stamp = pd.Timestamp(when) if when is not None else pd.Timestamp("1970-01-01")
    frames = [before.assign(collectivite="Actuel", date=stamp), after.assign(collectivite="Simulé", date=stamp)]
    return pd.concat(frames, ignore_index=True)


@dataclass
class RadarFrame:
    """One radar of the simulator: « Actuel » and « Simulé » (`collectivite`) over `label`."""

    title: str
    filename: str
    frame: pd.DataFrame


def simulation_radar_frames(nodes: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame,
                            when) -> list[RadarFrame]:
    """The simulator's two radars from the engine's scores before and after the changes: % fait
    by category, then by axe (by mesure when the referential has fewer than three axes, as the
    seed documents with their one axe)."""
    long = scores_actuel_simule(before, after, when)
    by_category = analyses.scores_by_category(long, nodes)
    by_category["label"] = by_category["categorie"].astype(str).str.capitalize()
    axes = nodes.loc[nodes["niveau"] == "axe", "action_id"].astype(str).tolist()
    if len(axes) >= 3:
        by_axis = analyses.scores_by_axis(long, nodes=nodes)
        by_axis["label"] = [f"Axe {a}" for a in by_axis["action_id"]]
        axis_title = "Score réalisé par axe"
    else:  # the seed documents: one axe, so its mesures
        by_axis = analyses.scores_by_axis(long, axe=axes[0] if axes else None, nodes=nodes)
        by_axis["label"] = by_axis["action_id"].astype(str)
        axis_title = "Score réalisé par mesure"
    return [RadarFrame("Score réalisé par catégorie", "simulation-radar-categories", by_category),
            RadarFrame(axis_title, "simulation-radar-axes", by_axis)]
