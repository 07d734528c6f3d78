"""Vue d'ensemble (home page): what élus read at a glance. The collectivity's score réalisé, its
stars and what the next one needs, how its points split between fait, programmé, pas fait and
non renseigné, the score of each axe, and the mesures that moved most since the evaluation
before."""

import streamlit as st

from cae_data import charts
from cae_data.scoring.etoiles import SEUILS
from ui import lecture, routes, textes, widgets_scores

st.title("Vue d'ensemble du label Climat-Air-Énergie")
evaluation = widgets_scores.choose_evaluation("vue")
ref = evaluation.referentiel
collectivite, when, before = evaluation.collectivite, evaluation.date, evaluation.precedente

table = lecture.evaluations(ref.nom)
own = table[table["collectivite"] == collectivite].set_index("date")
now = own.loc[when]
mesures = lecture.mesures(ref.nom)
seeds_only = ref.source_kind == "seed"

st.markdown(
    f"**{textes.plain(collectivite)}** — évaluation du **{textes.date_fr(when)}**"
    + (f" (comparée à celle du {textes.date_fr(before)})" if before else " (première évaluation)")
    + f" — {textes.nombre(len(own))} évaluation{'s' if len(own) > 1 else ''} en tout"
)

# --- score, stars, programmé --------------------------------------------------------------
score_column, etoiles_column, prog_column = st.columns([1, 1.35, 1], gap="medium")
with score_column, st.container(border=True, height="stretch"):
    delta = None
    if before is not None:
        change = (now["part_fait"] - own.loc[before, "part_fait"]) * 100
        text = textes.nombre(abs(change), 1)
        # st.metric colours a delta by its leading ASCII "-"
        delta = "0 point de %" if text == "0,0" else ("+" if change > 0 else "-") + f"{text} points de %"
    st.metric(
        "Score réalisé", textes.pourcentage(now["part_fait"]), delta=delta,
        delta_description=f"depuis le {textes.date_fr(before)}" if before else None,
        delta_arrow="off" if delta and delta.startswith("0") else "auto",
        chart_data=(own["part_fait"] * 100).round(1).tolist() if len(own) > 1 else None,
        help="Points faits divisés par le potentiel de points de la collectivité (après personnalisation).",
    )
    st.markdown(f"**{textes.points_faits(now['point_fait'])}** sur "
                f"**{textes.points_label(now['point_potentiel'])}** de potentiel")

with etoiles_column, st.container(border=True, height="stretch"):
    stars = lecture.etoiles_table(ref.nom)
    row = stars[(stars["collectivite"] == collectivite) & (stars["date"] == when)]
    if len(row) and bool(row["referentiel_complet"].iloc[0]):
        row = row.iloc[0]
        etoiles = int(row["etoiles"])
        st.markdown(f"**Étoiles du label : {etoiles} sur 5**")
        st.markdown(f"# :orange[{'★' * etoiles}]:gray[{'☆' * (5 - etoiles)}]")
        if etoiles == 5:
            st.markdown("Toutes les étoiles du label sont atteintes.")
        else:
            prochaine = int(row["prochaine_etoile"])
            missing = lecture.etoile_criteria(collectivite, when, ref.nom)
            missing = missing[(missing["etoile"] == prochaine) & ~missing["satisfait"] & (missing["action_id"] != "")]
            rang = "1ʳᵉ" if prochaine == 1 else f"{prochaine}ᵉ"
            parts = []
            if SEUILS[prochaine] > 0:  # the 1st star has no threshold: only mandatory actions
                parts.append(f"score réalisé d'au moins {textes.pourcentage(SEUILS[prochaine], 0)}, "
                             + (f"encore **{textes.points_label(row['points_manquants'])}** à faire"
                                if row["points_manquants"] > 0 else "seuil atteint"))
            if len(missing):
                count = len(missing)
                parts.append(f"**{count} action{'s' if count > 1 else ''} obligatoire{'s' if count > 1 else ''}** "
                             "à réaliser")
            st.markdown(f"**Prochaine étoile ({rang})** : " + " ; ".join(parts))
            if len(missing):
                with st.expander("Actions obligatoires manquantes", icon=":material/priority_high:"):
                    st.markdown("\n".join(f"- {textes.plain(critere)}" for critere in missing["critere"]))
            st.page_link(routes.PROCHAINE_ETOILE.path, label="Simuler la prochaine étoile", icon=":material/star:")
    else:
        st.markdown("**Étoiles du label**")
        if seeds_only:
            st.info(f"Le score couvre uniquement les {len(mesures)} mesures chargées (documents de départ) : "
                    "les étoiles du label demandent le référentiel complet.", icon=":material/info:")
        else:
            st.info(f"Le référentiel chargé ne contient pas toutes les mesures du label ({len(mesures)} mesures) : "
                    "les étoiles demandent le référentiel complet.", icon=":material/info:")
        with st.expander("Comment charger le référentiel complet ?", icon=":material/terminal:"):
            st.markdown("Lancez cette commande dans le dossier du projet :")
            st.code(textes.IMPORT_REFERENTIEL_COMMAND, language="bash")

