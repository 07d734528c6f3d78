"""Scores par mesure: for each mesure, how its potential splits between fait, programmé, pas fait
and non renseigné (one stacked bar each), with a sortable table beside; a click on a row opens
the mesure's detail. Filter by axe, choose the evaluation date."""

import pandas as pd
import streamlit as st

from cae_data import charts, palette
from ui import lecture, routes, textes, widgets_scores

st.title("Scores par mesure")
evaluation = widgets_scores.choose_evaluation("scores")
ref = evaluation.referentiel
collectivite, when = evaluation.collectivite, evaluation.date
nodes = ref.nodes

SORTS = {
    "referentiel": "Ordre du référentiel",
    "fait_desc": "Score réalisé, du plus haut au plus bas",
    "fait_asc": "Score réalisé, du plus bas au plus haut",
}

axes = nodes[nodes["niveau"] == "axe"]
axe_names = dict(zip(axes["action_id"], axes["nom"]))
filter_column, sort_column, _ = st.columns([1, 1, 2])
axe = filter_column.selectbox("Axe", ["tous", *axe_names], key="scores_axe",
                              format_func=lambda a: ("Tous les axes" if a == "tous"
                                                     else textes.axe_label(a, axe_names[a])))
sort = sort_column.selectbox("Ordre des mesures", list(SORTS), key="scores_tri", format_func=SORTS.get)

scores = lecture.level_scores(collectivite, "mesure", parent=None if axe == "tous" else axe, nom=ref.nom)
shown = scores[scores["date"] == when].reset_index(drop=True)
if shown.empty:
    st.info("Aucune mesure dans cet axe.")
    st.stop()
if sort != "referentiel":
    shown = shown.sort_values("part_fait", ascending=sort == "fait_asc", kind="stable").reset_index(drop=True)
# The table beside gives the titles: the bars carry the numbers only (titles on hover).
shown["label"] = [a if c else f"{a} (non concernée)" for a, c in zip(shown["action_id"], shown["concerne"])]
shown["survol"] = [f"{a} {n}" for a, n in zip(shown["action_id"], shown["nom"])]

total_fait, total_potentiel = shown["point_fait"].sum(), shown["point_potentiel"].sum()
st.markdown(
    f"**{textes.nombre(len(shown))} mesure{'s' if len(shown) > 1 else ''}** "
    + ("" if axe == "tous" else f"de l'axe {textes.plain(textes.axe_label(axe, axe_names[axe]))} ")
    + f"au **{textes.date_fr(when)}** : {textes.points_faits(total_fait)} sur {textes.points_label(total_potentiel)} "
    + f"de potentiel ({textes.pourcentage(total_fait / total_potentiel if total_potentiel else 0)})"
)


def open_detail() -> None:
    """A click on a table row opens that mesure's detail page."""
    selection = st.session_state["scores_table"].selection
    rows = selection.get("rows") or [cell[0] for cell in selection.get("cells", [])]
    ids = st.session_state.get("scores_lignes", [])
    if rows and rows[0] < len(ids):
        st.session_state["scores_ouvrir"] = ids[rows[0]]


ROW_HEIGHT = 44
chart_column, table_column = st.columns([1, 1.25], gap="medium")
with chart_column:
    figure = charts.status_bars(shown, hover_column="survol", bar_height=ROW_HEIGHT)
    st.plotly_chart(figure, theme=None, key="scores_barres",
                    config=charts.chart_config(f"scores-par-mesure-{when.isoformat()}"))
with table_column:
    table = pd.DataFrame({
        "Mesure": shown["action_id"],
        "Intitulé": shown["nom"],
        "Fait": (shown["part_fait"] * 100).round(1),
        "Programmé": (shown["part_programme"] * 100).round(1),
        "Points faits": shown["point_fait"].round(1),
        "Potentiel": shown["point_potentiel"].round(1),
    })
    st.session_state["scores_lignes"] = table["Mesure"].tolist()
    percent = "%.0f %%"
    st.dataframe(
        table, hide_index=True, key="scores_table", on_select=open_detail, selection_mode="single-cell",
        # As tall as the chart beside it: the two read side by side, without an inner scroll bar.
        row_height=ROW_HEIGHT, height=min(ROW_HEIGHT * (len(table) + 1) + 3, ROW_HEIGHT * 80),
        column_config={
            "Mesure": st.column_config.TextColumn("N°", width=64, pinned=True),
            "Intitulé": st.column_config.TextColumn("Mesure", width=220),
            "Fait": st.column_config.ProgressColumn("Fait", format=percent, min_value=0, max_value=100,
                                                    width=120, color=palette.COULEUR_FAIT),
            "Programmé": st.column_config.ProgressColumn("Programmé", format=percent, min_value=0, max_value=100,
                                                         width=125, color=palette.COULEUR_PROGRAMME),
            "Points faits": st.column_config.NumberColumn("Points faits", format="localized", width=95),
            "Potentiel": st.column_config.NumberColumn("Potentiel", format="localized", width=90,
                                                       help="Points que la collectivité peut obtenir "
                                                            "(après personnalisation)"),
        },
    )
    st.caption("Cliquez sur une ligne pour ouvrir le détail de la mesure ; cliquez sur un titre de "
               "colonne pour trier. Le graphique montre aussi les parts « pas fait » et « non renseigné ».")

target = st.session_state.pop("scores_ouvrir", None)
if target:
    st.switch_page(routes.DETAIL_MESURE.path, query_params={"mesure": target})
