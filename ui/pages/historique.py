"""Historique: the score réalisé at each evaluation (the whole referential, each axe, and the
mesures asked for), then two evaluations compared: points gained or lost per mesure and the
statuses that changed."""

import pandas as pd
import streamlit as st

from cae_data import charts
from ui import lecture, textes, widgets_scores

NIVEAU_LABELS = {"axe": "Axe", "sous-axe": "Sous-axe", "mesure": "Mesure", "sous-action": "Sous-action",
                 "tache": "Tâche"}

st.title("Historique")
evaluation = widgets_scores.choose_evaluation("historique", with_date=False)
ref = evaluation.referentiel
collectivite, dates = evaluation.collectivite, evaluation.dates
nodes = ref.nodes

# --- evolution -----------------------------------------------------------------------------
st.subheader("Évolution du score réalisé", anchor=False)
mesures = lecture.mesures(ref.nom)
names = dict(zip(mesures["action_id"], mesures["nom"]))
axes_count = int((nodes["niveau"] == "axe").sum())
options_column, mesures_column = st.columns([1, 2])
with_axes = options_column.toggle("Une ligne par axe", value=axes_count > 1, key="historique_axes",
                                  disabled=axes_count < 2,
                                  help=None if axes_count > 1
                                  else "Un seul axe est chargé : sa ligne est le score global.")
chosen = mesures_column.multiselect("Ajouter des mesures", list(names), key="historique_mesures",
                                    format_func=lambda m: f"{m} — {names[m]}",
                                    placeholder="Choisissez des mesures à suivre")

table = lecture.evaluations(ref.nom)
lines = [table[table["collectivite"] == collectivite][["date", "part_fait"]].assign(serie="Score global")]
if with_axes:
    axes = lecture.level_scores(collectivite, "axe", nom=ref.nom)
    lines.append(axes[["date", "part_fait"]].assign(
        serie=[textes.shorten(textes.axe_label(a, n), 40) for a, n in zip(axes["action_id"], axes["nom"])]))
if chosen:
    rows = lecture.level_scores(collectivite, "mesure", nom=ref.nom)
    rows = rows[rows["action_id"].isin(chosen)]
    rows = rows.assign(_rang=rows["action_id"].map({m: i for i, m in enumerate(chosen)})).sort_values(
        ["_rang", "date"], kind="stable")
    lines.append(rows[["date", "part_fait"]].assign(
        serie=[f"{a} {textes.shorten(n, 36)}" for a, n in zip(rows["action_id"], rows["nom"])]))
figure = charts.history_lines(pd.concat(lines, ignore_index=True), "serie")
st.plotly_chart(figure, theme=None, key="historique_lignes",
                config=charts.chart_config(f"historique-{textes.fold(collectivite).replace(' ', '-')}"))
if len(dates) == 1:
    st.info(f"Une seule évaluation pour l'instant (le {textes.date_fr(dates[0])}) : les courbes "
            "commenceront avec la suivante.")

# --- two evaluations compared --------------------------------------------------------------
st.subheader("Comparer deux évaluations", anchor=False)
if len(dates) < 2:
    st.info("Il faut au moins deux évaluations pour les comparer.")
    st.stop()
newest_first = dates[::-1]
before_column, after_column, _ = st.columns([1, 1, 2])
after = after_column.selectbox("Après", newest_first, index=0, key="historique_apres", format_func=textes.date_fr)
before = before_column.selectbox("Avant", newest_first, index=1, key="historique_avant", format_func=textes.date_fr)
if before == after:
    st.info("Choisissez deux dates différentes.")
    st.stop()
if before > after:
    st.caption("La date « avant » est postérieure à la date « après » : les écarts se lisent à rebours.")

own = table[table["collectivite"] == collectivite].set_index("date")
change = own.loc[after, "point_fait"] - own.loc[before, "point_fait"]
st.markdown(
    f"Score réalisé : **{textes.pourcentage(own.loc[before, 'part_fait'])}** au {textes.date_fr(before)} → "
    f"**{textes.pourcentage(own.loc[after, 'part_fait'])}** au {textes.date_fr(after)} "
    f"({textes.ecart_points(change)} point{'s faits' if abs(round(change, 1)) >= 2 else ' fait'})"
)

st.markdown("**Points faits gagnés ou perdus, par mesure**")
delta = lecture.points_delta(collectivite, before, after, ref.nom)
if delta.empty:
    st.info("Aucune mesure n'a gagné ni perdu de points entre ces deux dates.")
else:
    delta = delta.assign(label=[f"{a} {textes.shorten(n, 44)}" for a, n in zip(delta["action_id"], delta["nom"])],
                         survol=[f"{a} {n}" for a, n in zip(delta["action_id"], delta["nom"])])
    st.plotly_chart(charts.points_delta_bars(delta, hover_column="survol"), theme=None, key="historique_ecarts",
                    config=charts.chart_config(f"ecarts-{before.isoformat()}-{after.isoformat()}"))

changes = lecture.status_changes(collectivite, before, after, ref.nom)
st.markdown(f"**Statuts modifiés : {textes.nombre(len(changes))}**")
if changes.empty:
    st.info("Aucun statut n'a changé entre ces deux dates.")
else:
    shown = pd.DataFrame({
        "Action": changes["action_id"],
        "Intitulé": changes["nom"].astype(str),
        "Niveau": changes["niveau"].map(NIVEAU_LABELS).fillna(changes["niveau"]),
        "Avant": changes["statut_avant"],
        "Après": changes["statut_apres"],
        "Commentaire": changes["commentaire_apres"],
    })
    st.dataframe(shown, hide_index=True, row_height=44, height=min(44 * (len(shown) + 1) + 3, 44 * 16),
                 column_config={
                     "Action": st.column_config.TextColumn(width=110, pinned=True),
                     "Intitulé": st.column_config.TextColumn(width=330),
                     "Niveau": st.column_config.TextColumn(width=115),
                     "Avant": st.column_config.TextColumn(width=380),
                     "Après": st.column_config.TextColumn(width=380),
                     "Commentaire": st.column_config.TextColumn(width="medium"),
                 })
