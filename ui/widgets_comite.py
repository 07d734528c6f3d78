"""Reads of « Comité de pilotage » (ui/pages/comite.py), shared with the presentation mode: the
committees, « depuis le dernier comité » (cae_data.comites), the % fait by category of both
committees, the committee's reports and the PNG of a chart made on the server. The tables the
page shows are the reports' own (cae_data.rapports.tables), so page, slides, PDF and XLSX agree."""

from __future__ import annotations

import re

import plotly.io as pio
import streamlit as st

from cae_data import charts, services
from cae_data.comites import comite_diff
from cae_data.errors import InvalidInput
from cae_data.rapports import category_frame
from ui import lecture
from ui.lecture import Base, derived_read
from ui.textes import date_fr, fold

COMITE_MEMORY = "comite_choisi"  # the committee shown, remembered from page to page
COMITE_FIELDS = {"date": "Date", "titre": "Titre", "participants": "Participants", "notes": "Notes et décisions"}


@derived_read()
def comite_changes(base: Base, comite_date, collectivite: str | None = None):
    """« Depuis le dernier comité » (cae_data.comites.ComiteChanges) of the committee of
    that date against the one before it."""
    return comite_diff(lecture.comite_history.on(base, comite_date, collectivite))


@derived_read()
def comite_categories(base: Base, comite_date, collectivite: str | None = None):
    """% fait by category at the previous committee and at this one (serie, categorie,
    part_fait; the previous committee's series first), as in the committee's PDF."""
    history = lecture.comite_history.on(base, comite_date, collectivite)
    return category_frame(history, comite_changes.on(base, comite_date, collectivite))


def comite_report(fmt: str, comite_date, collectivite: str | None = None) -> tuple[bytes | None, str | None]:
    """(the report's bytes, None), or (None, the French reason) when it cannot be made (no
    browser for the charts, no font…). Cached by data version and committee."""
    try:
        return lecture.comite_report.on(lecture.current_base(), fmt, comite_date, collectivite), None
    except (services.Refused, services.DatabaseBusy) as exc:
        return None, str(exc)


def report_filename(fmt: str, collectivite: str, comite_date) -> str:
    """« comite-capso-2026-11-19.pdf »: ASCII, no spaces."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(collectivite)).strip("-") or "collectivite"
    return f"comite-{slug}-{comite_date.isoformat()}.{fmt}"


@st.cache_data(show_spinner=False, max_entries=64)
def _chart_png(figure_json: str, width: int, height: int) -> bytes:
    return charts.figure_png(pio.from_json(figure_json), width, height)


def chart_png(figure, width: int = 1600, height: int | None = None) -> bytes:
    """The figure as a PNG made on the server (kaleido, offline), cached by its content."""
    height = int(height or figure.layout.height or 700)
    return _chart_png(figure.to_json(), int(width), height)


def comite_label(comite, latest: bool = False) -> str:
    """« 19/11/2026 — Préparation du dossier de labellisation »."""
    return f"{date_fr(comite.date)} — {comite.titre}" + (" (le plus récent)" if latest else "")


def problem_messages(exc: InvalidInput) -> list[str]:
    """« Date : un comité existe déjà le … » — one French line per problem of a form."""
    return [(f"{COMITE_FIELDS.get(str(p.column), str(p.column))} : " if p.column else "") + p.message
            for p in exc.problems]
