"""Scores and stars of evaluations, computed by the engine on whole tables (scoring/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .. import store
from ..errors import Refused
from ..personnalisation.profile import Profile
from ..referentiel.model import Referentiel
from ..scoring.engine import score_evaluations
from ..scoring.rounding import round_exact
from ..scoring.stars import CRITERES, referentiel_complet, stars
from ..store.evaluations import evaluation_keys_of, statuses_of_collectivite
from .common import require_referentiel

SCORE_FIELDS = [
    "referentiel", "action_id", "niveau", "point_referentiel", "point_potentiel", "point_fait",
    "point_programme", "point_pas_fait", "point_non_renseigne", "desactive", "concerne",
]
POINT_FIELDS = [f for f in SCORE_FIELDS if f.startswith("point_")]
STARS_COLUMNS = ["collectivite", "date", "score_realise", "score_programme", "etoiles", "prochaine_etoile",
                 "points_manquants", "criteres_manquants", "referentiel_complet"]
STATUS_FIELDS = ["subject", "action_id", "statut", "fait", "programme", "pas_fait"]


def score_subjects(ref: Referentiel, profiles: dict, keys: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """Score many evaluations at once; `keys` has collectivite, date, subject."""
    names = sorted(set(keys["collectivite"]))
    profile_list = [profiles.get(n) or Profile(nom=n) for n in names]
    subjects = keys.copy()
    subjects["profile"] = subjects["collectivite"].map({n: i for i, n in enumerate(names)})
    scores = score_evaluations(ref, profile_list, subjects[["subject", "profile"]], statuses)
    scores = scores.merge(subjects[["subject", "collectivite", "date"]], on="subject", how="left")
    scores.insert(0, "referentiel", ref.nom)
    return scores


def _numbered(keys: pd.DataFrame) -> pd.DataFrame:
    keys = keys.reset_index(drop=True)
    keys["subject"] = range(len(keys))
    return keys


def _statuses(con, referentiel: str, keys: pd.DataFrame) -> pd.DataFrame:
    if len(keys):
        return store.statuses_for(con, referentiel, keys)
    return pd.DataFrame(columns=STATUS_FIELDS)


def only_collectivite(names: list[str], collectivite: str | None, known: set[str]) -> str:
    """The collectivity a command is about: the one given (it must exist), else the only one."""
    if collectivite is not None:
        if collectivite not in known:
            raise Refused(f"Collectivité inconnue « {collectivite} ».")
        return collectivite
    if not names:
        raise Refused("Aucune collectivité dans la base : créez-la avec pcaet collectivite set.")
    if len(names) > 1:
        raise Refused("Plusieurs collectivités dans la base (" + ", ".join(names) + ") : précisez --collectivite.")
    return names[0]


def compute_scores(db_path: Path, referentiel: str = "cae", collectivite: str | None = None,
                   on_date: date | None = None, toutes: bool = False) -> pd.DataFrame:
    """Scores of every node, unrounded, with `collectivite` and `date` columns: every evaluation
    (`toutes`), or one collectivity's evaluation at `on_date` (its latest when None)."""
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
        profiles = store.load_profiles(con)
        evaluated = store.evaluation_keys(con, referentiel)
        if toutes:
            keys = evaluated
        else:
            names = sorted(set(evaluated["collectivite"])) or sorted(profiles)
            collectivite = only_collectivite(names, collectivite, set(profiles) | set(evaluated["collectivite"]))
            own = evaluated[evaluated["collectivite"] == collectivite]
            if on_date is not None:
                own = own[own["date"].dt.date == on_date] if len(own) else own
                if own.empty:
                    raise Refused(f"Aucune évaluation de « {collectivite} » au {on_date.strftime('%d/%m/%Y')}.")
            keys = pd.DataFrame({"collectivite": [collectivite], "date": [pd.NaT]}) if own.empty else own.tail(1)
        keys = _numbered(keys)
        statuses = _statuses(con, referentiel, keys)
    if keys.empty:
        return pd.DataFrame(columns=["collectivite", "date"] + SCORE_FIELDS)
    return score_subjects(ref, profiles, keys, statuses)


def scores_for_output(scores: pd.DataFrame, with_keys: bool) -> pd.DataFrame:
    """Fields of cli.md, points rounded to 3 decimals at the very end."""
    out = scores.copy()
    for column in POINT_FIELDS:
        out[column] = round_exact(out[column].astype(float).to_numpy(), 3) + 0.0  # + 0.0: no « -0.000 »
    fields = (["collectivite", "date"] if with_keys else []) + SCORE_FIELDS
    out = out[fields]
    if with_keys:
        out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out


