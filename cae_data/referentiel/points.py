"""Tree assembly shared by every reader, and referential points (scoring.md §1).

Readers produce `NodeRecord`s (one per node, with where each field was read); `assemble_tree`
checks the structure (duplicate ids, unknown parents, shares of each mesure adding up to 100,
mesures without points), computes levels, sibling order and `point_referentiel`, and returns
the `nodes` DataFrame of model.py in pre-order (root, then depth-first in reading order).

Points (`compute_points`):
- the action level (model.action_depth) carries the declared points, or 100 when the
  referential declares none (seed documents alone);
- below it, a parent's points go to its children: a child with share 0 (pourcentage 0 or
  points 0) gets 0 and is left out; if some children give a `pourcentage`, each gets
  pourcentage/100 × parent (a child without one gets its explicit points, else 0); otherwise,
  if some give explicit `points`, those get them and the others 0; otherwise the parent's points
  are split equally;
- above it, every node is the sum of its children (CAE root: 500).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..tabular import parse_number, strip_accents
from .markdown_blocks import ACTION_ID_RE
from .model import CATEGORIES, NODE_COLUMNS, action_depth, niveau_for_depth, parent_of

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


def assemble_tree(records: list[NodeRecord], problems: ProblemCollector) -> pd.DataFrame:
    """Check and assemble the records (reading order) into the nodes table of model.py.
    Every problem goes to `problems`; the caller raises when there are any."""
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
        level = action_depth(frame)
    except ValueError:
        problems.add(kept[0].source_file, None, None,
                     "référentiel sans points ni pourcentages : impossible de calculer les points")
        return _frame([])
    frame["niveau"] = pd.Series([niveau_for_depth(d, level) for d in frame["depth"]], dtype="object")
    _check_points_and_shares(frame, kept, level, problems, flawed_files)
    if problems:
        return frame
    frame["point_referentiel"] = compute_points(frame)
    return frame


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
        rows.append({
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
        })
    return nodes_frame(rows)


INT_COLUMNS = ("depth", "ordre", "source_line")
FLOAT_COLUMNS = ("points_declares", "pourcentage", "point_referentiel")


def nodes_frame(rows: list[dict]) -> pd.DataFrame:
    """Text columns stay `object` so that None stays None (pandas 3 would infer `str` and turn
    the root's parent_id into NaN)."""
    data = {}
    for column in NODE_COLUMNS:
        values = [row[column] for row in rows]
        if column in INT_COLUMNS:
            data[column] = pd.Series(values, dtype="int64")
        elif column in FLOAT_COLUMNS:
            data[column] = pd.Series(values, dtype="float64")
        else:
            data[column] = pd.Series(values, dtype="object")
    return pd.DataFrame(data)


def _check_points_and_shares(frame: pd.DataFrame, records: list[NodeRecord], level: int,
                             problems: ProblemCollector, flawed_files: set[str]) -> None:
    """Every action-level node has points (when the referential declares any), and the shares
    of its sous-actions add up to 100."""
    by_id = {r.action_id: r for r in records}
    declares_points = frame.loc[frame["depth"] == level, "points_declares"].notna().any()
    children = frame.groupby("parent_id", sort=False)
    for action_id, points in frame.loc[frame["depth"] == level, ["action_id", "points_declares"]].itertuples(index=False):
        record = by_id[action_id]
        if declares_points and math.isnan(points):
            record.problem(problems, "points", f"points manquants pour la mesure « {action_id} »")
        if action_id not in children.groups or record.source_file in flawed_files:
            continue
        kids = children.get_group(action_id)
        missing = kids[kids["pourcentage"].isna()]
        for kid in missing["action_id"]:
            by_id[kid].problem(problems, "pourcentage", f"pourcentage manquant pour la sous-action « {kid} »")
        if missing.empty:
            total = float(kids["pourcentage"].sum())
            if abs(total - 100.0) > SHARE_TOLERANCE:
                record.problem(
                    problems, "pourcentage",
                    f"les pourcentages des sous-actions de la mesure « {action_id} » font "
                    f"{fr_number(total)} au lieu de 100",
                )


def compute_points(nodes: pd.DataFrame) -> np.ndarray:
    """point_referentiel of every node (same order as `nodes`), per scoring.md §1."""
    level = action_depth(nodes)
    ids = nodes["action_id"].tolist()
    depth = nodes["depth"].to_numpy()
    declared = nodes["points_declares"].to_numpy(dtype=float)
    share = nodes["pourcentage"].to_numpy(dtype=float)
    position = {action_id: i for i, action_id in enumerate(ids)}
    children: dict[int, list[int]] = defaultdict(list)
    for i, parent in enumerate(nodes["parent_id"].tolist()):
        if isinstance(parent, str):
            children[position[parent]].append(i)
    points = np.zeros(len(ids))
    # Pre-order: a parent is always met before its children.
    for i in range(len(ids)):
        if depth[i] == level:
            points[i] = declared[i] if not math.isnan(declared[i]) else 100.0
        if depth[i] >= level and children.get(i):
            _split(points, i, children[i], declared, share)
    for i in reversed(range(len(ids))):
        if depth[i] < level:
            points[i] = sum(points[k] for k in children.get(i, []))
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
