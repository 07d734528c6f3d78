"""Score analytics for the score pages: pure, vectorised functions over the long scores frame.

Input is the engine's long frame of many evaluations (`services.all_scores` or
`services.compute_scores(..., toutes=True)`): one row per (collectivite, date, node) with
`action_id`, `niveau`, `point_potentiel`, `point_fait`, `point_programme`, `point_pas_fait`,
`point_non_renseigne`, `concerne`, `desactive`, and optionally `nom` / `categorie` (added by
`all_scores`; otherwise pass the referential's `nodes`). Points stay unrounded; ratios are
0–1 (`part_fait` is the score réalisé). No function loops over rows.
"""

from __future__ import annotations

from datetime import date as Date

import numpy as np
import pandas as pd

from .evaluation.statuses import LABELS as _STATUT_WORDS
from .referentiel.model import CATEGORIES

KEYS = ["collectivite", "date"]
POINTS = ["point_fait", "point_programme", "point_pas_fait", "point_non_renseigne"]
PARTS = ["part_fait", "part_programme", "part_pas_fait", "part_non_renseigne"]
NIVEAUX = ("referentiel", "axe", "sous-axe", "mesure", "sous-action", "tache")
# Below this, a difference of points is float noise, not a move.
EPSILON = 1e-9

# Display labels of status codes, from the one list of status words (evaluation/statuses.py).
STATUT_LABELS = {code: word[:1].upper() + word[1:] for code, word in _STATUT_WORDS.items()}


def statut_label(code: str | None) -> str:
    """« Fait », « Programmé »…; no status reads « Non renseigné »."""
    if code is None or (isinstance(code, float) and code != code):
        return STATUT_LABELS["non_renseigne"]
    return STATUT_LABELS.get(code, str(code))


# --------------------------------------------------------------------------- helpers
# Public: comites.py and rapports/ build their tables with them.


def ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """numerator / denominator element-wise, 0 where the denominator is not positive."""
    num = numerator.to_numpy(dtype=np.float64)
    den = denominator.to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def with_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """part_x = point_x / point_potentiel (0 when the potential is 0). They add up to 1 for
    any concerné node, except where a score rule (scoring.md §4) lowered point_fait alone."""
    frame = frame.copy()
    for point, part in zip(POINTS, PARTS):
        if point in frame.columns:
            frame[part] = ratio(frame[point], frame["point_potentiel"])
    return frame


def _timestamp(value: Date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value)


def _level_rows(scores: pd.DataFrame, niveau: str, parent: str | None = None) -> pd.DataFrame:
    if niveau not in NIVEAUX:
        raise ValueError(f"niveau inconnu « {niveau} » (attendus : {', '.join(NIVEAUX)})")
    rows = scores[(scores["niveau"] == niveau).to_numpy()]
    rows = rows.assign(action_id=rows["action_id"].astype(str))
    if parent:
        rows = rows[rows["action_id"].str.startswith(parent + ".").to_numpy()]
    return rows


def _attach(frame: pd.DataFrame, nodes: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    """Bring node attributes (`nom`, `categorie`, `niveau`) the scores frame lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    if nodes is None:
        raise ValueError("colonnes " + ", ".join(missing) + " absentes : passez les nœuds du référentiel (nodes)")
    extra = nodes[["action_id", *missing]].assign(action_id=nodes["action_id"].astype(str))
    return frame.merge(extra, on="action_id", how="left", sort=False)


def order_of(nodes_or_scores: pd.DataFrame) -> pd.Series:
    """Referential order of the ids (position of their first appearance)."""
    ids = nodes_or_scores["action_id"].astype(str).drop_duplicates()
    return pd.Series(np.arange(len(ids)), index=pd.Index(ids.to_numpy(), dtype=object))


def in_order(frame: pd.DataFrame, order: pd.Series, by: list[str]) -> pd.DataFrame:
    """Sort by `by`, then referential order."""
    frame = frame.assign(_order=frame["action_id"].map(order).to_numpy())
    return frame.sort_values([*by, "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------- scores


def global_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per (collectivite, date): the root's potential and four points, and their parts of the
    potential (`part_fait` is the collectivity's score réalisé)."""
    root = scores[(scores["niveau"] == "referentiel").to_numpy()]
    out = with_parts(root[[*KEYS, "point_potentiel", *POINTS]])
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)


