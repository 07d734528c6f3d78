"""Demo values and targets of the three indicators of the seed fiche (CAPSO, instance
territoriale Climat-Énergie), from 2021 to late November 2026, built so that every flag of the
indicator pages shows:

- partners who signed the charter: 2023 target (15) reached, 2026 target (40) reached in
  November 2026 (« atteinte »);
- members of the club climat: growing too slowly for the 2026 target of 60 (« en retard »,
  behind the trajectory);
- collective actions: counted each quarter, on course for 12 in 2026 (« en bonne voie ») but
  last counted in June 2026, so stale (no value for more than 90 days) in November.

In November 2026 the two first indicators get a value every week, before each weekly steering
committee (5, 12 and 19 November), so that the change since the previous committee differs
from one committee to the next.

The values go through `services.import_indicateur_values` as a CSV file, archived like any
upload; deterministic, so installing twice changes nothing."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

DEMO_FILENAME = "indicateurs-capso-demo.csv"

CHARTE = "nombre-partenaires-signataires-charte"
CLUB = "nombre-acteurs-partenaires-engages-sein-club-climat"
ACTIONS = "nombre-actions-collectives-portees"

DEMO_TARGETS = {
    CHARTE: {2023: 15, 2026: 40},
    CLUB: {2026: 60},
    ACTIONS: {2026: 12},
}
COMITE_DATES = [date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19)]

# Anchors (date, level) of each indicator, joined by straight lines and read once a month;
# November 2026 values are given one by one.
_ANCHORS = {
    CHARTE: [("2021-01-29", 2), ("2022-01-31", 7), ("2023-01-31", 11), ("2023-11-30", 16),
             ("2025-01-31", 24), ("2026-01-30", 30), ("2026-10-30", 37)],
    CLUB: [("2021-01-29", 5), ("2022-01-31", 11), ("2023-01-31", 16), ("2024-01-31", 21),
           ("2025-01-31", 25), ("2026-01-30", 29), ("2026-10-30", 33)],
}
_NOVEMBER = {
    CHARTE: [("2026-11-03", 37), ("2026-11-10", 38), ("2026-11-17", 40), ("2026-11-24", 41)],
    CLUB: [("2026-11-03", 34), ("2026-11-10", 35), ("2026-11-17", 37), ("2026-11-24", 38)],
}
# Collective actions, counted at the end of each quarter until June 2026.
_ACTIONS_QUARTERLY = [0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 10, 11, 11]
_ACTIONS_START = "2021-03-31"

_COMMENTS = {
    (CHARTE, "2023-11-30"): "Signatures lors du comité partenarial annuel",
    (CHARTE, "2026-11-17"): "Objectif 2026 atteint : trois nouvelles entreprises signataires",
    (CLUB, "2024-06-28"): "Relance de l'appel à participation",
    (CLUB, "2026-11-17"): "Deux associations rejoignent le club après la fête de l'énergie",
    (ACTIONS, "2026-06-30"): "Bilan semestriel du club climat",
}


def _monthly(anchors: list[tuple[str, float]]) -> pd.DataFrame:
    """The anchors' broken line read on the last business day of every month, rounded to whole
    numbers and never going down (a count of members or signatures)."""
    dates = pd.date_range(anchors[0][0], anchors[-1][0], freq="BME")
    x = (dates - dates[0]).days.to_numpy(dtype="float64")
    ax = np.array([(pd.Timestamp(d) - dates[0]).days for d, _ in anchors], dtype="float64")
    ay = np.array([v for _, v in anchors], dtype="float64")
    levels = np.maximum.accumulate(np.floor(np.interp(x, ax, ay) + 0.5))
    return pd.DataFrame({"date": dates, "valeur": levels})


def demo_values() -> pd.DataFrame:
    """Every demo value: indicateur_id, date (Timestamp), valeur, commentaire."""
    parts = []
    for indicateur_id, anchors in _ANCHORS.items():
        monthly = _monthly(anchors)
        november = pd.DataFrame(_NOVEMBER[indicateur_id], columns=["date", "valeur"])
        frame = pd.concat([monthly, november.assign(date=pd.to_datetime(november["date"]))], ignore_index=True)
        parts.append(frame.assign(indicateur_id=indicateur_id))
    quarters = pd.date_range(_ACTIONS_START, periods=len(_ACTIONS_QUARTERLY), freq="QE")
    parts.append(pd.DataFrame({"date": quarters, "valeur": np.array(_ACTIONS_QUARTERLY, dtype="float64"),
                               "indicateur_id": ACTIONS}))
    values = pd.concat(parts, ignore_index=True)
    keys = list(zip(values["indicateur_id"], values["date"].dt.strftime("%Y-%m-%d")))
    values["commentaire"] = [_COMMENTS.get(k, "") for k in keys]
    return values[["indicateur_id", "date", "valeur", "commentaire"]]


def demo_csv(today: date, known_ids: set[str] | None = None) -> bytes:
    """The demo file, as a chargé de mission would write it: `;`, French dates, one row per
    value dated up to `today`, then one row per target (dated 31 December of its year).
    Indicators missing from `known_ids` are left out."""
    values = demo_values()
    values = values[values["date"].dt.date <= today]
    rows = pd.DataFrame({
        "indicateur": values["indicateur_id"],
        "date": values["date"].dt.strftime("%d/%m/%Y"),
        "valeur": values["valeur"].map(lambda v: f"{v:g}"),
        "cible": "",
        "commentaire": values["commentaire"],
    })
    targets = pd.DataFrame(
        [(i, f"31/12/{year}", "", f"{value:g}", "") for i, goals in DEMO_TARGETS.items() for year, value in goals.items()],
        columns=rows.columns,
    )
    rows = pd.concat([rows, targets], ignore_index=True)
    if known_ids is not None:
        rows = rows[rows["indicateur"].isin(known_ids)]
    return rows.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8")
