"""Cached reads: every read of the database a page makes goes through cae_data.services and is
cached per database file and data version (services.data_version: the file's mtime and size),
so a page never shows data older than the file and a rerun costs milliseconds.

One line a read: `fiches = cached_read(services.load_fiches)` gives `fiches()`, the service
called on the dashboard's database once per data version; a busy, missing or refused database
becomes a French message and stops the page (`guarded`). A read computed from other reads is a
function taking the `Base` first, decorated with `@derived_read()`; inside it, the reads it
builds on are called on the same base (`referentiel.on(base, nom)`), so one version is read
throughout. The score pages' reads are at the end: the scores of every evaluation are computed
once per data version (`all_scores`), every view is a small cached frame derived from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from cae_data import analyses, services
from cae_data.scoring.etoiles import criteres
from ui.textes import fold


def database_path() -> Path:
    """The dashboard's database ($PCAET_DB, else data/pcaet.duckdb), absolute."""
    return services.database_path()


@dataclass(frozen=True)
class Base:
    """The database a read is made on, and its data version: the key of every cached read."""

    path: Path
    version: tuple


def current_base() -> Base:
    path = database_path()
    return Base(path, services.data_version(path))


def require_database() -> Path:
    """Stop the page with a French explanation when the database is missing or empty."""
    path = database_path()
    if not services.is_ready(path):
        st.warning(
            "La base de données n'est pas encore créée ou elle est vide. "
            "Lancez cette commande dans le dossier du projet, puis rechargez la page :"
        )
        st.code("make run   # ou : .venv/bin/pcaet init", language="bash")
        st.caption(f"Base attendue : {path}")
        st.stop()
    return path


def guarded(read: Callable, *args, **kwargs):
    """Run a read; a busy database or a refused request becomes a French message."""
    try:
        return read(*args, **kwargs)
    except services.DatabaseBusy as exc:
        st.info(str(exc))
        st.stop()
    except (services.Refused, services.DatabaseMissing) as exc:
        st.warning(str(exc))
        st.stop()


class CachedRead:
    """A read cached on (database path, data version, arguments). Call it as the function it
    wraps, without the database: `referentiel("cae")`."""

    def __init__(self, function: Callable, takes_base: bool, max_entries: int, resource: bool):
        def cached(path: str, version: tuple, *args, **kwargs):
            base = Base(Path(path), version)
            return function(base if takes_base else base.path, *args, **kwargs)

        # Streamlit keys a cache on the function's module, qualified name and source: the
        # wrapped function's names make each read's cache its own.
        cached.__module__ = function.__module__
        cached.__qualname__ = f"{function.__qualname__}.<lecture>"
        cached.__name__ = function.__name__
        decorator = st.cache_resource if resource else st.cache_data
        self._cached = decorator(show_spinner=False, max_entries=max_entries)(cached)
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    def __call__(self, *args, **kwargs):
        """The read on the dashboard's database; errors become French messages (guarded)."""
        base = current_base()
        return guarded(self._cached, str(base.path), base.version, *args, **kwargs)

    def on(self, base: Base, *args, **kwargs):
        """The read on `base` (inside another cached read): same cache, errors raised."""
        return self._cached(str(base.path), base.version, *args, **kwargs)

    def clear(self) -> None:
        self._cached.clear()


def cached_read(service: Callable, max_entries: int = 8, resource: bool = False) -> CachedRead:
    """`x = cached_read(services.x)`: `x(*args)` is `services.x(database, *args)`, cached per data
    version. `resource`: one shared object, not a copy per call (st.cache_resource), for inputs
    the engine caches by identity."""
    return CachedRead(service, takes_base=False, max_entries=max_entries, resource=resource)


def derived_read(max_entries: int = 8, resource: bool = False) -> Callable[[Callable], CachedRead]:
    """`@derived_read()` over `def x(base: Base, *args)`: a read computed from other cached reads,
    cached on the same key; call it as `x(*args)`."""
    return lambda function: CachedRead(function, takes_base=True, max_entries=max_entries, resource=resource)


# --- reads of the services ------------------------------------------------------------------------

