"""Reads and display tables of « Vers la prochaine étoile » (ui/pages/prochaine_etoile.py) and
« Importer une évaluation » (ui/pages/importer_evaluation.py). The simulator's logic is the
engine's (cae_data.simulation: its table, the labels chosen turned into changes, the
simulation itself); here it is cached per data version and drawn."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from cae_data import charts, services
from cae_data.errors import InvalidInput
from cae_data.evaluation.statuses import LABELS
from cae_data.simulation import (
    complete_detailed,
    simulate,
    simulation_radar_frames,
    simulation_table,
    smallest_completion_set,
)
from ui import lecture
from ui.lecture import Base, cached_read, derived_read
from ui.textes import date_fr, nombre

# --- the simulator ----------------------------------------------------------------------------------


@derived_read(max_entries=32)
def _simulation(base: Base, collectivite: str, nom: str, changes: tuple, realises: tuple):
    inputs = lecture.simulation_inputs.on(base, collectivite, referentiel=nom)
    return simulate(inputs.referentiel, inputs.profile, complete_detailed(inputs.statuses, realises), dict(changes))


def simulation(collectivite: str, changes: dict[str, str] | None = None, realises=(), nom: str = "cae"):
    """cae_data.simulation.SimulationResult of the latest evaluation with `changes` (action_id →
    status code) and the détaillé rows `realises` completed. Nothing is written."""
    return _simulation(collectivite, nom, tuple(sorted((changes or {}).items())), tuple(sorted(realises)))


@derived_read()
def completion_plan(base: Base, collectivite: str, nom: str = "cae"):
    """cae_data.simulation.CompletionPlan: the fewest programmées to complete for the next star."""
    inputs = lecture.simulation_inputs.on(base, collectivite, referentiel=nom)
    return smallest_completion_set(inputs.referentiel, inputs.profile, inputs.statuses)


@derived_read()
def simulation_rows(base: Base, collectivite: str, nom: str = "cae") -> pd.DataFrame:
    """`simulation_table` of the latest evaluation of `collectivite`."""
    inputs = lecture.simulation_inputs.on(base, collectivite, referentiel=nom)
    baseline = _simulation.on(base, collectivite, nom, (), ())
    ref = inputs.referentiel
    return simulation_table(ref.nodes, ref.action_depth, inputs.statuses, baseline.scores)


@dataclass
class SimulationRadar:
    """One radar of the simulator: « Actuel » and « Simulé » over categories or axes (`figure`
    None when there are fewer than three branches)."""

    title: str
    filename: str
    frame: pd.DataFrame
    figure: object | None


@derived_read(max_entries=32)
def _simulation_radars(base: Base, collectivite: str, nom: str, changes: tuple, realises: tuple):
    inputs = lecture.simulation_inputs.on(base, collectivite, referentiel=nom)
    before = _simulation.on(base, collectivite, nom, (), ())
    after = _simulation.on(base, collectivite, nom, changes, realises)
    return [SimulationRadar(r.title, r.filename, r.frame,
                            charts.simulation_radar(r.frame, r.title) if r.frame["label"].nunique() >= 3 else None)
            for r in simulation_radar_frames(inputs.referentiel.nodes, before.scores, after.scores, inputs.date)]


def simulation_radars(collectivite: str, changes: dict[str, str] | None = None, realises=(), nom: str = "cae"):
    """The category radar and the axis radar (by mesure when one axe only) of the simulation."""
    return _simulation_radars(collectivite, nom, tuple(sorted((changes or {}).items())), tuple(sorted(realises)))


# --- the import of an evaluation ------------------------------------------------------------------


@dataclass
class EvaluationCheck:
    """The outcome of reading an uploaded evaluation: the file when valid, else its problems, or
    a French `error` when it could not be read at all."""

    evaluation: object | None = None  # cae_data.evaluation.reader.EvaluationFile
    problems: list = field(default_factory=list)  # cae_data.errors.Problem
    error: str | None = None


# Not a read of the database alone: keyed by the file's digest, the bytes themselves not hashed.
@st.cache_data(show_spinner=False, max_entries=4)
def _check_evaluation(path: str, version: tuple, digest: str, filename: str, collectivite: str | None,
                      on_date, _data: bytes) -> EvaluationCheck:
    try:
        return EvaluationCheck(evaluation=services.read_evaluation_file(Path(path), _data, filename,
                                                                        collectivite, on_date))
    except InvalidInput as exc:
        return EvaluationCheck(problems=exc.problems)
    except (services.DatabaseBusy, services.DatabaseMissing, services.Refused):
        raise
    except Exception:  # a file no reader expected: say so in French, keep the trace in the log
        logging.getLogger(__name__).exception("lecture de %s", filename)
        return EvaluationCheck(error=(
            f"Le fichier « {filename} » n'a pas pu être lu : ce n'est sans doute pas un fichier CSV ou "
            "XLSX valide (fichier abîmé, protégé par mot de passe ou d'un autre format). "
            "Enregistrez-le de nouveau depuis votre tableur, en CSV ou en XLSX, puis réessayez."))


def check_evaluation(data: bytes, filename: str, collectivite: str | None, on_date) -> EvaluationCheck:
    """Validate an uploaded file against the database (nothing written); cached by content."""
    base = lecture.current_base()
    return lecture.guarded(_check_evaluation, str(base.path), base.version, services.sha256_of(data), filename,
                           collectivite, on_date, data)


def evaluation_preview(rows: pd.DataFrame, nodes: pd.DataFrame | None, limit: int = 200) -> pd.DataFrame:
    """The first `limit` rows read, for display: Ligne, Action, Intitulé, Statut (French label),
    Fait %, Programmé %, Pas fait % (détaillé only), Commentaire; Collectivité and Date too when
    the file holds several evaluations."""
    head = rows.head(limit)
    names = {} if nodes is None else dict(zip(nodes["action_id"].astype(str), nodes["nom"].fillna("")))
    out = pd.DataFrame({
        "Ligne": head["line"].astype("int64").to_numpy(),
        "Action": head["action_id"].astype(str).to_numpy(),
        "Intitulé": head["action_id"].astype(str).map(names).fillna("").to_numpy(),
        "Statut": head["statut"].map(LABELS).fillna(head["statut"]).to_numpy(),
    })
    for column, label in (("fait", "Fait %"), ("programme", "Programmé %"), ("pas_fait", "Pas fait %")):
        out[label] = [("" if v != v else nombre(v * 100, 0 if round(v * 100, 1).is_integer() else 1))
                      for v in head[column].to_numpy(dtype="float64")]
    out["Commentaire"] = head["commentaire"].astype(str).to_numpy()
    if len(rows[["collectivite", "date"]].drop_duplicates()) > 1:
        out.insert(1, "Collectivité", head["collectivite"].astype(str).to_numpy())
        out.insert(2, "Date", [date_fr(d) for d in head["date"]])
    return out


def status_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows per status, in the order of the labels (statuses absent from the file left out)."""
    counts = rows["statut"].value_counts()
    return pd.DataFrame([(label, int(counts[code])) for code, label in LABELS.items() if code in counts.index],
                        columns=["Statut", "Lignes"])


@derived_read()
def evaluation_uploads(base: Base) -> pd.DataFrame:
    """The archived evaluation files, newest first (services.list_uploads columns)."""
    uploads = lecture.uploads.on(base)
    return uploads[uploads["kind"] == "evaluation"].reset_index(drop=True)


_template = cached_read(services.evaluation_template, max_entries=4)


def evaluation_template(kind: str, nom: str = "cae") -> bytes:
    """The blank evaluation file of a loaded referential: kind « csv » or « xlsx » (for a
    deferred st.download_button; TE lists its sous-mesures)."""
    return _template(kind, nom)
