"""Tableau de bord PCAET: navigation only. Each page is one file of pages/; adding a page is
adding one `st.Page(...)` line to its section below."""

import streamlit as st

st.set_page_config(layout="wide", page_title="Tableau de bord PCAET", page_icon=":material/eco:")

from pages import _ui  # noqa: E402  (after set_page_config)

# Roles (docs/securite.md): without a session, only the login page; pages that write are listed
# for editors only (opened from their address by a reader, they refuse).
session = _ui.session()
if session is None:
    st.navigation([st.Page(_ui.PAGE_CONNEXION, title="Connexion", icon=":material/login:", default=True)],
                  position="hidden").run()
    st.stop()

SECTIONS = {
    "Suivi du label": [
        st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/home:", default=True),
        st.Page("pages/scores_mesures.py", title="Scores par mesure", icon=":material/bar_chart:"),
        st.Page("pages/detail_mesure.py", title="Détail d'une mesure", icon=":material/query_stats:"),
        st.Page("pages/radar.py", title="Radar par catégorie", icon=":material/radar:"),
        st.Page("pages/historique.py", title="Historique", icon=":material/timeline:"),
        st.Page("pages/prochaine_etoile.py", title="Vers la prochaine étoile", icon=":material/star:"),
        st.Page("pages/importer_evaluation.py", title="Importer une évaluation", icon=":material/upload_file:",
                visibility=_ui.write_visibility()),
    ],
    "Référentiel": [
        st.Page("pages/referentiel.py", title="Référentiel", icon=":material/account_tree:"),
    ],
    "Plan d'actions": [
        st.Page("pages/fiches_actions.py", title="Fiches-actions", icon=":material/assignment:"),
        st.Page("pages/fiche_nouvelle.py", title="Nouvelle fiche-action", icon=":material/note_add:",
                visibility=_ui.write_visibility()),
        st.Page("pages/boite_outils.py", title="Boîte à outils coopération", icon=":material/handshake:"),
    ],
    "Comité de pilotage": [
        st.Page("pages/comite.py", title="Comité de pilotage", icon=":material/groups:"),
        st.Page("pages/presentation.py", title="Mode présentation", icon=":material/slideshow:"),
    ],
    "Traçabilité": [
        st.Page("pages/journal.py", title="Journal des modifications", icon=":material/history:"),
        st.Page(_ui.PAGE_CONNEXION, title="Connexion", icon=":material/login:", visibility="hidden"),
    ],
}

# ?presentation=1: slides for a projector (pages/presentation.py), the navigation hidden.
presenting = st.query_params.get("presentation") == "1"
page = st.navigation(SECTIONS, expanded=True, position="hidden" if presenting else "sidebar")
_ui.session_sidebar(session)
if presenting and page.url_path != "presentation":
    st.switch_page("pages/presentation.py", query_params=st.query_params.to_dict())
page.run()
