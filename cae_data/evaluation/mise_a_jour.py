"""What an evaluation file does to a collectivity's state (evaluation-csv.md): a file UPDATES it
by default — an action absent from the file keeps its status from the latest earlier
evaluation — and a file marked complete REPLACES it. Pure functions over tables.

A status given in the file takes its whole branch: the earlier statuses of that node, of its
ancestors and of its descendants are not carried over (a sous-action given « fait » does not
keep its tâches' old statuses, and tâches given in the file do not stay hidden under the
sous-action's old status, whose own status would win in the scoring). Those are « effacés »
(cleared); the other earlier statuses are « reportés » (carried over)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEY = ["collectivite", "date", "referentiel"]
STATUS_FIELDS = ["statut", "fait", "programme", "pas_fait", "commentaire"]
SHARES = ["fait", "programme", "pas_fait"]
CHANGE_COLUMNS = [*KEY, "action_id", "statut_avant", "statut_apres", "nature"]

# nature of a line of the preview
NOUVEAU, MODIFIE, INCHANGE, REPORTE, EFFACE = "nouveau", "modifié", "inchangé", "reporté", "effacé"


@dataclass
class Mise:
    """The statuses to write (KEY, action_id, STATUS_FIELDS) and what became of the earlier ones."""

    rows: pd.DataFrame
    carried: pd.DataFrame  # earlier statuses kept (KEY, action_id, STATUS_FIELDS)
    cleared: pd.DataFrame  # earlier statuses dropped (same columns)


def ancestors(ids: pd.Series) -> pd.DataFrame:
    """Every (action_id, ancestor) pair of dotted ids, the root excluded: « 6.1.1.2 » has 6.1.1,
    6.1 and 6. One vectorised step per level."""
    pairs = []
    current = pd.Series(pd.unique(ids.astype(str)), dtype=object)
    child = current
    while len(current):
        parent = current.str.rpartition(".")[0]
        keep = parent.ne("").to_numpy()
        child, parent = child[keep], parent[keep]
        pairs.append(pd.DataFrame({"action_id": child.to_numpy(), "ancestor": parent.to_numpy()}))
        current = parent
    if not pairs:
        return pd.DataFrame({"action_id": pd.Series(dtype=object), "ancestor": pd.Series(dtype=object)})
    return pd.concat(pairs, ignore_index=True)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.date
    out["action_id"] = out["action_id"].astype(str)
    return out


def merge(file_rows: pd.DataFrame, base_rows: pd.DataFrame, complet: bool) -> Mise:
    """The new state of each (collectivite, date, referentiel) of `file_rows` from the file and
    the earlier statuses `base_rows` (same key: the latest earlier evaluation's statuses)."""
    file_rows = _keyed(file_rows)[[*KEY, "action_id", *STATUS_FIELDS]]
    base = _keyed(base_rows)[[*KEY, "action_id", *STATUS_FIELDS]] if len(base_rows) else file_rows.iloc[0:0]
    if complet or base.empty:
        empty = base.iloc[0:0]
        return Mise(file_rows.reset_index(drop=True), empty, base[~_in_file(base, file_rows)].reset_index(drop=True)
                    if not base.empty else empty)
    same_node = _in_file(base, file_rows)
    # ancestors of a node of the file, and descendants of a node of the file
    file_ancestors = ancestors(file_rows["action_id"])
    above = file_rows[[*KEY, "action_id"]].merge(file_ancestors, on="action_id")[[*KEY, "ancestor"]]
    is_above = _member(base, above.rename(columns={"ancestor": "action_id"}))
    base_ancestors = ancestors(base["action_id"])
    below = base[[*KEY, "action_id"]].merge(base_ancestors, on="action_id")
    below = below.merge(file_rows[[*KEY, "action_id"]].rename(columns={"action_id": "ancestor"}), on=[*KEY, "ancestor"])
    is_below = _member(base, below[[*KEY, "action_id"]])
    carried = base[~(same_node | is_above | is_below)]
    cleared = base[(is_above | is_below) & ~same_node]
    rows = pd.concat([file_rows, carried], ignore_index=True)
    return Mise(rows, carried.reset_index(drop=True), cleared.reset_index(drop=True))


def _member(frame: pd.DataFrame, wanted: pd.DataFrame) -> np.ndarray:
    """Whether each row's (KEY, action_id) is in `wanted`."""
    marks = frame[[*KEY, "action_id"]].merge(wanted[[*KEY, "action_id"]].drop_duplicates().assign(_hit=True),
                                             on=[*KEY, "action_id"], how="left")["_hit"]
    return marks.fillna(False).to_numpy(dtype=bool)


def _in_file(base: pd.DataFrame, file_rows: pd.DataFrame) -> np.ndarray:
    return _member(base, file_rows)


def _status_text(frame: pd.DataFrame) -> pd.Series:
    """statut plus shares, to tell a change (« détaillé 40/30/30 » against « détaillé 50/50/0 »)."""
    text = frame["statut"].astype(str)
    detailed = frame["statut"].eq("detaille")
    if detailed.any():  # column by column (vectorised), not row by row
        parts = frame.loc[detailed, SHARES].astype(float).round(4).astype(str)
        shares = parts[SHARES[0]] + "/" + parts[SHARES[1]] + "/" + parts[SHARES[2]]
        text = text.where(~detailed, text + " " + shares)
    return text


def changes(before: pd.DataFrame, mise: Mise, file_rows: pd.DataFrame) -> pd.DataFrame:
    """One line per action whose state is shown in the preview: every status of the file
    (nouveau, modifié, inchangé), every earlier status carried over (reporté) and every status
    the new evaluation no longer has (effacé). `before` is the state at the evaluation's date as
    it stands (an evaluation already there at that date, else the latest earlier one)."""
    after = _keyed(mise.rows)
    before = _keyed(before)[[*KEY, "action_id", *STATUS_FIELDS]] if len(before) else after.iloc[0:0]
    merged = after[[*KEY, "action_id", "statut", *SHARES]].merge(
        before[[*KEY, "action_id", "statut", *SHARES]], on=[*KEY, "action_id"], how="outer",
        suffixes=("", "_avant"), indicator=True)
    texte_apres = _status_text(merged[["statut", *SHARES]])
    texte_avant = _status_text(merged[["statut_avant", "fait_avant", "programme_avant", "pas_fait_avant"]]
                               .set_axis(["statut", *SHARES], axis=1))
    from_file = _member(merged, _keyed(file_rows))
    nature = np.select(
        [merged["_merge"].eq("right_only"), ~from_file, merged["_merge"].eq("left_only"),
         texte_apres.eq(texte_avant)],
        [EFFACE, REPORTE, NOUVEAU, INCHANGE], default=MODIFIE)
    out = merged[[*KEY, "action_id"]].assign(
        statut_avant=merged["statut_avant"].astype(object).where(merged["statut_avant"].notna(), None),
        statut_apres=merged["statut"].astype(object).where(merged["statut"].notna(), None),
        nature=nature)
    return out.sort_values([*KEY, "action_id"], kind="stable").reset_index(drop=True)[CHANGE_COLUMNS]