referentiel = cached_read(services.load_referentiel)  # (nom="cae") → Referentiel | None
fiches = cached_read(services.load_fiches)  # every fiche-action (fiches.model.FicheAction), by title
outils = cached_read(services.load_outils)  # the cooperation tools, in deck order
fiches_for_mesure = cached_read(services.fiches_for_mesure, max_entries=64)  # (action_id, nom="cae")
profiles = cached_read(services.load_profiles)  # collectivity name → Profile
all_scores = cached_read(services.all_scores, max_entries=2)  # (nom) the long scores of every evaluation
etoiles_for_all = cached_read(services.etoiles_for_all)  # (nom) the stars of every evaluation
statuses_at = cached_read(services.statuses_at, max_entries=32)  # (collectivite, on_date, nom="cae")
evaluation_dates_of = cached_read(services.evaluation_dates, max_entries=16)  # (collectivite, nom="cae")
collectivite_names = cached_read(services.collectivite_names)
# The latest evaluation of a collectivity, shared (not copied): the engine caches the compiled
# tree and the personnalisation by the identity of the referential's frames. (collectivite, referentiel=nom)
simulation_inputs = cached_read(services.simulation_inputs, max_entries=4, resource=True)
uploads = cached_read(services.list_uploads)  # every archived file, newest first
indicateur_overview = cached_read(services.indicateur_overview)  # (today, comite_date)
indicateur_values = cached_read(services.indicateur_values, max_entries=64)  # (indicateur_id)
indicateur_targets = cached_read(services.indicateur_targets, max_entries=64)  # (indicateur_id)
comites = cached_read(services.list_comites)  # every committee (comites.Comite), oldest first
comite_history = cached_read(services.comite_history, max_entries=4)  # (comite_date, collectivite)
comite_report = cached_read(services.comite_report, max_entries=4)  # (fmt, comite_date, collectivite)
journal_entries = cached_read(services.journal_entries, max_entries=16)  # (depuis, jusqu_au, utilisateurs, actions)
accounts = cached_read(services.list_accounts)  # nom, role… of every account


# --- reads derived from them ----------------------------------------------------------------------

def mesure_table(nodes: pd.DataFrame, action_depth: int) -> pd.DataFrame:
    """Mesures in reading order: action_id, nom, axe_id, point_referentiel, `titre_recherche`
    (the `fold`ed id and title) and `recherche` (the folded ids, titles and descriptions of the
    mesure and everything under it), for the search box."""
    ids = nodes["action_id"].str.split(".")
    under = nodes[nodes["depth"] >= action_depth].assign(
        mesure_id=ids[nodes["depth"] >= action_depth].str[:action_depth].str.join(".")
    )
    words = (under["action_id"] + " " + under["nom"].fillna("") + " " + under["description"].fillna(""))
    recherche = words.groupby(under["mesure_id"], sort=False).agg(" ".join).map(fold)
    table = nodes[nodes["depth"] == action_depth][["action_id", "nom", "point_referentiel"]].copy()
    table["axe_id"] = table["action_id"].str.split(".").str[0]
    table["titre_recherche"] = (table["action_id"] + " " + table["nom"].fillna("")).map(fold)
    table["recherche"] = table["action_id"].map(recherche).fillna("")
    return table.reset_index(drop=True)


@derived_read()
def mesures(base: Base, nom: str = "cae") -> pd.DataFrame | None:
    """One row per mesure (see `mesure_table`), or None without referential."""
    ref = referentiel.on(base, nom)
    return None if ref is None else mesure_table(ref.nodes, ref.action_depth)


@derived_read()
def collectivite_types(base: Base) -> dict:
    return {nom: profile.type for nom, profile in profiles.on(base).items()}


def collectivite_type(nom: str) -> str | None:
    """The collectivity's type from its profile (« EPCI », « commune », « syndicat ») or None."""
    return collectivite_types().get(nom)


@derived_read()
def collectivites_evaluees(base: Base, nom: str = "cae") -> pd.DataFrame:
    """Every known collectivité with its number of evaluations and the latest date."""
    rows = []
    for name in collectivite_names.on(base):  # a handful of collectivités
        dates = evaluation_dates_of.on(base, name, nom)
        rows.append((name, len(dates), dates[-1] if dates else None))
    return pd.DataFrame(rows, columns=["collectivite", "evaluations", "derniere"])


