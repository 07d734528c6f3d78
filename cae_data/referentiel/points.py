"""Tree assembly shared by every reader, and referential points (scoring.md §1).

Readers produce `NodeRecord`s (one per node, with where each field was read); `assemble_tree`
checks the structure (duplicate ids, unknown parents, shares adding up to 100, mesures without
points), names the levels (`assign_niveaux`), computes sibling order and `point_referentiel`,
and returns the `nodes` DataFrame of model.py in pre-order (root, then depth-first in reading
order).

Levels (`assign_niveaux`), read from the data in every format, branch by branch:
- a **mesure** is the parent of the first node of its branch that carries a `pourcentage`
  (CAE: the sous-actions' shares; ECI: the same, although its axes carry points too);
- in branches without shares, the nodes at the mesures' usual depth (the most frequent one,
  the shallowest on a tie) are mesures; a referential without any share takes the first
  depth carrying declared points (the sous-actions then give `points`, turned into shares by
  the CSV reader);
- under a mesure: sous-actions, then tâches; above: axes (depth 1) and sous-axes. So one
  axis may have sous-axes and another not (tests/fixtures/referentiel/mixte).
- TE (Regles.points_sur_sous_actions) names its levels by depth, as referentiel-te.md says:
  axe, sous-axe, mesure, sous-mesure (code "sous-action"), tâche.

Points (`compute_points`):
- a mesure carries its declared points, or 100 when the referential declares none (seed
  documents alone);
- below it, a parent's points go to its children: a child with share 0 (pourcentage 0 or
  points 0) gets 0 and is left out; if some children give a `pourcentage`, each gets
  pourcentage/100 × parent (a child without one gets its explicit points, else 0); otherwise,
  if some give explicit `points`, those get them and the others 0; otherwise the parent's points
  are split equally;
- above it, every node is the sum of its children (CAE root: 500); points written there
  (ECI's axes) are not used;
- TE: the sous-mesures carry their declared points (mandatory); tâches share them equally
  whatever they declare (P × (100 / n) / 100, the platform's float path); mesures and above
  are sums. A mesure whose written points differ from that sum gives a located warning.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..tabular import parse_number, strip_accents
from .markdown_blocks import ACTION_ID_RE
from .model import (
    ALL_NODE_COLUMNS,
    CATEGORIES,
    NIVEAUX_MESURE_ET_DESSOUS,
    REGLES_CLASSIQUES,
    Regles,
    parent_of,
)

# Root titles of the referentials we know; any other referential is titled by its name.
KNOWN_TITLES = {"cae": "Climat Air Énergie", "eci": "Économie Circulaire"}
SHARE_TOLERANCE = 0.01


@dataclass
class NodeRecord:
    """One node as read, before assembly. `lines`/`columns` say where a field was read
    (markdown: yaml key line, column 1; CSV: row line, column header)."""

    action_id: str
    nom: str
    source_file: str
    source_line: int
    description: str = ""
    textes: dict[str, str] = field(default_factory=dict)
    categorie: str | None = None
    points_declares: float = math.nan
    pourcentage: float = math.nan
    collectivite_type: str | None = None
    climat_pratic_id: str | None = None
    attributes: dict[str, object] = field(default_factory=dict)  # model.NODE_ATTRIBUTE_COLUMNS
    column: str | int = 1
    lines: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str | int] = field(default_factory=dict)

    def locate(self, name: str = "") -> tuple[int, str | int]:
        return self.lines.get(name, self.source_line), self.columns.get(name, self.column)

    def problem(self, problems: ProblemCollector, name: str, message: str) -> None:
        line, column = self.locate(name)
        problems.add(self.source_file, line, column, message)


def fr_number(value: float) -> str:
    """12.0 → '12', 99.5 → '99,5' (French decimal comma in messages)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def root_title(nom: str) -> str:
    return KNOWN_TITLES.get(nom.lower(), nom)


