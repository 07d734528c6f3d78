"""Radar par catégorie: the % fait of the three categories of sous-actions (bases, mise en œuvre,
effets) at one or more evaluation dates, then a second radar by axe (or by mesure of one axe;
with the seed documents alone, one axe: by mesure)."""

import pandas as pd
import streamlit as st

from cae_data import charts
from ui import lecture, textes, widgets_scores

st.title("Radar par catégorie")
evaluation = widgets_scores.choose_evaluation("radar", with_date=False)
ref = evaluation.referentiel
collectivite, dates = evaluation.collectivite, evaluation.dates
nodes = ref.nodes

options = dates[::-1]  # latest first
default = options[:2]
if any(d not in options for d in st.session_state.get("radar_dates", [])):
    del st.session_state["radar_dates"]
axes = nodes[nodes["niveau"] == "axe"]
axe_names = dict(zip(axes["action_id"], axes["nom"]))
dates_column, axe_column = st.columns([2, 1], gap="large")
chosen = dates_column.multiselect("Évaluations comparées", options, default=default, key="radar_dates",
                                  format_func=textes.date_fr, placeholder="Choisissez une ou plusieurs dates",
                                  help="Une ligne par date ; la plus récente est pleine, les autres en pointillés.")
if len(axe_names) > 1:
    axe = axe_column.selectbox("Second radar", ["tous", *axe_names], key="radar_axe",
                               format_func=lambda a: "Par axe" if a == "tous"
                               else f"Par mesure de l'axe {textes.axe_label(a, axe_names[a])}")
else:
    axe = next(iter(axe_names), "tous")
if not chosen:
    st.info("Choisissez au moins une date d'évaluation.")
    st.stop()
chosen = sorted(chosen, reverse=True)
date_labels = {d: textes.date_fr(d) for d in chosen}


def for_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the chosen dates, latest first, with the date as the series name."""
    rows = frame[frame["date"].isin(chosen)].copy()
    rows["serie"] = rows["date"].map(date_labels)
    rows["_rang"] = rows["date"].map({d: i for i, d in enumerate(chosen)})
    return rows.sort_values("_rang", kind="stable")


def value_table(frame: pd.DataFrame, theta: str, title: str) -> None:
    """The radar's values as a table, readable without hovering (projector)."""
    wide = frame.pivot_table(index=theta, columns="serie", values="part_fait", sort=False, aggfunc="first")
    wide = wide[[date_labels[d] for d in chosen if date_labels[d] in wide.columns]]
    text = wide.map(lambda v: textes.pourcentage(v)).reset_index().rename(columns={theta: title})
    st.dataframe(text, hide_index=True, width="stretch")


left, right = st.columns(2, gap="large")
with left:
    st.subheader("Par catégorie de sous-actions", anchor=False)
    categories = for_dates(lecture.category_scores(collectivite, nom=ref.nom))
    categories["categorie"] = categories["categorie"].str.capitalize()
    st.plotly_chart(charts.radar(categories, "categorie", "serie"), theme=None, key="radar_categories",
                    config=charts.chart_config(f"radar-categories-{chosen[0].isoformat()}"))
    value_table(categories, "categorie", "Catégorie")
    st.caption("Bases : connaître et organiser ; mise en œuvre : agir ; effets : résultats mesurés. "
               "% fait = points faits / potentiel de la catégorie.")

with right:
    if axe == "tous":
        st.subheader("Par axe", anchor=False)
        frame = for_dates(lecture.level_scores(collectivite, "axe", nom=ref.nom))
        frame["theta"] = [textes.shorten(textes.axe_label(a, n), 17) for a, n in zip(frame["action_id"], frame["nom"])]
        frame["survol"] = [textes.axe_label(a, n) for a, n in zip(frame["action_id"], frame["nom"])]
        title = "Axe"
    else:
        st.subheader(f"Par mesure — {textes.plain(textes.axe_label(axe, axe_names[axe]))}", anchor=False)
        if len(axe_names) == 1:
            st.caption("Un seul axe est chargé : le radar montre ses mesures.")
        frame = for_dates(lecture.level_scores(collectivite, "mesure", parent=axe, nom=ref.nom))
        frame["theta"] = frame["action_id"]
        frame["survol"] = [f"{a} {textes.shorten(n, 44)}" for a, n in zip(frame["action_id"], frame["nom"])]
        title = "Mesure"
    st.plotly_chart(charts.radar(frame, "theta", "serie", hover_column="survol"), theme=None, key="radar_axes",
                    config=charts.chart_config(f"radar-{'axes' if axe == 'tous' else 'axe-' + axe}-"
                                                f"{chosen[0].isoformat()}"))
    value_table(frame.assign(theta=frame["survol"]), "theta", title)
