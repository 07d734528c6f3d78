"""Accueil (temporary): what the dashboard holds and where to go. The score overview of the
label will replace this page."""

import streamlit as st

from pages import _ui

st.title("Tableau de bord PCAET")
st.markdown(
    "Suivi du Plan Climat-Air-Énergie Territorial et de la progression dans le label "
    "**Territoire Engagé Climat-Air-Énergie**."
)
_ui.require_database()

ref = _ui.referentiel()
mesures = _ui.mesures()
fiches = _ui.fiches()
outils = _ui.outils()

left, middle, right = st.columns(3, gap="medium")
with left, st.container(border=True):
    st.subheader("Référentiel", anchor=False)
    if ref is None:
        st.markdown("*Aucun référentiel chargé.*")
    else:
        st.metric("Mesures", _ui.nombre(len(mesures)))
        st.caption(f"{ref.titre} — {_ui.SOURCE_LABELS.get(ref.source_kind, ref.source_kind)}")
    st.page_link(_ui.PAGE_REFERENTIEL, label="Parcourir le référentiel", icon=":material/account_tree:")
with middle, st.container(border=True):
    st.subheader("Fiches-actions", anchor=False)
    st.metric("Fiches", _ui.nombre(len(fiches)))
    st.caption("Les actions du plan, leurs sous-actions et leurs indicateurs")
    st.page_link(_ui.PAGE_FICHES, label="Voir les fiches-actions", icon=":material/assignment:")
with right, st.container(border=True):
    st.subheader("Coopération", anchor=False)
    st.metric("Outils", _ui.nombre(len(outils)))
    st.caption("Outils pour formaliser des coopérations entre territoires")
    st.page_link(_ui.PAGE_OUTILS, label="Ouvrir la boîte à outils", icon=":material/handshake:")
