"""A referential's tree compiled to index arrays.

Every scoring rule then runs as array operations on (subjects × nodes) matrices, one depth
level at a time: there are at most 6 levels, so the only Python loops are over levels.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..referentiel.model import NIVEAUX_MESURE_ET_DESSOUS, Referentiel, action_depth


@dataclass(frozen=True)
class Level:
    """The nodes of one depth (≥ 1), grouped by parent so that sibling groups are contiguous."""

    depth: int
    nodes: np.ndarray  # node positions, sorted by parent (stable: reading order within a group)
    parents: np.ndarray  # parent position of each node of `nodes`
    groups: np.ndarray  # sibling group of each node of `nodes` (index into parent_nodes)
    parent_nodes: np.ndarray  # one position per sibling group: the parent
    starts: np.ndarray  # first index of each group in `nodes` (for np.add.reduceat)
    sizes: np.ndarray  # number of nodes in each group

    by_rank: tuple[np.ndarray, ...]  # by_rank[r]: level indices of the r-th child of each group
    # Sibling groups whose parent is a mesure or below it (scoring.md §3.3 redistributes there,
    # §3.4 rescales there): all of them for CAE's depths 4–5, none above; per group, since the
    # mesures of one referential may sit at several depths (an axis without sous-axes).
    below_action: np.ndarray  # bool, one per group
    any_below_action: bool

    @property
    def below_action_nodes(self) -> np.ndarray:
        """`below_action` for each node of `nodes` (its group's)."""
        return self.below_action[self.groups]

    def sum_by_parent(self, values: np.ndarray) -> np.ndarray:
        """(S × N) values → (S × groups) sums over each parent's children."""
        return self.group_sum(values[:, self.nodes])

    def group_sum(self, level_values: np.ndarray) -> np.ndarray:
        """(S × len(nodes)) values already taken at this level → (S × groups) sums, added
        one child after the other in reading order. Sequential on purpose: the official
        engine sums children that way, and pairwise sums (np.add.reduceat on contiguous
        data) can differ in the last bit, which shows when a value sits on a rounding tie."""
        if level_values.dtype == bool:
            level_values = level_values.astype(np.int32)
        total = np.zeros((level_values.shape[0], len(self.starts)), dtype=level_values.dtype)
        for rank in self.by_rank:  # ≤ the largest number of siblings (about 10)
            total[:, self.groups[rank]] += level_values[:, rank]
        return total


@dataclass(frozen=True)
class CompiledTree:
    ids: np.ndarray  # action_id of each node (object), referential order
    index: pd.Index  # action_id → position
    parent: np.ndarray  # parent position, -1 for the root
    depth: np.ndarray
    niveau: np.ndarray
    point_referentiel: np.ndarray  # float64
    is_leaf: np.ndarray  # bool
    levels: tuple[Level, ...]  # depth 1, 2, … (top-down order)
    action_depth: int  # the mesures' depth (the shallowest one when branches differ)
    below_action: np.ndarray  # bool per node: a sous-action or a tâche (niveau under a mesure)
    redistribution: bool = True  # Referentiel.regles.redistribution

    @property
    def size(self) -> int:
        return len(self.ids)

    def positions(self, action_ids) -> np.ndarray:
        """Positions of the given ids, -1 for unknown ones."""
        return self.index.get_indexer(pd.Index(action_ids, dtype=object))

    def subtree_mask(self, action_id: str) -> np.ndarray:
        """The node and all its descendants (ids are dotted paths)."""
        ids = pd.Series(self.ids, dtype=object)
        if action_id == "":
            return np.ones(self.size, dtype=bool)
        return ((ids == action_id) | ids.str.startswith(action_id + ".")).to_numpy(dtype=bool)

    def ancestors(self, position: int) -> np.ndarray:
        """Positions of the ancestors of a node, nearest first (walks ≤ 6 levels)."""
        chain = []
        node = self.parent[position]
        while node >= 0:
            chain.append(node)
            node = self.parent[node]
        return np.asarray(chain, dtype=np.int64)


def compile_tree(nodes: pd.DataFrame, redistribution: bool = True) -> CompiledTree:
    """Index arrays of a `Referentiel.nodes` frame (see referentiel/model.py)."""
    ids = nodes["action_id"].astype(object).to_numpy()
    index = pd.Index(ids, dtype=object)
    if index.has_duplicates:
        dup = index[index.duplicated()].unique().tolist()
        raise ValueError(f"identifiants en double dans le référentiel : {', '.join(map(str, dup[:10]))}")
    parent_ids = nodes["parent_id"].astype(object)
    parent = index.get_indexer(pd.Index(parent_ids.where(parent_ids.notna(), "\0root"), dtype=object))
    depth = nodes["depth"].to_numpy(dtype=np.int64)
    root = depth == 0
    if root.sum() != 1:
        raise ValueError("le référentiel doit avoir exactement une racine")
    orphans = (~root) & (parent < 0)
    if orphans.any():
        raise ValueError("nœuds sans parent dans le référentiel : "
                         + ", ".join(map(str, ids[orphans][:10])))
    parent = np.where(root, -1, parent)
    if (depth[~root] != depth[parent[~root]] + 1).any():
        raise ValueError("profondeurs incohérentes dans le référentiel")
    has_child = np.zeros(len(ids), dtype=bool)
    has_child[parent[~root]] = True
    niveau = nodes["niveau"].astype(object).to_numpy()
    mesure_or_below = np.isin(niveau, NIVEAUX_MESURE_ET_DESSOUS)
    levels = []
    for d in range(1, int(depth.max()) + 1 if len(depth) else 1):
        at = np.flatnonzero(depth == d)
        order = np.argsort(parent[at], kind="stable")
        level_nodes = at[order]
        level_parents = parent[level_nodes]
        change = np.r_[True, level_parents[1:] != level_parents[:-1]]
        starts = np.flatnonzero(change)
        groups = np.cumsum(change) - 1
        sizes = np.diff(np.r_[starts, len(level_nodes)])
        rank = np.arange(len(level_nodes)) - starts[groups]
        by_rank = tuple(np.flatnonzero(rank == r) for r in range(int(sizes.max()) if len(sizes) else 0))
        below = mesure_or_below[level_parents[starts]]
        levels.append(Level(d, level_nodes, level_parents, groups, level_parents[starts], starts, sizes,
                            by_rank, below, bool(below.any())))
    return CompiledTree(
        ids=ids,
        index=index,
        parent=parent,
        depth=depth,
        niveau=niveau,
        point_referentiel=nodes["point_referentiel"].to_numpy(dtype=np.float64),
        is_leaf=~has_child,
        levels=tuple(levels),
        action_depth=action_depth(nodes),
        below_action=np.isin(niveau, ("sous-action", "tache")),
        redistribution=redistribution,
    )


# Referentials are treated as immutable once read: compile each nodes frame once. The lock
# keeps the cache consistent when Streamlit sessions score in parallel threads.
_CACHE: OrderedDict[tuple[int, bool], tuple[pd.DataFrame, CompiledTree]] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = threading.Lock()


def tree_of(referentiel: Referentiel) -> CompiledTree:
    redistribution = referentiel.regles.redistribution
    key = (id(referentiel.nodes), redistribution)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is referentiel.nodes:
            _CACHE.move_to_end(key)
            return hit[1]
    tree = compile_tree(referentiel.nodes, redistribution)
    with _LOCK:
        _CACHE[key] = (referentiel.nodes, tree)  # holding the frame keeps its id from being reused
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return tree
