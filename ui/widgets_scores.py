"""The common parts of the score pages (vue d'ensemble, scores par mesure, détail d'une mesure,
radar, historique, the simulator and the committee): the evaluation shown, chosen once and
remembered from page to page, the messages that stop a page when there is nothing to score, and
the link to a mesure's detail."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cae_data.referentiel.model import Referentiel
from ui import lecture, routes
from ui.textes import EVALUATION_IMPORT_COMMAND, IMPORT_REFERENTIEL_COMMAND, date_fr, fold


def no_referentiel() -> None:
    """Stop the page: no referential « cae » in the database."""
    st.warning("Aucun référentiel « cae » dans la base. Chargez-le avec cette commande, dans le dossier du projet :")
    st.code(IMPORT_REFERENTIEL_COMMAND, language="bash")
    st.stop()


def no_evaluation() -> None:
    """Stop the page: a referential but no evaluation to score."""
    st.info("Aucune évaluation pour l'instant.", icon=":material/inbox:")
    st.markdown("Importez une évaluation (un fichier CSV ou XLSX : une ligne par statut donné à une "
                "sous-action ou à une tâche) depuis la page d'import, ou avec cette commande, dans le "
                "dossier du projet :")
    st.code(EVALUATION_IMPORT_COMMAND, language="bash")
    try:
        st.page_link(routes.IMPORT_EVALUATION.path, label="Importer une évaluation", icon=":material/upload_file:")
    except StreamlitAPIException:  # the import page is not in the navigation
        pass
    st.stop()


def remembered_select(container, label: str, options: list, widget_key: str, memory_key: str, default,
                      format_func=str):
    """A selectbox whose choice follows the user from page to page (the date, the collectivity):
    each page has its own widget, the last choice is kept under `memory_key`."""
    if st.session_state.get(widget_key) not in options:
        remembered = st.session_state.get(memory_key)
        st.session_state[widget_key] = remembered if remembered in options else default
    value = container.selectbox(label, options, key=widget_key, format_func=format_func)
    st.session_state[memory_key] = value
    return value


@dataclass
class Evaluation:
    """The evaluation a page shows: its collectivity, date, the collectivity's dates (oldest
    first) and the one before the chosen date (None for the first)."""

    referentiel: Referentiel
    collectivite: str
    date: object  # datetime.date
    dates: list
    precedente: object | None


def choose_evaluation(page: str, with_date: bool = True) -> Evaluation:
    """The common top of the score pages: the database, the referential and at least one
    evaluation must exist (else a French message stops the page), then the collectivity
    (a selector when there are several) and the date (latest by default), both remembered
    from page to page."""
    lecture.require_database()
    ref = lecture.referentiel()
    if ref is None:
        no_referentiel()
    table = lecture.evaluations(ref.nom)
    if table.empty:
        no_evaluation()
    names = sorted(table["collectivite"].unique(), key=fold)
    columns = st.columns([1, 1, 2])
    collectivite = names[0]
    if len(names) > 1:
        collectivite = remembered_select(columns[0], "Collectivité", names, f"{page}_collectivite",
                                         "score_collectivite", names[0])
    dates = sorted(table.loc[table["collectivite"] == collectivite, "date"])
    chosen = dates[-1]
    if with_date:
        latest = dates[-1]
        chosen = remembered_select(
            columns[1 if len(names) > 1 else 0], "Évaluation du", dates[::-1], f"{page}_date", "score_date", latest,
            format_func=lambda d: date_fr(d) + (" (la plus récente)" if d == latest else ""))
    position = dates.index(chosen)
    return Evaluation(ref, collectivite, chosen, dates, dates[position - 1] if position > 0 else None)


def mesure_link(action_id: str, nom: str, container=None, icon: str = ":material/query_stats:") -> None:
    """A link to the mesure's detail page (the `?mesure=` deep link)."""
    (container or st).page_link(routes.DETAIL_MESURE.path, label=f"{action_id} — {nom}", icon=icon,
                                query_params={"mesure": action_id})
