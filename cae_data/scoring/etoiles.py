"""Stars of the label (scoring.md §5) from the engine's scores.

- Thresholds of score réalisé at the root (`>=`): 1 star at 0 %, 2 at 35 %, 3 at 50 %, 4 at
  65 %, 5 at 75 %.
- Stars 1 and 2 also need mandatory actions (CRITERES). Stars are cumulative: star k needs
  its threshold and the criteria of every star up to k. **0 stars** means that the mandatory
  actions of the first star are not all met (whatever the score).
- A criterion on a node désactivé by personnalisation is dropped (`applicable` false). A
  criterion on a tâche whose sous-action carries its own status (fait, programmé, pas fait or
  détaillé) is judged on the sous-action.
- A node's shares are point_fait / point_potentiel and point_programme / point_potentiel;
  when its potential is 0 (CAE's conformity tâches 1.1.2.0.1 and 1.1.2.0.2 are worth 0
  points), they are read from statuses instead: a status's own shares (fait 1, détaillé f…),
  or for a node without one the average over its tâches, as the official platform does.
- Stars only mean something on a complete referential: `referentiel_complet` tells whether
  every criterion node exists (the seed documents alone, 3 mesures, are not).
- A referential whose rules have no mandatory actions (TE, `Regles.criteres_etoiles` false)
  gets the thresholds only: `criteres` lists the four thresholds, and it is always complete.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..referentiel.model import Referentiel
from .engine import DETAILLE, FAIT, NO_STATUS, NON_RENSEIGNE, PAS_FAIT, PROGRAMME, StatusRows, status_matrices
from .tree import CompiledTree, tree_of

SEUILS = {1: 0.0, 2: 0.35, 3: 0.50, 4: 0.65, 5: 0.75}
TOLERANCE = 1e-9  # shares computed from float points: 0.7 / 2 must reach 35 %


@dataclass(frozen=True)
class Critere:
    etoile: int
    action_id: str
    critere: str  # French label shown to users
    min_fait: float  # share fait needed …
    min_fait_programme: float | None = None  # … or share fait + programmé needed


CRITERES = (
    Critere(1, "5.1.2.1.1", "Élu·e référent·e climat-air-énergie désigné·e (5.1.2.1.1) : fait", 1.0),
    Critere(1, "5.1.1.1.3", "Référent·e technique (chef·fe de projet) désigné·e (5.1.1.1.3) : fait", 1.0),
    Critere(1, "5.1.1.3.2", "Équipe projet transversale (5.1.1.3.2) : fait ou programmé", 1.0, 1.0),
    Critere(1, "1.1.2", "Diagnostic climat-air-énergie (mesure 1.1.2) : au moins 20 % fait", 0.2),
    Critere(1, "1.1.2.0.1", "Conformité aux obligations PCAET (1.1.2.0.1) : fait ou programmé", 1.0, 1.0),
    Critere(1, "1.1.2.0.2", "Conformité aux obligations BEGES (1.1.2.0.2) : fait ou programmé", 1.0, 1.0),
    Critere(2, "1.1.1.1.1", "Vision et engagements formalisés (1.1.1.1.1) : fait", 1.0),
    Critere(2, "1.1.2.0.1", "Conformité aux obligations PCAET (1.1.2.0.1) : fait", 1.0),
    Critere(2, "1.1.2.0.2", "Conformité aux obligations BEGES (1.1.2.0.2) : fait", 1.0),
)
CRITERE_COLUMNS = ["subject", "etoile", "critere", "action_id", "applicable", "satisfait",
                   "part_fait", "part_programme"]
ETOILE_COLUMNS = ["subject", "score_realise", "score_programme", "etoiles", "prochaine_etoile",
                "points_manquants", "criteres_manquants", "actions_manquantes"]


def criteres_of(referentiel: Referentiel) -> tuple[Critere, ...]:
    """The mandatory actions the referential's stars need (none for TE)."""
    return CRITERES if referentiel.regles.criteres_etoiles else ()


def referentiel_complet(referentiel: Referentiel) -> bool:
    """True when every node a star criterion names exists (the full CAE referential; any
    referential without mandatory actions, as TE)."""
    ids = set(referentiel.nodes["action_id"])
    return all(c.action_id in ids for c in criteres_of(referentiel))


# ---------------------------------------------------------------- inputs


