"""Tableau de bord PCAET: navigation only. Each page is one file of pages/; adding a page is
adding one `st.Page(...)` line to its section below."""

import streamlit as st

st.set_page_config(layout="wide", page_title="Tableau de bord PCAET", page_icon=":material/eco:")

SECTIONS = {
    "Suivi du label": [
        st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
    ],
    "Référentiel": [
        st.Page("pages/referentiel.py", title="Référentiel", icon=":material/account_tree:"),
    ],
    "Plan d'actions": [
        st.Page("pages/fiches_actions.py", title="Fiches-actions", icon=":material/assignment:"),
        st.Page("pages/boite_outils.py", title="Boîte à outils coopération", icon=":material/handshake:"),
    ],
}

st.navigation(SECTIONS, expanded=True).run()
