"""The *score indicatif* of a referential's nodes (TE's `exprScore` formulas) from the indicator
values the project tracks: a fiche-action's indicator measures a label's indicator when its YAML
names it (`identifiants_referentiel: [te_6]`, docs/fiche-action-yaml.md). Shown beside the
status, never added to the points (referentiel-te.md § Scoring TE, 4; docs/scoring.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .. import clock, store
from ..personnalisation.profile import Profile
from ..scoring.indicatif import scores_indicatifs
from .common import require_referentiel

VALEUR_COLUMNS = ["indicateur", "indicateur_id", "valeur", "date_valeur", "cible", "annee_cible", "limite"]


def label_indicateur_values(db_path: Path, collectivite: str, today: date | None = None) -> pd.DataFrame:
    """One row per label indicator (« te_6 ») that an indicator of the collectivity's fiches (or
    of a fiche naming no collectivity) measures: VALEUR_COLUMNS — its latest value up to today
    and its date, the target of the first year from this one on (else the last target) and its
    year, and its limite. When two indicators measure the same label indicator, the first (by
    id) is read."""
    today = today or clock.today()
    with store.reading(db_path) as con:
        links = store.indicateur_label_links(con)
        values = store.indicateur_values(con)
        targets = store.indicateur_targets(con)
    links = links[links["collectivite"].isna() | links["collectivite"].eq(collectivite)]
    links = links.drop_duplicates("code").rename(columns={"code": "indicateur"})
    values = values[pd.to_datetime(values["date"]).dt.date <= today]
    latest = values.sort_values(["indicateur_id", "date"]).groupby("indicateur_id").tail(1)
    latest = latest[["indicateur_id", "valeur", "date"]].rename(columns={"date": "date_valeur"})
    targets = targets.assign(avenir=targets["annee"] >= today.year)
    # the first target from this year on, else the last one
    targets = targets.sort_values(["indicateur_id", "avenir", "annee"], ascending=[True, False, True])
    chosen = targets.groupby("indicateur_id").head(1)
    chosen = chosen.assign(annee=chosen["annee"].where(chosen["avenir"]), ).drop(columns="avenir")
    last = targets.groupby("indicateur_id")["annee"].max().rename("derniere")
    chosen = chosen.merge(last, on="indicateur_id")
    chosen["annee_cible"] = chosen["annee"].fillna(chosen["derniere"]).astype("Int64")
    chosen = chosen[["indicateur_id", "valeur", "annee_cible"]].rename(columns={"valeur": "cible"})
    out = links.merge(latest, on="indicateur_id", how="left").merge(chosen, on="indicateur_id", how="left")
    return out[VALEUR_COLUMNS].reset_index(drop=True)


def score_indicatif(db_path: Path, collectivite: str, referentiel: str = "te",
                    today: date | None = None) -> pd.DataFrame:
    """Per node of the referential with a formula: ratio (0–1, NaN when not computed), calcule,
    indicateurs (label ids read), valeurs_manquantes (what was needed and is not tracked), from
    the collectivity's profile and tracked indicator values."""
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
        profile = store.load_profiles(con).get(collectivite) or Profile(nom=collectivite)
    valeurs = label_indicateur_values(db_path, collectivite, today)
    table = scores_indicatifs(ref, valeurs[["indicateur", "valeur", "cible", "limite"]].assign(subject=0),
                              [profile], pd.DataFrame({"subject": [0], "profile": [0]}))
    return table.drop(columns="subject").reset_index(drop=True)
