"""Demo data for a fresh install: the CAPSO (an EPCI) with evaluations between 2024 and 2026
whose statuses move plausibly, built for whatever referential is loaded (the three seed
measures, or the full CAE referential once imported). Everything goes through the same import
path as a user's files, so the demo files are archived and listed like any upload.

Deterministic: the same referential gives the same files, so `pcaet init` run twice changes
nothing (re-importing an identical file is a no-op)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pandas as pd

from ..evaluation.statuses import LABELS as STATUT_LABELS
from ..referentiel.model import Referentiel

DEMO_COLLECTIVITE = "CAPSO"
DEMO_USER = "démo"
DEMO_PROFILE_YAML = """nom: CAPSO
type: EPCI
population: 105000
localisation: Metropole
"""
# Answers used only when the loaded referential has these questions (the full CAE one).
DEMO_ANSWERS = {"AOM_1": "oui", "centre_urbain": "oui", "dechets_1": "oui", "dechets_2": "oui", "dechets_3": "non"}

EVALUATION_DATES = [
    date(2024, 3, 15), date(2024, 9, 16), date(2025, 3, 17), date(2025, 9, 15),
    date(2026, 3, 16), date(2026, 9, 14), date(2026, 11, 10), date(2026, 11, 17),
]

# Nodes the first two stars require (scoring.md §5): the demo reaches them over time.
ETOILE_TASKS_EARLY = ["5.1.2.1.1", "5.1.1.1.3", "5.1.1.3.2", "1.1.2.0.1", "1.1.2.0.2"]
ETOILE_TASKS_LATER = ["1.1.1.1.1"]

LEVELS = ["non_renseigne", "pas_fait", "programme", "fait"]


def demo_profile_yaml(ref: Referentiel | None) -> str:
    text = DEMO_PROFILE_YAML
    if ref is not None and len(ref.questions):
        known = set(ref.questions["question_id"])
        answers = {k: v for k, v in DEMO_ANSWERS.items() if k in known}
        if answers:
            text += "reponses:\n" + "".join(f"  {k}: {v}\n" for k, v in answers.items())
    return text


def _progress_levels(rng: np.random.Generator, count: int, dates: list[date]) -> np.ndarray:
    """Level index (0 non renseigné … 3 fait) per item and date, never going backwards: each
    item matures at its own pace, measured in years since the first evaluation."""
    years = np.array([(d - dates[0]).days / 365.25 for d in dates])
    maturity = rng.beta(2.0, 3.0, size=count)
    speed = rng.uniform(0.02, 0.13, size=count)
    progress = maturity[:, None] + speed[:, None] * years[None, :] + rng.normal(0, 0.03, size=(count, len(dates)))
    levels = np.digitize(progress, [0.3, 0.5, 0.62])
    return np.maximum.accumulate(levels, axis=1)


def demo_statuses(ref: Referentiel, dates: list[date] = EVALUATION_DATES) -> dict[date, pd.DataFrame]:
    """One table of (action_id, statut, fait, programme, pas_fait, commentaire) per date."""
    rng = np.random.default_rng(20240315)
    nodes = ref.nodes
    sous_actions = nodes[nodes["niveau"] == "sous-action"].reset_index(drop=True)
    taches = nodes[nodes["niveau"] == "tache"]
    count = len(sous_actions)
    levels = _progress_levels(rng, count, dates)
    # A few sous-actions are not relevant for an EPCI, one is detailed by shares, and about a
    # fifth are evaluated task by task.
    etoile_parents = {t.rsplit(".", 1)[0] for t in ETOILE_TASKS_EARLY + ETOILE_TASKS_LATER}
    eligible = [i for i, a in enumerate(sous_actions["action_id"]) if a not in etoile_parents
                and not a.startswith("1.1.2")]
    pick = random.Random(42)
    non_concerne = set(pick.sample(eligible, max(1, count // 25)))
    remaining = [i for i in eligible if i not in non_concerne]
    detaille = pick.choice(remaining)
    by_tasks = set(pick.sample([i for i in remaining if i != detaille], max(1, count // 5)))
    by_tasks |= {i for i, a in enumerate(sous_actions["action_id"]) if a in etoile_parents}
    children = taches.groupby("parent_id")["action_id"].apply(list).to_dict()

    result = {}
    for t, when in enumerate(dates):
        rows = []
        for i, action_id in enumerate(sous_actions["action_id"]):
            if i in non_concerne:
                rows.append((action_id, "non_concerne", None, None, None, "Compétence non exercée par la CAPSO"))
            elif i == detaille:
                fait = min(0.2 + 0.1 * t, 0.9)
                programme = min(0.5, 1 - fait)
                rows.append((action_id, "detaille", fait, programme, round(1 - fait - programme, 6),
                             "Avancement partiel, détaillé en pourcentage"))
            elif i in by_tasks and children.get(action_id):
                rows.extend(_task_rows(rng_for(action_id), children[action_id], levels[i, t], t, len(dates)))
            elif levels[i, t] > 0:
                rows.append((action_id, LEVELS[levels[i, t]], None, None, None, ""))
        frame = pd.DataFrame(rows, columns=["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"])
        result[when] = _force_etoile_tasks(frame, ref, t)
    return result


def rng_for(action_id: str) -> random.Random:
    return random.Random(action_id)


def _task_rows(rng: random.Random, tasks: list[str], level: int, t: int, dates: int) -> list[tuple]:
    rows = []
    for task in tasks:
        offset = rng.choice([-1, 0, 0, 1])
        task_level = int(np.clip(level + offset + (1 if t >= dates - 2 and rng.random() < 0.3 else 0), 0, 3))
        if task_level > 0:
            rows.append((task, LEVELS[task_level], None, None, None, ""))
    return rows


def _force_etoile_tasks(frame: pd.DataFrame, ref: Referentiel, t: int) -> pd.DataFrame:
    """The star criteria become fait over time so that the demo gains its first stars."""
    known = set(ref.nodes["action_id"])
    wanted = {}
    if t >= 2:
        wanted.update({a: "fait" for a in ETOILE_TASKS_EARLY})
    elif t >= 1:
        wanted.update({a: "programme" for a in ETOILE_TASKS_EARLY})
    if t >= 4:
        wanted.update({a: "fait" for a in ETOILE_TASKS_LATER})
    wanted = {a: s for a, s in wanted.items() if a in known}
    if not wanted:
        return frame
    frame = frame[~frame["action_id"].isin(wanted)]
    extra = pd.DataFrame([(a, s, None, None, None, "") for a, s in wanted.items()], columns=frame.columns)
    return pd.concat([frame, extra], ignore_index=True)


def evaluation_csv(frame: pd.DataFrame, when: date) -> bytes:
    """The demo files look like a chargé de mission's export: `;`, cp1252, decimal commas."""
    out = pd.DataFrame({
        "Action": frame["action_id"],
        "Statut": frame["statut"].map(STATUT_LABELS),
        "Fait": (frame["fait"] * 100).map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ",")),
        "Programmé": (frame["programme"] * 100).map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ",")),
        "Pas fait": (frame["pas_fait"] * 100).map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ",")),
        "Date": when.strftime("%d/%m/%Y"),
        "Commentaire": frame["commentaire"].fillna(""),
    })
    return out.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252")