def _subjects(scores: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Engine output with a `subject` column (score_one's output has none: subject 0)."""
    if "subject" not in scores.columns:
        scores = scores.assign(subject=0)
    return scores, pd.unique(scores["subject"].to_numpy())


def _wide(scores: pd.DataFrame, subjects: np.ndarray, tree: CompiledTree, field: str) -> np.ndarray:
    """(subjects × nodes) matrix of one output field."""
    rows = pd.Index(subjects).get_indexer(scores["subject"])
    cols = tree.positions(scores["action_id"].astype(str))
    dtype = bool if field in ("desactive", "concerne") else np.float64
    matrix = np.zeros((len(subjects), tree.size), dtype=dtype)
    known = cols >= 0
    matrix[rows[known], cols[known]] = scores[field].to_numpy(dtype=dtype)[known]
    return matrix


def _status_shares(tree: CompiledTree, code: np.ndarray, fait: np.ndarray, programme: np.ndarray):
    """Shares fait / programmé read from statuses (for nodes worth 0 points): a node's own
    status (other than non renseigné), else the tâche-weighted average of its children."""
    own = (code != NO_STATUS) & (code != NON_RENSEIGNE)
    share_fait = np.where(code == FAIT, 1.0, np.where(code == DETAILLE, np.nan_to_num(fait), 0.0))
    share_prog = np.where(code == PROGRAMME, 1.0, np.where(code == DETAILLE, np.nan_to_num(programme), 0.0))
    leaves = tree.is_leaf.astype(np.float64)[None, :].repeat(code.shape[0], axis=0)
    count = leaves.copy()
    for level in reversed(tree.levels):  # number of tâches under each node
        count[:, level.parent_nodes] = level.sum_by_parent(count)
    sum_fait, sum_prog = share_fait * count, share_prog * count
    for level in reversed(tree.levels):
        parents = level.parent_nodes
        keep = own[:, parents]
        sum_fait[:, parents] = np.where(keep, sum_fait[:, parents], level.sum_by_parent(sum_fait))
        sum_prog[:, parents] = np.where(keep, sum_prog[:, parents], level.sum_by_parent(sum_prog))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.where(count > 0, sum_fait / count, 0.0), np.where(count > 0, sum_prog / count, 0.0))


# ---------------------------------------------------------------- criteria and stars


def criteres(referentiel: Referentiel, scores: pd.DataFrame,
             statuses: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (subject, criterion): the mandatory actions of stars 1 and 2, then the
    score thresholds of stars 2 to 5 (action_id ""). `statuses` is the engine's input
    (subject, action_id, statut, fait, programme, pas_fait; no `subject` for score_one).
    Columns CRITERE_COLUMNS; a dropped criterion has applicable false and satisfait true."""
    tree = tree_of(referentiel)
    scores, subjects = _subjects(scores)
    n = len(subjects)
    potential = _wide(scores, subjects, tree, "point_potentiel")
    fait = _wide(scores, subjects, tree, "point_fait")
    programme = _wide(scores, subjects, tree, "point_programme")
    desactive = _wide(scores, subjects, tree, "desactive")

    if isinstance(statuses, StatusRows):
        # Rows already as numbers, one per subject position: valid when the scores' subjects
        # are those positions in order (services.etoiles_for_all).
        if not np.array_equal(np.asarray(subjects, dtype=np.int64), np.arange(n)):
            raise ValueError("StatusRows : les sujets des scores doivent être 0, 1, … dans l'ordre")
        status = statuses.matrices(tree.size, 0, n)
    else:
        if statuses is None:
            statuses = pd.DataFrame(columns=["subject", "action_id", "statut", "fait", "programme", "pas_fait"])
        if "subject" not in statuses.columns:
            statuses = statuses.assign(subject=subjects[0] if n else 0)
        rows = statuses.assign(subject=pd.Index(subjects).get_indexer(statuses["subject"]))
        status = status_matrices(tree, rows[rows["subject"] >= 0], n)
    status_fait, status_prog = _status_shares(tree, status.code, status.fait, status.programme)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_fait = np.where(potential > 0, fait / potential, status_fait)
        share_prog = np.where(potential > 0, programme / potential, status_prog)
    judged_by_status = np.isin(status.code, (FAIT, PROGRAMME, PAS_FAIT, DETAILLE))

    frames = []
    for critere in criteres_of(referentiel):  # 9 criteria (CAE), none (TE)
        position = int(tree.index.get_indexer([critere.action_id])[0])
        if position < 0:
            applicable = np.zeros(n, dtype=bool)
            part_fait = part_prog = np.full(n, np.nan)
        else:
            applicable = ~desactive[:, position]
            judged = np.full(n, position)
            parent = tree.parent[position]
            if tree.is_leaf[position] and parent >= 0 and tree.below_action[parent]:
                judged = np.where(judged_by_status[:, parent], parent, position)
            part_fait = share_fait[np.arange(n), judged]
            part_prog = share_prog[np.arange(n), judged]
        met = part_fait >= critere.min_fait - TOLERANCE
        if critere.min_fait_programme is not None:
            met |= part_fait + part_prog >= critere.min_fait_programme - TOLERANCE
        frames.append(pd.DataFrame({
            "subject": subjects, "etoile": critere.etoile, "critere": critere.critere,
            "action_id": critere.action_id, "applicable": applicable,
            "satisfait": np.where(applicable, met, True), "part_fait": part_fait, "part_programme": part_prog,
        }))
    root = int(tree.index.get_indexer([""])[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        realise = np.where(potential[:, root] > 0, fait[:, root] / potential[:, root], 0.0)
        prevu = np.where(potential[:, root] > 0, programme[:, root] / potential[:, root], 0.0)
    for etoile in (2, 3, 4, 5):
        frames.append(pd.DataFrame({
            "subject": subjects, "etoile": etoile,
            "critere": f"Score réalisé d'au moins {SEUILS[etoile]:.0%}".replace("%", " %"),
            "action_id": "", "applicable": True, "satisfait": realise >= SEUILS[etoile] - TOLERANCE,
            "part_fait": realise, "part_programme": prevu,
        }))
    result = pd.concat(frames, ignore_index=True)[CRITERE_COLUMNS]
    order = pd.Index(subjects).get_indexer(result["subject"])
    return result.iloc[np.lexsort((result["etoile"].to_numpy(), order))].reset_index(drop=True)


def etoiles(referentiel: Referentiel, scores: pd.DataFrame, statuses: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per subject: score_realise and score_programme (root shares), etoiles (0–5),
    prochaine_etoile (<NA> at 5), points_manquants (points fait still needed at the root for
    the next star's threshold), criteres_manquants (criteria of the next star not met,
    threshold included) and actions_manquantes (the mandatory actions among them: what a page
    says « et N actions obligatoires » of)."""
    scores, subjects = _subjects(scores)
    table = criteres(referentiel, scores, statuses)
    unmet = table[~table["satisfait"]]
    # the first star whose conditions are not all met, per subject (6 when none)
    first_unmet = unmet.groupby("subject")["etoile"].min().reindex(subjects).fillna(6).to_numpy(dtype=int)
    etoiles = np.minimum(first_unmet - 1, 5)
    prochaine = np.where(etoiles < 5, etoiles + 1, 0)

    root_rows = scores[scores["action_id"].astype(str) == ""].set_index("subject").reindex(subjects)
    potential = root_rows["point_potentiel"].to_numpy(dtype=np.float64)
    fait = root_rows["point_fait"].to_numpy(dtype=np.float64)
    programme = root_rows["point_programme"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        realise = np.where(potential > 0, fait / potential, 0.0)
        prevu = np.where(potential > 0, programme / potential, 0.0)
    seuil = np.array([SEUILS.get(k, 0.0) for k in range(7)])[prochaine]
    manquants = np.where(prochaine > 0, np.maximum(seuil * potential - fait, 0.0), 0.0)
    counts = (unmet.groupby(["subject", "etoile"]).size().unstack(fill_value=0)
              .reindex(index=subjects, columns=range(1, 6), fill_value=0).to_numpy())
    missing_next = np.where(prochaine > 0, counts[np.arange(len(subjects)), np.maximum(prochaine - 1, 0)], 0)
    # the mandatory actions among them (the score threshold is a criterion, not an action)
    actions = unmet[unmet["action_id"].astype(str) != ""]
    action_counts = (actions.groupby(["subject", "etoile"]).size().unstack(fill_value=0)
                     .reindex(index=subjects, columns=range(1, 6), fill_value=0).to_numpy())
    actions_next = np.where(prochaine > 0, action_counts[np.arange(len(subjects)), np.maximum(prochaine - 1, 0)], 0)
    return pd.DataFrame({
        "subject": subjects, "score_realise": realise, "score_programme": prevu, "etoiles": etoiles,
        "prochaine_etoile": pd.Series(prochaine, dtype="Int64").mask(prochaine == 0).to_numpy(),
        "points_manquants": np.where(manquants < TOLERANCE, 0.0, manquants),
        "criteres_manquants": missing_next,
        "actions_manquantes": actions_next,
    })[ETOILE_COLUMNS]
