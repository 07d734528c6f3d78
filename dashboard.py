"""Tableau de bord PCAET: navigation only. The pages are the files of ui/pages/, declared once in
the routes table (ui/routes.py): adding a page is adding its file and its route."""

import streamlit as st

st.set_page_config(layout="wide", page_title="Tableau de bord PCAET", page_icon=":material/eco:")

from ui import referentiels, routes, session  # noqa: E402  (after set_page_config)
from ui.widgets_presentation import PRESENTATION_PARAM  # noqa: E402

# Roles (docs/securite.md): without a session, only the login page; pages that write are listed
# for editors only (opened from their address by a reader, they refuse).
current = session.current()
if current is None:
    st.navigation(routes.login_only(), position="hidden").run()
    st.stop()

# ?presentation=1: slides for a projector (ui/pages/presentation.py), the navigation hidden.
presenting = st.query_params.get(PRESENTATION_PARAM) == "1"
page = st.navigation(routes.navigation(session.can_write()), expanded=True,
                     position="hidden" if presenting else "sidebar")
session.sidebar(current)
if not presenting:
    referentiels.selecteur()
if presenting and page.url_path != routes.PRESENTATION.name:
    st.switch_page(routes.PRESENTATION.path, query_params=st.query_params.to_dict())
page.run()
