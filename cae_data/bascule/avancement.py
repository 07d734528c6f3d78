"""How far each node of an origin referential (CAE, ECI) is done, counted on its TÂCHES as the
official platform counts it for the switch (referentiel-te.md § Switching): the platform's
`faitTachesAvancement / totalTachesCount` (and likewise programmé, pas fait) of every node,
computed on the whole tree at once, one depth level at a time (≤ 6 levels, no loop over nodes).

The platform's engine (`scores.service.ts`, `appliqueActionAvancementEtRemonteAuxParents` and
`buildActionWithScore`), which this module follows, including its quirks:

- a tâche counts 1: its status fait 1 / programmé 1 / pas fait 1, or its détaillé shares; no
  status or non renseigné counts 0 (a status given to its sous-action does NOT reach it);
- a node carrying its own status fait, programmé, pas fait or détaillé counts its shares times
  the number of its tâches (its leaves), whatever its tâches say;
- any other node sums its children (counts and advancements);
- a node not concerné (its own status non concerné, or an ancestor's, or désactivé by
  personnalisation, or all its children non concerné) advances 0 and counts as many tâches as
  it has direct children that are leaves, at least 1 (the platform's `leaf_count`). So inside a
  concerné sous-action, a non concerné tâche still counts in the total and lowers the share
  (2 tâches fait and 2 non concernées: 50 %).

See docs/bascule.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..referentiel.model import Referentiel
from ..scoring.engine import DETAILLE, FAIT, PAS_FAIT, PROGRAMME, status_matrices
from ..scoring.tree import tree_of

AVANCEMENT_COLUMNS = [
    "action_id", "point_referentiel", "point_fait", "concerne", "statut_propre", "sous_statut_parent",
    "total_taches", "taches_non_concernees", "fait", "programme", "pas_fait",
]
SCORED = (FAIT, PROGRAMME, PAS_FAIT, DETAILLE)


def avancement_taches(referentiel: Referentiel, scores: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """One row per node of `referentiel` (its order), columns AVANCEMENT_COLUMNS:

    - `point_referentiel`, `point_fait`: from the engine's `scores` of this evaluation (score_one);
    - `concerne`: the platform's flag (the engine's, made false under a non concerné ancestor);
    - `statut_propre`: the node carries a status fait, programmé, pas fait or détaillé;
    - `sous_statut_parent`: the node has no such status but an ancestor has one (a tâche whose
      sous-action carries the status: the platform counts the tâche 0);
    - `total_taches`: the platform's totalTachesCount; `taches_non_concernees`: the non concerné
      tâches counted in it (the quirk above);
    - `fait`, `programme`, `pas_fait`: shares 0–1 (advancement / total).

    `statuses`: action_id, statut, fait, programme, pas_fait (shares 0–1); ids the referential
    lacks are ignored, a repeated id keeps its last row."""
    tree = tree_of(referentiel)
    rows = statuses.assign(subject=0) if len(statuses) else pd.DataFrame(
        {"subject": pd.Series(dtype="int64"), "action_id": pd.Series(dtype=object),
         "statut": pd.Series(dtype=object)})
    status = status_matrices(tree, rows, 1)
    code = status.code[0]
    scored = np.isin(code, SCORED)
    shares = np.zeros((tree.size, 3))
    shares[:, 0] = np.where(code == FAIT, 1.0, np.where(code == DETAILLE, np.nan_to_num(status.fait[0]), 0.0))
    shares[:, 1] = np.where(code == PROGRAMME, 1.0,
                            np.where(code == DETAILLE, np.nan_to_num(status.programme[0]), 0.0))
    shares[:, 2] = np.where(code == PAS_FAIT, 1.0,
                            np.where(code == DETAILLE, np.nan_to_num(status.pas_fait[0]), 0.0))

    by_position = _by_position(tree, scores)
    concerne = by_position["concerne"].to_numpy(dtype=bool).copy()
    under_status = np.zeros(tree.size, dtype=bool)
    for level in tree.levels:  # top-down: non concerné and « under a status » reach the descendants
        concerne[level.nodes] &= concerne[level.parents]
        under_status[level.nodes] = under_status[level.parents] | scored[level.parents]

    leaf = tree.is_leaf.astype(np.float64)
    leaves = leaf.copy()[None, :]  # number of tâches (leaves) under each node, 1 for a leaf
    direct_leaves = np.zeros((1, tree.size))
    for level in reversed(tree.levels):  # bottom-up
        parents = level.parent_nodes
        leaves[:, parents] = level.sum_by_parent(leaves)
        direct_leaves[:, parents] = level.sum_by_parent(leaf[None, :])
    leaves, direct_leaves = leaves[0], direct_leaves[0]

    own = concerne & scored
    total = np.where(~concerne, np.maximum(direct_leaves, 1.0), np.where(own, leaves, 1.0))[None, :]
    advance = np.where(own[:, None], shares * leaves[:, None], 0.0)
    advances = [advance[None, :, k].copy() for k in range(3)]
    counted_nc = np.where(~concerne, total[0], 0.0)[None, :]  # non concerné tâches inside each total
    summed = concerne & ~own  # nodes whose figures are their children's sums
    for level in reversed(tree.levels):
        parents = level.parent_nodes
        take = summed[parents]
        total[:, parents] = np.where(take, level.sum_by_parent(total), total[:, parents])
        counted_nc[:, parents] = np.where(take, level.sum_by_parent(counted_nc), counted_nc[:, parents])
        for values in advances:
            values[:, parents] = np.where(take, level.sum_by_parent(values), values[:, parents])
    denominator = np.where(total[0] > 0, total[0], 1.0)
    return pd.DataFrame({
        "action_id": pd.Series(tree.ids, dtype=object),
        "point_referentiel": tree.point_referentiel,
        "point_fait": by_position["point_fait"].to_numpy(dtype=np.float64),
        "concerne": concerne,
        "statut_propre": scored,
        "sous_statut_parent": ~scored & under_status,
        "total_taches": total[0],
        "taches_non_concernees": np.where(concerne & ~own, counted_nc[0], 0.0),
        "fait": advances[0][0] / denominator,
        "programme": advances[1][0] / denominator,
        "pas_fait": advances[2][0] / denominator,
    })[AVANCEMENT_COLUMNS]


def _by_position(tree, scores: pd.DataFrame) -> pd.DataFrame:
    """The engine's output of one evaluation, one row per node in the tree's order."""
    frame = scores.assign(action_id=scores["action_id"].astype(str)).drop_duplicates("action_id", keep="last")
    frame = frame.set_index("action_id").reindex(pd.Index(tree.ids, dtype=object))
    frame["concerne"] = frame["concerne"].fillna(True).astype(bool)
    frame["point_fait"] = frame["point_fait"].astype(float).fillna(0.0)
    return frame.reset_index(drop=True)
