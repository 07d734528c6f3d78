"""The dashboard's pages, in one table: the file of each page (ui/pages/<name>.py, served at
/<name>), its title, icon, section of the sidebar and who may see it. dashboard.py builds
st.navigation from it, and every st.page_link / st.switch_page names a page by its route
(`routes.DETAIL_MESURE.path`): no page path is written twice. Adding a page is adding its file
and one line below (then to ROUTES)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

SUIVI = "Suivi du label"
REFERENTIEL_SECTION = "Référentiel"
PLAN = "Plan d'actions"
COMITE_SECTION = "Comité de pilotage"
TRACABILITE = "Traçabilité"
SECTIONS = (SUIVI, REFERENTIEL_SECTION, PLAN, COMITE_SECTION, TRACABILITE)  # the sidebar's order


@dataclass(frozen=True)
class Route:
    name: str  # the file ui/pages/<name>.py and the address /<name>
    title: str
    icon: str
    section: str
    writes: bool = False  # the page writes: listed for the roles that may write only (docs/securite.md)
    default: bool = False  # the home page, at /
    hidden: bool = False  # never listed: reached by a link

    @property
    def path(self) -> str:
        """The page's file, relative to dashboard.py: what st.Page, st.page_link and
        st.switch_page take."""
        return f"ui/pages/{self.name}.py"


VUE_ENSEMBLE = Route("vue_ensemble", "Vue d'ensemble", ":material/home:", SUIVI, default=True)
SCORES = Route("scores_mesures", "Scores par mesure", ":material/bar_chart:", SUIVI)
DETAIL_MESURE = Route("detail_mesure", "Détail d'une mesure", ":material/query_stats:", SUIVI)
RADAR = Route("radar", "Radar par catégorie", ":material/radar:", SUIVI)
HISTORIQUE = Route("historique", "Historique", ":material/timeline:", SUIVI)
PROCHAINE_ETOILE = Route("prochaine_etoile", "Vers la prochaine étoile", ":material/star:", SUIVI)
IMPORT_EVALUATION = Route("importer_evaluation", "Importer une évaluation", ":material/upload_file:", SUIVI,
                          writes=True)
REFERENTIEL = Route("referentiel", "Référentiel", ":material/account_tree:", REFERENTIEL_SECTION)
FICHES = Route("fiches_actions", "Fiches-actions", ":material/assignment:", PLAN)
FICHE_NOUVELLE = Route("fiche_nouvelle", "Nouvelle fiche-action", ":material/note_add:", PLAN, writes=True)
OUTILS = Route("boite_outils", "Boîte à outils coopération", ":material/handshake:", PLAN)
COMITE = Route("comite", "Comité de pilotage", ":material/groups:", COMITE_SECTION)
PRESENTATION = Route("presentation", "Mode présentation", ":material/slideshow:", COMITE_SECTION)
JOURNAL = Route("journal", "Journal des modifications", ":material/history:", TRACABILITE)
CONNEXION = Route("connexion", "Connexion", ":material/login:", TRACABILITE, hidden=True)

ROUTES = (VUE_ENSEMBLE, SCORES, DETAIL_MESURE, RADAR, HISTORIQUE, PROCHAINE_ETOILE, IMPORT_EVALUATION,
          REFERENTIEL, FICHES, FICHE_NOUVELLE, OUTILS, COMITE, PRESENTATION, JOURNAL, CONNEXION)


def page(route: Route, visible: bool | None = None, default: bool | None = None) -> st.Page:
    """The st.Page of a route (listed unless the route is hidden, or as `visible` says)."""
    visible = not route.hidden if visible is None else visible
    return st.Page(route.path, title=route.title, icon=route.icon,
                   default=route.default if default is None else default,
                   visibility="visible" if visible else "hidden")


def navigation(can_write: bool) -> dict[str, list[st.Page]]:
    """Every page by section for st.navigation: a page that writes is listed for those who may
    write only (opened from its address by a reader, it refuses by itself)."""
    return {section: [page(route, visible=not route.hidden and (can_write or not route.writes))
                      for route in ROUTES if route.section == section] for section in SECTIONS}


def _to_login() -> None:
    st.switch_page(CONNEXION.path)


def login_only() -> list[st.Page]:
    """The navigation while a login is needed: the login page alone, at /. Any other page's
    address leads to it (hidden pages of the same title that switch to it), rather than to
    Streamlit's « Page not found » dialog; once signed in, the dashboard opens on its home."""
    redirects = [st.Page(_to_login, title=CONNEXION.title, icon=CONNEXION.icon, url_path=route.name,
                         visibility="hidden") for route in ROUTES if route is not CONNEXION]
    return [*redirects, page(CONNEXION, visible=True, default=True)]
