"""What the end-to-end and national benchmarks share: a database with the official CAE
referential (read in place from ../shared/referentiels, never copied), collectivity profiles,
and weekly evaluations generated with numpy (whole arrays, no loop over evaluations).

Each collectivity evaluates about 69 % of the sous-actions (its own choice, kept from week to
week); each evaluated sous-action matures at its own pace (fait, programmé or pas fait, never
going backwards), a few are non concernées and one in a hundred is détaillé. That is about 224
status rows per evaluation of the CAE referential (325 sous-actions), as in issue 15.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from cae_data import services  # noqa: E402

REFERENTIELS = PROJECT.parent / "shared" / "referentiels"
LEVELS = np.array(["pas_fait", "programme", "fait"], dtype=object)


def official_referentiel_or_exit(what: str) -> None:
    if not (REFERENTIELS / "cae").is_dir():
        sys.exit(f"Référentiel CAE officiel absent ({REFERENTIELS / 'cae'}) : {what} a besoin du référentiel "
                 "complet, lu sur place dans ../shared/referentiels à côté du projet (jamais copié). Arrêt.")


def base_with_referentiel(path: Path) -> Path:
    """`pcaet init --no-demo` then the official CAE referential with its personnalisation rules
    and questions (the seed measures are replaced)."""
    services.init_database(path, demo=False)
    services.import_referentiel(path, REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                                questions=REFERENTIELS / "questions")
    services.init_database(path, demo=False)  # keeps the official referential
    return path


def weekly_dates(weeks: int, last: date) -> list[date]:
    first = last - timedelta(weeks=weeks - 1)
    return [first + timedelta(weeks=k) for k in range(weeks)]


def weekly_statuses(sous_actions: np.ndarray, collectivites: list[str], dates: list[date],
                    seed: int = 15) -> pd.DataFrame:
    """collectivite, date, referentiel, action_id, statut, fait, programme, pas_fait, commentaire
    for every collectivity and date (vectorised over collectivities × sous-actions × dates)."""
    rng = np.random.default_rng(seed)
    n_c, n_s, n_d = len(collectivites), len(sous_actions), len(dates)
    evaluated = rng.random((n_c, n_s)) < 0.69
    non_concerne = evaluated & (rng.random((n_c, n_s)) < 0.02)
    detaille = evaluated & ~non_concerne & (rng.random((n_c, n_s)) < 0.01)
    years = np.array([(d - dates[0]).days / 365.25 for d in dates])
    maturity = rng.beta(2.0, 3.0, size=(n_c, n_s))
    speed = rng.uniform(0.02, 0.5, size=(n_c, n_s))
    progress = maturity[..., None] + speed[..., None] * years[None, None, :] \
        + rng.normal(0, 0.03, size=(n_c, n_s, n_d))
    levels = np.maximum.accumulate(np.digitize(progress, [0.45, 0.62]), axis=2)  # 0 pas fait … 2 fait
    c, s = np.nonzero(evaluated)
    rows_c = np.repeat(c, n_d)
    rows_s = np.repeat(s, n_d)
    rows_d = np.tile(np.arange(n_d), len(c))
    statut = LEVELS[levels[rows_c, rows_s, rows_d]]
    statut = np.where(non_concerne[rows_c, rows_s], "non_concerne", statut)
    detail = detaille[rows_c, rows_s]
    statut = np.where(detail, "detaille", statut)
    fait = np.where(detail, np.minimum(0.2 + 0.02 * rows_d, 0.9), np.nan)
    programme = np.where(detail, np.minimum(0.5, 1 - fait), np.nan)
    frame = pd.DataFrame({
        "collectivite": pd.Categorical.from_codes(rows_c, categories=collectivites),
        "date": np.array(dates, dtype="datetime64[D]")[rows_d],
        "referentiel": "cae",
        "action_id": pd.Categorical.from_codes(rows_s, categories=list(sous_actions)),
        "statut": statut,
        "fait": fait, "programme": programme, "pas_fait": np.where(detail, np.round(1 - fait - programme, 6), np.nan),
        "commentaire": None,
    })
    return frame.sort_values(["date", "collectivite"], kind="stable").reset_index(drop=True)


def profile_yaml(nom: str, kind: str, population: int, dom: bool, answers: dict[str, str]) -> bytes:
    text = f"nom: {nom}\ntype: {kind}\npopulation: {population}\nlocalisation: {'DOM' if dom else 'Metropole'}\n"
    if answers:
        text += "reponses:\n" + "".join(f"  {k}: {v}\n" for k, v in answers.items())
    return text.encode("utf-8")
