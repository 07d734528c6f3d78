"""Which label referential the score pages show: CAE, ECI or Climat Ressources (TE). One choice
for the whole session, made in the sidebar when more than one referential is loaded, kept while
the user moves between pages; pages read it with `courant()`."""

from __future__ import annotations

import streamlit as st

from cae_data import services
from ui import lecture

SESSION_KEY = "pcaet_referentiel"
DEFAULT = "cae"
# How users know each referential; any other loaded one is shown by its name.
LIBELLES = {
    "cae": "Climat-Air-Énergie (CAE)",
    "eci": "Économie circulaire (ECI)",
    "te": "Climat Ressources (2026)",
}

noms = lecture.cached_read(services.referentiel_names)  # every loaded referential, by name


def libelle(nom: str) -> str:
    return LIBELLES.get(nom, nom)


def courant() -> str:
    """The referential chosen for this session (default: cae when loaded, else the first)."""
    loaded = lecture.guarded(noms) if services.is_ready(lecture.database_path()) else []
    chosen = st.session_state.get(SESSION_KEY)
    if chosen in loaded:
        return chosen
    return DEFAULT if DEFAULT in loaded or not loaded else loaded[0]


def selecteur() -> None:
    """The sidebar's choice of referential, shown only when there is a choice to make."""
    if not services.is_ready(lecture.database_path()):
        return
    loaded = lecture.guarded(noms)
    if len(loaded) < 2:
        return
    current = courant()
    st.sidebar.selectbox("Référentiel affiché", loaded, index=loaded.index(current), format_func=libelle,
                         key="referentiel_selecteur",
                         on_change=lambda: st.session_state.update({SESSION_KEY: st.session_state.referentiel_selecteur}))
