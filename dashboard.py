"""Tableau de bord PCAET: navigation only. Each page is one file of pages/; adding a page is
adding one `st.Page(...)` line to its section below."""

import streamlit as st

st.set_page_config(layout="wide", page_title="Tableau de bord PCAET", page_icon=":material/eco:")

SECTIONS = {
    "Suivi du label": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/home:", default=True),
        st.Page("pages/scores_mesures.py", title="Scores par mesure", icon=":material/bar_chart:"),
        st.Page("pages/detail_mesure.py", title="Détail d'une mesure", icon=":material/query_stats:"),
        st.Page("pages/radar.py", title="Radar par catégorie", icon=":material/radar:"),
        st.Page("pages/historique.py", title="Historique", icon=":material/timeline:"),
        st.Page("pages/prochaine_etoile.py", title="Vers la prochaine étoile", icon=":material/star:"),
        st.Page("pages/importer_evaluation.py", title="Importer une évaluation", icon=":material/upload_file:"),
    ],
    "Référentiel": [
        st.Page("pages/referentiel.py", title="Référentiel", icon=":material/account_tree:"),
    ],
    "Plan d'actions": [
        st.Page("pages/fiches_actions.py", title="Fiches-actions", icon=":material/assignment:"),
        st.Page("pages/fiche_nouvelle.py", title="Nouvelle fiche-action", icon=":material/note_add:"),
        st.Page("pages/boite_outils.py", title="Boîte à outils coopération", icon=":material/handshake:"),
    ],
}

st.navigation(SECTIONS, expanded=True).run()