# --- scores (vue d'ensemble, scores par mesure, détail d'une mesure, radar, historique) ------------

@derived_read(max_entries=4)
def scores_of(base: Base, nom: str, collectivite: str) -> pd.DataFrame:
    scores = all_scores.on(base, nom)
    return scores[(scores["collectivite"] == collectivite).to_numpy()].reset_index(drop=True)


@derived_read()
def evaluations(base: Base, nom: str = "cae") -> pd.DataFrame:
    """One row per evaluation (collectivite, date as datetime.date, oldest first) with the
    root's potential, points and parts (analyses.global_summary)."""
    summary = analyses.global_summary(all_scores.on(base, nom))
    return summary.assign(date=pd.to_datetime(summary["date"]).dt.date)


@derived_read()
def etoiles_table(base: Base, nom: str = "cae") -> pd.DataFrame:
    """services.etoiles_for_all, dates as datetime.date."""
    table = etoiles_for_all.on(base, nom)
    return table.assign(date=pd.to_datetime(table["date"]).dt.date)


@derived_read(max_entries=16)
def etoile_criteria(base: Base, collectivite: str, on_date, nom: str = "cae") -> pd.DataFrame:
    """scoring.etoiles.criteres of one evaluation: every criterion of stars 1 to 5, met or not."""
    scores = scores_of.on(base, nom, collectivite)
    at_date = scores[(scores["date"] == pd.Timestamp(on_date)).to_numpy()]
    return criteres(referentiel.on(base, nom), at_date, statuses_at.on(base, collectivite, on_date, nom))


@derived_read(max_entries=32)
def level_scores(base: Base, collectivite: str, niveau: str, parent: str | None = None,
                 nom: str = "cae") -> pd.DataFrame:
    """analyses.scores_by_level for one collectivity, every date (datetime.date)."""
    out = analyses.scores_by_level(scores_of.on(base, nom, collectivite), niveau, parent=parent)
    return out.assign(date=pd.to_datetime(out["date"]).dt.date, nom=out["nom"].astype(str))


@derived_read(max_entries=16)
def category_scores(base: Base, collectivite: str, axe: str | None = None, nom: str = "cae") -> pd.DataFrame:
    """analyses.scores_by_category for one collectivity, every date."""
    nodes = referentiel.on(base, nom).nodes
    out = analyses.scores_by_category(scores_of.on(base, nom, collectivite), nodes=nodes, axe=axe)
    return out.assign(date=pd.to_datetime(out["date"]).dt.date, categorie=out["categorie"].astype(str))


@derived_read(max_entries=32)
def biggest_moves(base: Base, collectivite: str, before, after, n: int = 5, nom: str = "cae") -> pd.DataFrame:
    """analyses.biggest_moves (mesures) for one collectivity."""
    out = analyses.biggest_moves(scores_of.on(base, nom, collectivite), before, after, n=n)
    return out.assign(nom=out["nom"].astype(str))


@derived_read(max_entries=32)
def points_delta(base: Base, collectivite: str, date_a, date_b, nom: str = "cae") -> pd.DataFrame:
    """analyses.points_delta_by_mesure for one collectivity."""
    out = analyses.points_delta_by_mesure(scores_of.on(base, nom, collectivite), date_a, date_b)
    return out.assign(nom=out["nom"].astype(str))


@derived_read(max_entries=32)
def status_changes(base: Base, collectivite: str, date_a, date_b, nom: str = "cae") -> pd.DataFrame:
    """analyses.compare_statuses between two evaluations of one collectivity."""
    return analyses.compare_statuses(statuses_at.on(base, collectivite, date_a, nom),
                                     statuses_at.on(base, collectivite, date_b, nom), referentiel.on(base, nom).nodes)


@derived_read(max_entries=64)
def mesure_detail(base: Base, collectivite: str, on_date, mesure_id: str, nom: str = "cae") -> pd.DataFrame:
    """analyses.mesure_detail of one evaluation."""
    scores = scores_of.on(base, nom, collectivite)
    at_date = scores[(scores["date"] == pd.Timestamp(on_date)).to_numpy()]
    return analyses.mesure_detail(at_date, statuses_at.on(base, collectivite, on_date, nom),
                                  referentiel.on(base, nom).nodes, mesure_id)