def read_number(text: object, record: NodeRecord, name: str, problems: ProblemCollector,
                named: bool = True) -> float:
    """A non-negative number from a yaml value or CSV cell; NaN when empty or wrong (reported).
    `named` puts the field name in the message (markdown; CSV messages carry it as column)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return math.nan
    prefix = f"{name} : " if named else ""
    shown = str(text).strip()
    try:
        value = parse_number(shown) if isinstance(text, str) else None
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        record.problem(problems, name, f"{prefix}nombre attendu, trouvé « {shown} »")
        return math.nan
    if value < 0:
        record.problem(problems, name, f"{prefix}nombre positif attendu, trouvé « {shown} »")
        return math.nan
    return value


def read_categorie(text: object, record: NodeRecord, problems: ProblemCollector, named: bool = True) -> str | None:
    """'Mise en oeuvre', 'BASES ' … → one of model.CATEGORIES; anything else is reported."""
    if text is None or not str(text).strip():
        return None
    key = " ".join(strip_accents(str(text)).lower().split())
    for categorie in CATEGORIES:
        if key == " ".join(strip_accents(categorie).lower().split()):
            return categorie
    prefix = "categorie : " if named else ""
    record.problem(problems, "categorie",
                   f"{prefix}catégorie inconnue « {str(text).strip()} » (attendu : bases, mise en œuvre ou effets)")
    return None


def check_action_id(text: str, record: NodeRecord, problems: ProblemCollector, name: str = "identifiant") -> bool:
    if text == "" or ACTION_ID_RE.match(text):
        return True
    record.problem(problems, name, f"identifiant invalide « {text} » (attendu : des numéros séparés par des points, comme 6.1.2)")
    return False


def add_missing_ancestors(records: list[NodeRecord], nom: str, all_levels: bool) -> list[NodeRecord]:
    """Create the root (titled by `root_title`) when absent and, with `all_levels`, every missing
    ancestor with a neutral title ("Axe 6", "Sous-axe 6.1"), just before the first node that
    needed it (so sibling order follows reading order). A created node points to that node's
    file and line."""
    if not records:
        return records
    known = {r.action_id for r in records}
    result: list[NodeRecord] = []
    if "" not in known:
        result.append(NodeRecord("", root_title(nom), records[0].source_file, records[0].source_line))
        known.add("")
    for record in records:
        chain = []
        parent = parent_of(record.action_id)
        while all_levels and parent is not None and parent not in known:
            chain.append(parent)
            parent = parent_of(parent)
        for action_id in reversed(chain):
            title = f"Axe {action_id}" if "." not in action_id else f"Sous-axe {action_id}"
            result.append(NodeRecord(action_id, title, record.source_file, record.source_line))
            known.add(action_id)
        result.append(record)
    return result


def assemble_tree(records: list[NodeRecord], problems: ProblemCollector, warnings: ProblemCollector | None = None,
                  regles: Regles = REGLES_CLASSIQUES, shares_from_points: bool = False) -> pd.DataFrame:
    """Check and assemble the records (reading order) into the nodes table of model.py.
    Every problem goes to `problems` (the caller raises when there are any), every warning to
    `warnings`. `shares_from_points` (CSV): sous-actions giving `points` but no `pourcentage`
    under a mesure with points get pourcentage = points / mesure points × 100."""
    warnings = warnings if warnings is not None else ProblemCollector()
    # Files that already have problems are not checked for shares: a refused sous-action would
    # make its mesure's shares look wrong too.
    flawed_files = {p.file for p in problems.problems}
    before = len(problems.problems)
    by_id: dict[str, NodeRecord] = {}
    kept: list[NodeRecord] = []
    doubled: set[str] = set()
    for record in records:
        first = by_id.get(record.action_id)
        if first is not None:
            doubled.add(record.action_id)
            if parent_of(record.action_id) in doubled:
                continue  # numbered tâches of a doubled sous-action: one message is enough
            first_line = first.locate("identifiant")[0]
            where = (f"ligne {first_line}" if first.source_file == record.source_file
                     else f"dans {first.source_file} ligne {first_line}")
            record.problem(problems, "identifiant",
                           f"identifiant en double « {record.action_id} » (déjà défini {where})")
            continue
        by_id[record.action_id] = record
        kept.append(record)
    missing: set[str] = set()
    for record in kept:
        parent = parent_of(record.action_id)
        if parent is not None and parent not in by_id and parent not in missing:
            missing.add(parent)  # one message per missing parent, not one per child
            record.problem(problems, "identifiant",
                           f"parent inconnu « {parent} » pour « {record.action_id} » : aucun nœud ne porte cet identifiant")
    if "" not in by_id:
        first = kept[0] if kept else None
        problems.add(first.source_file if first else "", None, None, "référentiel sans racine")
    if len(problems.problems) > before:
        return _frame([])

    frame = _frame(kept)
    try:
        frame["niveau"] = pd.Series(assign_niveaux(frame, regles), dtype="object")
    except ValueError:
        problems.add(kept[0].source_file, None, None,
                     "référentiel sans points ni pourcentages : impossible de calculer les points")
        return _frame([])
    if shares_from_points:
        _shares_from_points(frame, by_id)
    _check_points_and_shares(frame, by_id, regles, problems, flawed_files)
    if problems:
        return frame
    frame["point_referentiel"] = compute_points(frame, regles)
    if regles.points_sur_sous_actions:
        _warn_written_points(frame, by_id, regles, warnings)
    return frame


# --- levels -----------------------------------------------------------------------------------

TE_NIVEAUX_BY_DEPTH = ("referentiel", "axe", "sous-axe", "mesure", "sous-action")


def assign_niveaux(nodes: pd.DataFrame, regles: Regles = REGLES_CLASSIQUES) -> list[str]:
    """The canonical `niveau` of every node (pre-order frame), read from the data (see the
    module docstring). Raises ValueError when nothing says where the mesures are."""
    depth = nodes["depth"].to_numpy()
    if regles.points_sur_sous_actions:
        return [TE_NIVEAUX_BY_DEPTH[d] if d < len(TE_NIVEAUX_BY_DEPTH) else "tache" for d in depth]
    parent = _parent_positions(nodes)
    n = len(depth)
    has_share = nodes["pourcentage"].notna().to_numpy()
    has_points = (nodes["points_declares"].notna() & (nodes["depth"] > 0)).to_numpy()
    # Pre-order: a parent is always met before its children.
    share_above = np.zeros(n, dtype=bool)  # some strict ancestor carries a pourcentage
    for i in range(n):
        p = parent[i]
        share_above[i] = p >= 0 and (has_share[p] or share_above[p])
    mesure = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(has_share & ~share_above):
        if parent[i] > 0:  # a share on an axis names no mesure
            mesure[parent[i]] = True
    mesure &= ~_has_flagged_ancestor(mesure, parent)
    if mesure.any():
        counts = Counter(depth[mesure].tolist())
        usual = min(counts, key=lambda d: (-counts[d], d))
    elif has_points.any():
        usual = int(depth[has_points].min())
    else:
        raise ValueError("référentiel sans points ni pourcentages")
    resolved = mesure | _has_flagged_ancestor(mesure, parent) | _has_flagged_descendant(mesure, parent)
    mesure |= (depth == usual) & ~resolved
    distance = np.full(n, -1)  # levels below the nearest mesure (0: the mesure itself)
    niveaux = []
    for i in range(n):
        p = parent[i]
        if mesure[i]:
            distance[i] = 0
        elif p >= 0 and distance[p] >= 0:
            distance[i] = distance[p] + 1
        if p < 0:
            niveaux.append("referentiel")
        elif distance[i] == 0:
            niveaux.append("mesure")
        elif distance[i] == 1:
            niveaux.append("sous-action")
        elif distance[i] >= 2:
            niveaux.append("tache")
        else:
            niveaux.append("axe" if depth[i] == 1 else "sous-axe")
    return niveaux


def _parent_positions(nodes: pd.DataFrame) -> np.ndarray:
    index = pd.Index(nodes["action_id"].astype(object))
    parents = nodes["parent_id"].astype(object)
    return index.get_indexer(pd.Index(parents.where(parents.notna(), "\0root"), dtype=object))


def _has_flagged_ancestor(flag: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Pre-order frame: True where some strict ancestor is flagged."""
    result = np.zeros(len(flag), dtype=bool)
    for i in range(len(flag)):
        p = parent[i]
        result[i] = p >= 0 and (flag[p] or result[p])
    return result