with prog_column, st.container(border=True, height="stretch"):
    st.metric("Fait ou programmé", textes.pourcentage(now["part_fait"] + now["part_programme"]),
              help="Le score réalisé si tout ce qui est programmé était fait.")
    st.markdown(f"dont **{textes.pourcentage(now['part_programme'])}** programmé "
                f"({textes.points_label(now['point_programme'])})")

# --- how the points split ------------------------------------------------------------------
st.subheader("Répartition des points", anchor=False)
split = own.loc[[when]].assign(label=collectivite)
figure = charts.status_bars(split, bar_height=76, show_labels=False, text_size=22)
st.plotly_chart(figure, theme=None, config=charts.chart_config(f"repartition-des-points-{when.isoformat()}"),
                key="vue_repartition")

def show_moves(moves) -> None:
    """The moves as a table: mesure (link to its detail), points before → after, change."""
    with st.container(border=True):
        widths = [5, 2.6, 1.2]
        header = st.columns(widths, vertical_alignment="bottom")
        header[0].markdown("**Mesure**")
        header[1].markdown("**Fait**")
        header[2].markdown("**Points**")
        for move in moves.itertuples():
            cells = st.columns(widths, vertical_alignment="center")
            widgets_scores.mesure_link(move.action_id, textes.shorten(move.nom, 26), cells[0])
            before_text, after_text = charts.share_text(move.part_fait_avant), charts.share_text(move.part_fait_apres)
            cells[1].markdown(f"{before_text} → **{after_text}**")
            colour = "green" if move.delta_point_fait > 0 else "red"
            sign = ":material/arrow_upward:" if move.delta_point_fait > 0 else ":material/arrow_downward:"
            cells[2].markdown(f":{colour}[{sign} **{textes.ecart_points(move.delta_point_fait)}**]")



# --- per axe, and what moved ---------------------------------------------------------------
axes_column, moves_column = st.columns([1, 1], gap="large")
with axes_column:
    axes = lecture.level_scores(collectivite, "axe", nom=ref.nom)
    axes = axes[axes["date"] == when]
    if len(axes) > 1:
        st.subheader("Score par axe", anchor=False)
        shown = axes.assign(label=[textes.axe_label(a, n) for a, n in zip(axes["action_id"], axes["nom"])])
        filename = "score-par-axe"
    else:  # one axe (the seed documents): its mesures say more
        st.subheader("Score par mesure", anchor=False)
        st.caption("Un seul axe est chargé : le score est montré mesure par mesure.")
        shown = lecture.level_scores(collectivite, "mesure", nom=ref.nom)
        shown = shown[shown["date"] == when]
        shown = shown.assign(label=[f"{a} {textes.shorten(n, 30)}" for a, n in zip(shown["action_id"], shown["nom"])])
        filename = "score-par-mesure"
    figure = charts.share_bars(shown, hover_column="nom")
    st.plotly_chart(figure, theme=None, config=charts.chart_config(f"{filename}-{when.isoformat()}"),
                    key="vue_axes")

with moves_column:
    st.subheader("Les mesures qui ont le plus bougé", anchor=False)
    if before is None:
        st.info("C'est la première évaluation de la collectivité : rien à comparer encore.")
    else:
        moves = lecture.biggest_moves(collectivite, before, when, n=5, nom=ref.nom)
        st.caption(f"Du {textes.date_fr(before)} au {textes.date_fr(when)}, les mesures dont les points faits ont le "
                   "plus changé ; cliquez sur une mesure pour son détail.")
        if moves.empty:
            st.info(f"Aucune mesure n'a changé depuis le {textes.date_fr(before)}.")
        else:
            show_moves(moves)

# --- elsewhere in the dashboard -------------------------------------------------------------
st.divider()
links = st.columns(5)
links[0].page_link(routes.SCORES.path, label="Scores par mesure", icon=":material/bar_chart:")
links[1].page_link(routes.RADAR.path, label="Radar par catégorie", icon=":material/radar:")
links[2].page_link(routes.HISTORIQUE.path, label="Historique", icon=":material/timeline:")
links[3].page_link(routes.REFERENTIEL.path, label="Parcourir le référentiel", icon=":material/account_tree:")
links[4].page_link(routes.FICHES.path, label="Voir les fiches-actions", icon=":material/assignment:")
