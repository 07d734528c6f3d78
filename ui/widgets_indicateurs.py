"""Reads of « Fiches-actions » and « Nouvelle fiche-action »: the previous committee (the
indicators' changes are counted since it), and the checks of a file brought (values of
indicators, a fiche's YAML), validated without writing. What an indicator's status means
(alerts, projection, elapsed time) is the engine's: cae_data.fiches.indicateurs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from cae_data import clock, services
from cae_data.errors import InvalidInput
from cae_data.fiches.yaml_format import read_fiche_yaml
from ui import lecture
from ui.lecture import Base, derived_read


@derived_read()
def _comite_dates(base: Base) -> list:
    return [c.date for c in lecture.comites.on(base)]


def last_comite_before(today: dt.date) -> dt.date | None:
    """The latest committee held before `today` (the « previous committee »), or None."""
    dates = [d for d in _comite_dates() if d < today]
    return max(dates) if dates else None


# Not a read of the database alone: keyed by the file's digest and content.
@st.cache_data(show_spinner=False, max_entries=8)
def _check_indicateur_file(path: str, version: tuple, digest: str, filename: str, data: bytes, today):
    try:
        return services.read_indicateur_file(Path(path), data, filename, today), []
    except InvalidInput as exc:
        return None, exc.problems


def check_indicateur_file(data: bytes, filename: str, today: dt.date | None = None):
    """(rows, problems) of an indicator values file, validated without writing."""
    base = lecture.current_base()
    return _check_indicateur_file(str(base.path), base.version, services.sha256_of(data), filename, data,
                                 today or clock.today())


def check_fiche_yaml(data: bytes, filename: str):
    """(fiche, problems) of a fiche YAML, validated without writing."""
    try:
        return read_fiche_yaml(data, filename), []
    except InvalidInput as exc:
        return None, exc.problems