def scores_csv(scores: pd.DataFrame, with_keys: bool) -> bytes:
    """`pcaet scores --format csv` (cli.md): the fields of `scores_for_output`, points with 3
    decimals, booleans as true/false, written by DuckDB in one pass."""
    return store.export.csv_bytes(scores_for_output(scores, with_keys), {column: 3 for column in POINT_FIELDS})


def _all_evaluations(db_path: Path, referentiel: str, collectivite: str | None = None):
    """Referential, profiles, evaluation keys (with `subject`) and their statuses, in one read:
    every evaluation of the referential, or only those of `collectivite` (only its statuses are
    read then)."""
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
        profiles = store.load_profiles(con)
        if collectivite is None:
            keys = _numbered(store.evaluation_keys(con, referentiel))
            statuses = _statuses(con, referentiel, keys) if len(keys) else None
        else:
            keys = _numbered(evaluation_keys_of(con, referentiel, collectivite))
            statuses = statuses_of_collectivite(con, referentiel, collectivite, keys) if len(keys) else None
    return ref, profiles, keys, statuses


def all_scores(db_path: Path, referentiel: str = "cae", collectivite: str | None = None) -> pd.DataFrame:
    """Scores of every node of every evaluation of the referential (unrounded), as
    compute_scores(toutes=True), plus the nodes' `nom` and `categorie` (categoricals). With
    `collectivite`, only that collectivity's evaluations are read and scored (a page of one
    collectivity then costs the same whatever the size of the database)."""
    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel, collectivite)
    if keys.empty:
        return pd.DataFrame(columns=["collectivite", "date", *SCORE_FIELDS, "nom", "categorie"])
    scores = score_subjects(ref, profiles, keys, statuses)
    # Node attributes through the categorical codes of action_id: no per-row object array.
    codes = scores["action_id"].cat.codes.to_numpy()
    by_id = ref.nodes.assign(action_id=ref.nodes["action_id"].astype(str)).set_index("action_id")
    for column in ("nom", "categorie"):
        values = by_id[column].reindex(scores["action_id"].cat.categories.astype(str))
        value_codes, uniques = pd.factorize(values)
        scores[column] = pd.Categorical.from_codes(value_codes[codes], categories=uniques)
    return scores


def stars_for_all(db_path: Path, referentiel: str = "cae", collectivite: str | None = None) -> pd.DataFrame:
    """Stars of every evaluation (scoring.md §5), one row per (collectivite, date), oldest
    first: score réalisé and programmé at the root, etoiles, prochaine_etoile, points_manquants
    and criteres_manquants for the next star, and whether the referential is complete enough
    for stars to mean anything (the seed measures alone are not). With `collectivite`, only
    that collectivity's evaluations."""
    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel, collectivite)
    if keys.empty:
        return pd.DataFrame(columns=STARS_COLUMNS)
    scores = score_subjects(ref, profiles, keys, statuses)
    # The star rules read only the root, the criterion nodes and their parents (a tâche may be
    # judged on its sous-action): passing just those rows keeps this fast for hundreds of dates.
    wanted = {"", *(c.action_id for c in CRITERES)}
    wanted |= {a.rsplit(".", 1)[0] for a in wanted if "." in a}
    table = stars(ref, scores[scores["action_id"].astype(str).isin(wanted)], statuses)
    out = keys.merge(table, on="subject", how="left")
    out["prochaine_etoile"] = out["prochaine_etoile"].astype("Int64")
    out["referentiel_complet"] = referentiel_complet(ref)
    return out[STARS_COLUMNS]


@dataclass
class SimulationInputs:
    referentiel: Referentiel
    profile: Profile
    statuses: pd.DataFrame  # action_id, statut, fait, programme, pas_fait, commentaire
    date: date | None


def simulation_inputs(db_path: Path, collectivite: str, on_date: date | None = None,
                      referentiel: str = "cae") -> SimulationInputs:
    """What the simulator needs for one evaluation (the latest when `on_date` is None), read in
    one connection; an unknown collectivity gets a bare profile and no statuses."""
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
        profile = store.load_profiles(con).get(collectivite) or Profile(nom=collectivite)
        if on_date is None:
            on_date = store.latest_evaluation_date(con, collectivite, referentiel)
        statuses = store.statuses_at(con, collectivite, on_date, referentiel, in_referentiel_order=False)
    return SimulationInputs(ref, profile, statuses, on_date)