def _has_flagged_descendant(flag: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Pre-order frame: True where some strict descendant is flagged."""
    result = np.zeros(len(flag), dtype=bool)
    for i in reversed(range(len(flag))):
        p = parent[i]
        if p >= 0 and (flag[i] or result[i]):
            result[p] = True
    return result


def _frame(records: list[NodeRecord]) -> pd.DataFrame:
    """Records → DataFrame in pre-order with depth, parent, ordre (niveau and points set later)."""
    if not records:
        return nodes_frame([])
    children: dict[str, list[int]] = defaultdict(list)
    for position, record in enumerate(records):
        parent = parent_of(record.action_id)
        if parent is not None:
            children[parent].append(position)
    ordre = [0] * len(records)
    for siblings in children.values():
        for rank, position in enumerate(siblings):
            ordre[position] = rank
    order: list[int] = []
    stack = [next(i for i, r in enumerate(records) if r.action_id == "")]
    while stack:
        position = stack.pop()
        order.append(position)
        stack.extend(reversed(children.get(records[position].action_id, [])))
    rows = []
    for position in order:
        r = records[position]
        row = {
            "action_id": r.action_id,
            "parent_id": parent_of(r.action_id),
            "depth": 0 if r.action_id == "" else r.action_id.count(".") + 1,
            "niveau": None,
            "ordre": ordre[position],
            "nom": r.nom,
            "description": r.description,
            "textes": dict(r.textes),
            "categorie": r.categorie,
            "points_declares": float(r.points_declares),
            "pourcentage": float(r.pourcentage),
            "point_referentiel": math.nan,
            "collectivite_type": r.collectivite_type,
            "climat_pratic_id": r.climat_pratic_id,
            "source_file": r.source_file,
            "source_line": int(r.source_line),
        }
        row.update(r.attributes)
        rows.append(row)
    return nodes_frame(rows)


INT_COLUMNS = ("depth", "ordre", "source_line")
FLOAT_COLUMNS = ("points_declares", "pourcentage", "point_referentiel")
BOOLEAN_COLUMNS = ("coremeasure", "nouvelle_action")


def nodes_frame(rows: list[dict]) -> pd.DataFrame:
    """Text columns stay `object` so that None stays None (pandas 3 would infer `str` and turn
    the root's parent_id into NaN). Attribute columns a row lacks are None / <NA>."""
    data = {}
    for column in ALL_NODE_COLUMNS:
        values = [row.get(column) for row in rows]
        if column in INT_COLUMNS:
            data[column] = pd.Series(values, dtype="int64")
        elif column in FLOAT_COLUMNS:
            data[column] = pd.Series(values, dtype="float64")
        elif column in BOOLEAN_COLUMNS:
            data[column] = pd.Series(values, dtype="boolean")
        else:
            data[column] = pd.Series(values, dtype="object")
    return pd.DataFrame(data)


# --- checks -----------------------------------------------------------------------------------

def _shares_from_points(frame: pd.DataFrame, by_id: dict[str, NodeRecord]) -> None:
    """CSV: children of a mesure with points that give `points` but no `pourcentage` get
    pourcentage = points / mesure points × 100 (their points stay authoritative for the split:
    points not adding up to the mesure total are then refused as shares not adding to 100)."""
    points = dict(zip(frame["action_id"], frame["points_declares"]))
    is_mesure = dict(zip(frame["action_id"], frame["niveau"] == "mesure"))
    update = []
    for position, (action_id, parent, own_points, share) in enumerate(zip(
            frame["action_id"], frame["parent_id"], frame["points_declares"], frame["pourcentage"])):
        if parent is None or not is_mesure.get(parent) or math.isnan(own_points) or not math.isnan(share):
            continue
        total = points[parent]
        if math.isnan(total) or total <= 0:
            continue
        record = by_id[action_id]
        record.pourcentage = own_points / total * 100.0
        record.lines["pourcentage"] = record.source_line
        record.columns["pourcentage"] = record.columns.get("points", record.column)
        update.append((position, record.pourcentage))
    for position, share in update:
        frame.loc[position, "pourcentage"] = share


def _check_points_and_shares(frame: pd.DataFrame, by_id: dict[str, NodeRecord], regles: Regles,
                             problems: ProblemCollector, flawed_files: set[str]) -> None:
    """Classic: every mesure has points (when the referential declares any); the shares of a
    mesure's sous-actions, and of any children once one of them gives a share, add up to 100.
    TE: every sous-mesure has points."""
    label = {code: regles.niveau_labels[code] for code in regles.niveau_labels}
    niveau = dict(zip(frame["action_id"], frame["niveau"]))
    if regles.points_sur_sous_actions:
        for action_id, points in frame.loc[frame["niveau"] == "sous-action", ["action_id", "points_declares"]].itertuples(
                index=False):
            if math.isnan(points):
                by_id[action_id].problem(problems, "points",
                                         f"points manquants pour la {label['sous-action'][0]} « {action_id} »")
        return
    mesures = frame[frame["niveau"] == "mesure"]
    declares_points = mesures["points_declares"].notna().any()
    for action_id, points in mesures[["action_id", "points_declares"]].itertuples(index=False):
        if declares_points and math.isnan(points):
            by_id[action_id].problem(problems, "points", f"points manquants pour la mesure « {action_id} »")
    ids = frame["action_id"].tolist()
    share = frame["pourcentage"].to_numpy(dtype=float)
    children: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(_parent_positions(frame)):
        if p >= 0:
            children[p].append(i)
    for position in np.flatnonzero(frame["niveau"].isin(NIVEAUX_MESURE_ET_DESSOUS).to_numpy()):
        action_id = ids[position]
        record = by_id[action_id]
        kids = children.get(position)
        if not kids or record.source_file in flawed_files:
            continue
        shares = share[kids]
        if niveau[action_id] != "mesure" and np.isnan(shares).all():
            continue  # tâches without shares: explicit points or an equal split
        missing = [k for k in kids if math.isnan(share[k])]
        for k in missing:
            kid_label = label[niveau[ids[k]]][0]
            by_id[ids[k]].problem(problems, "pourcentage", f"pourcentage manquant pour la {kid_label} « {ids[k]} »")
        if not missing:
            total = float(sum(shares))
            if abs(total - 100.0) > SHARE_TOLERANCE:
                kids_label = label[niveau[ids[kids[0]]]][1]
                record.problem(
                    problems, "pourcentage",
                    f"les pourcentages des {kids_label} de la {label[niveau[action_id]][0]} « {action_id} » font "
                    f"{fr_number(total)} au lieu de 100",
                )


def _warn_written_points(frame: pd.DataFrame, by_id: dict[str, NodeRecord], regles: Regles,
                         warnings: ProblemCollector) -> None:
    """TE: a mesure whose written points differ from the sum of its sous-mesures (the sum is kept)."""
    mesures = frame[(frame["niveau"] == "mesure") & frame["points_declares"].notna()]
    singular, sous = regles.niveau_labels["sous-action"]
    parents = set(frame["parent_id"].dropna())
    for action_id, written, total in mesures[["action_id", "points_declares", "point_referentiel"]].itertuples(
            index=False):
        if abs(written - total) > POINTS_TOLERANCE:
            found = f"ses {sous} en font {fr_number(total)}" if action_id in parents else f"elle n'a aucune {singular}"
            by_id[action_id].problem(
                warnings, "points",
                f"mesure « {action_id} » : {fr_number(written)} points écrits, mais {found} ; la somme est retenue "
                f"(points lus sur les {sous} seulement)")


POINTS_TOLERANCE = 1e-6  # written points against sums of decimal points (0.6 + 1.2 + …)


# --- points -----------------------------------------------------------------------------------

def compute_points(nodes: pd.DataFrame, regles: Regles = REGLES_CLASSIQUES) -> np.ndarray:
    """point_referentiel of every node (same order as `nodes`), per scoring.md §1 and the
    module docstring; `niveau` must be set."""
    niveau = nodes["niveau"].to_numpy(dtype=object)
    declared = nodes["points_declares"].to_numpy(dtype=float)
    share = nodes["pourcentage"].to_numpy(dtype=float)
    parent = _parent_positions(nodes)
    children: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(parent):
        if p >= 0:
            children[p].append(i)
    n = len(niveau)
    points = np.zeros(n)
    if regles.points_sur_sous_actions:
        summed = {"referentiel", "axe", "sous-axe", "mesure"}
        for i in range(n):  # pre-order: a parent is always met before its children
            if niveau[i] == "sous-action":
                points[i] = declared[i]
            if niveau[i] in ("sous-action", "tache") and children.get(i):
                kids = children[i]
                pourcentage = 100 / len(kids)  # the platform's equal split, same float path
                for k in kids:
                    points[k] = points[i] * pourcentage / 100
    else:
        summed = {"referentiel", "axe", "sous-axe"}
        mesure = niveau == "mesure"
        declares = bool(np.any(mesure & ~np.isnan(declared)))
        for i in range(n):
            if mesure[i]:
                points[i] = declared[i] if declares else 100.0
            if niveau[i] in NIVEAUX_MESURE_ET_DESSOUS and children.get(i):
                _split(points, i, children[i], declared, share)
    for i in reversed(range(n)):
        if niveau[i] in summed:
            total = 0.0
            for k in children.get(i, []):  # one after the other, in reading order
                total += points[k]
            points[i] = total
    return points


def _split(points: np.ndarray, parent: int, kids: list[int], declared: np.ndarray, share: np.ndarray) -> None:
    live = [k for k in kids if share[k] != 0 and declared[k] != 0]
    for k in kids:
        points[k] = 0.0
    if any(not math.isnan(share[k]) for k in live):
        for k in live:
            if not math.isnan(share[k]):
                points[k] = share[k] / 100.0 * points[parent]
            elif not math.isnan(declared[k]):
                points[k] = declared[k]
    elif any(not math.isnan(declared[k]) for k in live):
        for k in live:
            points[k] = 0.0 if math.isnan(declared[k]) else declared[k]
    elif live:
        for k in live:
            points[k] = points[parent] / len(live)