def scores_by_level(scores: pd.DataFrame, niveau: str, parent: str | None = None,
                    nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (collectivite, date, node) of one level: the axes, the mesures, or with `parent`
    the nodes of that level below it (e.g. the mesures of axe "3")."""
    rows = _level_rows(scores, niveau, parent)
    rows = _attach(rows, nodes, ["nom"])
    out = with_parts(rows[[*KEYS, "action_id", "nom", "point_potentiel", *POINTS, "concerne"]])
    return in_order(out, order_of(scores if nodes is None else nodes), KEYS)


def scores_by_axis(scores: pd.DataFrame, axe: str | None = None, nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The second radar: by axe, or by mesure of one axe when `axe` is given."""
    if axe:
        return scores_by_level(scores, "mesure", parent=axe, nodes=nodes)
    return scores_by_level(scores, "axe", nodes=nodes)


def scores_by_category(scores: pd.DataFrame, nodes: pd.DataFrame | None = None,
                       axe: str | None = None) -> pd.DataFrame:
    """Per (collectivite, date, categorie): sums over the sous-actions of that category
    (bases / mise en œuvre / effets), optionally of one axe, and their parts of the potential.
    Every category of the referential appears for every evaluation (0 when it has no points)."""
    rows = _level_rows(scores, "sous-action", axe)
    rows = _attach(rows, nodes, ["categorie"])
    rows = rows[rows["categorie"].notna().to_numpy()]
    sums = rows.groupby([*KEYS, "categorie"], sort=False, observed=True)[["point_potentiel", *POINTS]].sum()
    sums = sums.reset_index()
    source = nodes if nodes is not None else scores
    present = source["categorie"].dropna().unique() if "categorie" in source.columns else []
    categories = [c for c in CATEGORIES if c in set(present)] + sorted(set(present) - set(CATEGORIES))
    keys = scores[KEYS].drop_duplicates()
    grid = keys.merge(pd.DataFrame({"categorie": categories}), how="cross")
    out = grid.merge(sums, on=[*KEYS, "categorie"], how="left")
    out[["point_potentiel", *POINTS]] = out[["point_potentiel", *POINTS]].fillna(0.0)
    out["categorie"] = pd.Categorical(out["categorie"], categories=categories, ordered=True)
    out = with_parts(out)
    return out.sort_values([*KEYS, "categorie"], kind="stable").reset_index(drop=True)


def history(scores: pd.DataFrame, niveau: str = "referentiel", ids: list[str] | None = None,
            nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long frame for time lines: one row per (collectivite, node, date) of one level."""
    rows = _level_rows(scores, niveau)
    if ids is not None:
        rows = rows[rows["action_id"].isin([str(i) for i in ids]).to_numpy()]
    rows = _attach(rows, nodes, ["nom"])
    out = with_parts(rows[[*KEYS, "action_id", "nom", "point_potentiel", "point_fait", "point_programme"]])
    order = order_of(scores if nodes is None else nodes)
    out = out.assign(_order=out["action_id"].map(order).to_numpy())
    out = out.sort_values(["collectivite", "_order", "date"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------- two dates


def compare_dates(scores: pd.DataFrame, date_avant, date_apres, niveau: str = "mesure",
                  nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (collectivite, node) of one level evaluated at both dates: points and part fait
    before and after, and their differences (after − before)."""
    rows = _level_rows(scores, niveau)
    fields = ["point_potentiel", "point_fait", "point_programme"]
    before = rows[(rows["date"] == _timestamp(date_avant)).to_numpy()]
    after = rows[(rows["date"] == _timestamp(date_apres)).to_numpy()]
    before = before.assign(part_fait=ratio(before["point_fait"], before["point_potentiel"]))
    after = after.assign(part_fait=ratio(after["point_fait"], after["point_potentiel"]))
    pair = before[["collectivite", "action_id", *fields, "part_fait"]].merge(
        after[["collectivite", "action_id", *fields, "part_fait"]],
        on=["collectivite", "action_id"], suffixes=("_avant", "_apres"), sort=False)
    for field in [*fields, "part_fait"]:
        delta = pair[f"{field}_apres"] - pair[f"{field}_avant"]
        pair[f"delta_{field}"] = delta.where(delta.abs() > EPSILON, 0.0)
    pair = _attach(pair, nodes if "nom" not in rows.columns else rows[["action_id", "nom"]].drop_duplicates(), ["nom"])
    columns = ["collectivite", "action_id", "nom"]
    for field in ["point_fait", "part_fait", "point_programme", "point_potentiel"]:
        columns += [f"{field}_avant", f"{field}_apres", f"delta_{field}"]
    return in_order(pair[columns], order_of(scores if nodes is None else nodes), ["collectivite"])


def biggest_moves(scores: pd.DataFrame, before_date, after_date, niveau: str = "mesure", n: int = 5,
                  nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per collectivity, the `n` nodes of `niveau` whose point_fait changed most in absolute
    value between the two dates (then by change of part fait, then in referential order).
    Nodes that did not move are left out."""
    pair = compare_dates(scores, before_date, after_date, niveau, nodes)
    moved = pair[((pair["delta_point_fait"] != 0) | (pair["delta_part_fait"] != 0)).to_numpy()]
    # Rounded keys: equal moves must not be ordered by float noise.
    ranked = moved.assign(
        _points=moved["delta_point_fait"].abs().round(9), _part=moved["delta_part_fait"].abs().round(9),
        _order=np.arange(len(moved)),
    ).sort_values(["collectivite", "_points", "_part", "_order"], ascending=[True, False, False, True],
                  kind="stable")
    top = ranked.groupby("collectivite", sort=False).head(n)
    return top.drop(columns=["_points", "_part", "_order"]).reset_index(drop=True)


def points_delta_by_mesure(scores: pd.DataFrame, date_a, date_b, nodes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Points fait gained (> 0) or lost (< 0) per mesure between two dates, in referential
    order; mesures whose point_fait did not change are left out."""
    pair = compare_dates(scores, date_a, date_b, "mesure", nodes)
    changed = pair[(pair["delta_point_fait"] != 0).to_numpy()]
    return changed[["collectivite", "action_id", "nom", "point_fait_avant", "point_fait_apres",
                    "delta_point_fait", "delta_part_fait", "delta_point_programme"]].reset_index(drop=True)


# --------------------------------------------------------------------------- statuses


STATUS_COLUMNS = ["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"]


def _percent(values: pd.Series) -> pd.Series:
    """0.6 → "60 %", 0.125 → "12,5 %" (one decimal, French comma), vectorised."""
    text = (values.astype(float) * 100).round(1).astype(str).str.replace(r"\.0$", "", regex=True)
    return text.str.replace(".", ",", regex=False) + "\u00a0%"


def status_texts(statuses: pd.DataFrame) -> pd.Series:
    """The French text of each status row; a détaillé status shows its shares:
    « Détaillé (fait 60 %, programmé 30 %, pas fait 10 %) »."""
    codes = statuses["statut"].astype(object).where(statuses["statut"].notna(), "non_renseigne")
    text = codes.map(STATUT_LABELS).fillna(codes.astype(str))
    detail = (codes == "detaille").to_numpy()
    if detail.any():
        part = statuses.loc[detail]
        shares = ("fait " + _percent(part["fait"].fillna(0)) + ", programmé " + _percent(part["programme"].fillna(0))
                  + ", pas fait " + _percent(part["pas_fait"].fillna(0)))
        text = text.astype(object)
        text.loc[detail] = STATUT_LABELS["detaille"] + " (" + shares + ")"
    return text


def _normalised_statuses(statuses: pd.DataFrame | None) -> pd.DataFrame:
    if statuses is None or len(statuses) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in STATUS_COLUMNS})
    out = statuses.copy()
    for column in STATUS_COLUMNS:
        if column not in out.columns:
            out[column] = np.nan if column in ("fait", "programme", "pas_fait") else ""
    out["action_id"] = out["action_id"].astype(str)
    out["commentaire"] = out["commentaire"].fillna("").astype(str)
    return out[STATUS_COLUMNS].drop_duplicates("action_id", keep="last")


def compare_statuses(statuses_a: pd.DataFrame | None, statuses_b: pd.DataFrame | None,
                     nodes: pd.DataFrame) -> pd.DataFrame:
    """The nodes whose status changed from evaluation A to evaluation B, in referential order:
    action_id, nom, niveau, statut_avant, statut_apres (French texts; a node without a row
    reads « Non renseigné », so rows that appear or disappear count), code_avant, code_apres,
    commentaire_avant, commentaire_apres. Rows on ids the referential lacks are ignored (the
    engine ignores them too)."""
    a, b = _normalised_statuses(statuses_a), _normalised_statuses(statuses_b)
    pair = a.merge(b, on="action_id", how="outer", suffixes=("_avant", "_apres"), sort=False)
    texts = {}
    for side in ("avant", "apres"):
        part = pair[[f"{c}_{side}" for c in ("statut", "fait", "programme", "pas_fait")]]
        part.columns = ["statut", "fait", "programme", "pas_fait"]
        texts[side] = status_texts(part)
    out = pd.DataFrame({
        "action_id": pair["action_id"],
        "statut_avant": texts["avant"].to_numpy(), "statut_apres": texts["apres"].to_numpy(),
        "code_avant": pair["statut_avant"].fillna("non_renseigne").to_numpy(),
        "code_apres": pair["statut_apres"].fillna("non_renseigne").to_numpy(),
        "commentaire_avant": pair["commentaire_avant"].fillna("").to_numpy(),
        "commentaire_apres": pair["commentaire_apres"].fillna("").to_numpy(),
    })
    out = out[(out["statut_avant"] != out["statut_apres"]).to_numpy()]
    node_info = nodes[["action_id", "nom", "niveau"]].assign(action_id=nodes["action_id"].astype(str))
    out = out.merge(node_info, on="action_id", how="inner", sort=False)
    out = in_order(out, order_of(nodes), [])
    return out[["action_id", "nom", "niveau", "statut_avant", "statut_apres", "code_avant", "code_apres",
                "commentaire_avant", "commentaire_apres"]]


# --------------------------------------------------------------------------- pages (score)

# Codes of `mesure_detail` beyond the status codes, with their French texts.
DETAIL_CODE_LABELS = {
    "desactive": "Désactivé par la personnalisation",
    "par_taches": "Évalué tâche par tâche",
}
DETAIL_COLUMNS = [
    "action_id", "parent_id", "niveau", "nom", "description", "textes", "categorie", "collectivite_type",
    "point_referentiel", "point_potentiel", *POINTS, *PARTS, "concerne", "desactive", "code", "statut",
    "commentaire", "masque",
]
_OWN_CODES = ("fait", "programme", "pas_fait", "detaille", "non_concerne")


def mesure_detail(scores: pd.DataFrame, statuses: pd.DataFrame | None, nodes: pd.DataFrame,
                  mesure_id: str) -> pd.DataFrame:
    """The mesure and every node under it at one evaluation, in referential order.

    `scores` are the engine's rows of one (collectivite, date) (other nodes are ignored),
    `statuses` that evaluation's rows (action_id, statut, fait, programme, pas_fait,
    commentaire). Columns DETAIL_COLUMNS: the node's texts, its points and parts, `code` = its
    own status code, or « desactive » (désactivé by personnalisation: wins over any status), or
    « par_taches » (no status of its own but nodes under it have some), else « non_renseigne »;
    `statut` its French text (a détaillé shows its shares); `commentaire` (or ""); `masque` true
    when a node above it, below the mesure, carries its own status, so its own does not count."""
    ids = nodes["action_id"].astype(str)
    inside = ((ids == mesure_id) | ids.str.startswith(mesure_id + ".")).to_numpy()
    tree = nodes[inside].assign(action_id=ids[inside])
    columns = ["action_id", "point_potentiel", *POINTS, "concerne", "desactive"]
    rows = scores[columns].assign(action_id=scores["action_id"].astype(str))
    out = tree.drop(columns=[c for c in columns[1:] if c in tree.columns]).merge(
        rows, on="action_id", how="left", sort=False)
    own = _normalised_statuses(statuses)
    own = own[own["action_id"].isin(out["action_id"]).to_numpy()]
    out = out.merge(own, on="action_id", how="left", sort=False)

    # Ancestors of the nodes that carry a status (a tâche's sous-action, the mesure…).
    with_status = own.loc[own["statut"].notna().to_numpy(), "action_id"]
    above: set[str] = set()
    current = with_status[with_status.str.contains(".", regex=False)]
    while len(current):
        current = current.str.rsplit(".", n=1).str[0]
        above.update(current)
        current = current[current.str.contains(".", regex=False)]

    codes = out["statut"].astype(object)
    desactive = out["desactive"].fillna(False).astype(bool).to_numpy()
    codes = codes.where(codes.notna(), np.where(out["action_id"].isin(above), "par_taches", "non_renseigne"))
    codes = codes.where(~desactive, "desactive")
    out["code"] = codes.to_numpy()
    texts = status_texts(out[["statut", "fait", "programme", "pas_fait"]].assign(
        statut=out["code"].where(out["code"].isin(list(STATUT_LABELS)), "non_renseigne")))
    extra = out["code"].map(DETAIL_CODE_LABELS)
    out["statut"] = extra.where(extra.notna(), texts).to_numpy()
    out["commentaire"] = out["commentaire"].fillna("").astype(str)

    parent_code = out["parent_id"].map(dict(zip(out["action_id"], out["code"])))
    out["masque"] = ((out["action_id"] != mesure_id) & (out["parent_id"] != mesure_id)
                     & parent_code.isin(_OWN_CODES)).to_numpy()
    for column in ("point_potentiel", *POINTS):
        out[column] = out[column].astype(float)
    out = with_parts(out)
    return out[DETAIL_COLUMNS].reset_index(drop=True)
