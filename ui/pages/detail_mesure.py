"""Détail d'une mesure: its score at the chosen evaluation, its sous-actions and tâches with their
statuses and the evaluation's comments, its texts, the fiches-actions that serve it and, for the
cooperation mesures, the tools that formalise a cooperation. `?mesure=6.1.1` selects one."""

import streamlit as st

from cae_data import charts
from ui import lecture, routes, textes, widgets_scores

# Mesures about cooperation between territories: the Boîte à outils serves them.
COOPERATION_MESURES = ("6.1.1", "6.1.2")

st.title("Détail d'une mesure")
evaluation = widgets_scores.choose_evaluation("detail")
ref = evaluation.referentiel
collectivite, when, before = evaluation.collectivite, evaluation.date, evaluation.precedente
nodes = ref.nodes
by_id = nodes.set_index("action_id")
mesures = lecture.mesures(ref.nom)
ids = mesures["action_id"].tolist()
names = dict(zip(mesures["action_id"], mesures["nom"]))

# A link (?mesure=6.1.1) selects its mesure when it arrives; the choice is then written back.
wanted = st.query_params.get("mesure")
if wanted and (wanted != st.session_state.get("detail_lien_applique") or "detail_mesure" not in st.session_state):
    st.session_state["detail_lien_applique"] = wanted
    if wanted in ids:
        st.session_state["detail_mesure"] = wanted
    else:
        st.warning(f"La mesure « {textes.plain(wanted)} » n'existe pas dans le référentiel chargé.")
if st.session_state.get("detail_mesure") not in ids:
    st.session_state["detail_mesure"] = ids[0]
mesure_id = st.selectbox("Mesure", ids, key="detail_mesure", format_func=lambda m: f"{m} — {names[m]}")
st.query_params["mesure"] = mesure_id
st.session_state["detail_lien_applique"] = mesure_id

detail = lecture.mesure_detail(collectivite, when, mesure_id, ref.nom)
mesure = detail.iloc[0]
own_type = lecture.collectivite_type(collectivite)

# --- the mesure's score --------------------------------------------------------------------
parents, parent = [], by_id.loc[mesure_id, "parent_id"]
while parent:
    nom = str(by_id.loc[parent, "nom"])
    parents.insert(0, textes.axe_label(parent, nom) if by_id.loc[parent, "niveau"] == "axe" else
                   (nom if textes.fold(nom).startswith("sous-axe") else f"{parent} {nom}"))
    parent = by_id.loc[parent, "parent_id"]
st.divider()
st.caption(" › ".join(textes.plain(p) for p in parents))
st.header(f"{mesure_id} {textes.plain(mesure['nom'])}", anchor=False)

if not mesure["concerne"]:
    st.info("Cette mesure ne concerne pas la collectivité (non concernée ou désactivée par la "
            "personnalisation) : elle ne compte pas dans son score.", icon=":material/block:")

history = lecture.level_scores(collectivite, "mesure", nom=ref.nom)
history = history[history["action_id"] == mesure_id].set_index("date")
delta = None
if before is not None and before in history.index:
    change = (mesure["part_fait"] - history.loc[before, "part_fait"]) * 100
    text = textes.nombre(abs(change), 1)
    delta = "0 point de %" if text == "0,0" else ("+" if change > 0 else "-") + f"{text} points de %"
columns = st.columns([1.4, 1, 1, 1])
columns[0].metric("Score réalisé", textes.pourcentage(mesure["part_fait"]), delta=delta,
                  delta_description=f"depuis le {textes.date_fr(before)}" if delta else None, border=True,
                  delta_arrow="off" if delta and delta.startswith("0") else "auto")
columns[1].metric("Points faits", textes.points(mesure["point_fait"]), border=True,
                  help="Points faits à cette évaluation.")
columns[2].metric("Potentiel de la collectivité", textes.points(mesure["point_potentiel"]), border=True,
                  help="Points que la collectivité peut obtenir sur cette mesure, après personnalisation.")
columns[3].metric("Points du référentiel", textes.points(mesure["point_referentiel"]), border=True,
                  help="Points de la mesure dans le référentiel du label.")
figure = charts.status_bars(detail.iloc[[0]].assign(label=mesure_id), bar_height=64, show_labels=False)
st.plotly_chart(figure, theme=None, key="detail_barre",
                config=charts.chart_config(f"mesure-{mesure_id}-{when.isoformat()}"))


def points_text(row) -> str:
    if not row.concerne:
        return "ne compte pas"
    return f"{textes.points(row.point_fait)} sur {textes.points_label(row.point_potentiel)}"


def variant_text(kind: str | None) -> str:
    """EPCI / commune variant of a seed tâche, and whether it is the collectivity's case."""
    if not kind:
        return ""
    label = textes.plain(textes.COLLECTIVITE_TYPE_LABELS.get(kind, kind))
    if own_type and own_type.lower() == kind.lower():
        return " " + textes.highlight(f"{label} (votre cas)", "violet", ":material/location_city:")
    return " " + f":gray[:material/location_city: {label}]"


def show_comment(text: str) -> None:
    if text.strip():
        st.markdown(f":material/comment: *Commentaire de l'évaluation :* {textes.plain(text)}")


def show_sous_action(row, taches) -> None:
    with st.container(border=True):
        head = f"**{row.action_id}** {textes.plain(row.nom)}"
        if row.categorie:
            head += " " + textes.categorie_badge(row.categorie)
        st.markdown(head)
        st.markdown(f"{textes.statut_highlight(row.code, row.statut)} &nbsp; **{points_text(row)}**"
                    + (f" ({textes.pourcentage(row.part_fait, 0)})" if row.concerne and row.point_potentiel else ""))
        show_comment(row.commentaire)
        if row.description and str(row.description).strip():
            with st.expander("Description"):
                textes.markdown_safe(row.description)
                for title, text in (row.textes if isinstance(row.textes, dict) else {}).items():
                    st.markdown(f"**{textes.plain(title)}**")
                    textes.markdown_safe(text)
        if len(taches):
            label = f"{textes.nombre(len(taches))} tâche{'s' if len(taches) > 1 else ''}"
            with st.expander(label, expanded=row.code == "par_taches"):
                if taches["masque"].any():
                    st.caption("La sous-action a son propre statut : c'est lui qui compte, pas celui des tâches.")
                for tache in taches.itertuples():
                    status = (textes.statut_highlight(tache.code, tache.statut) if not tache.masque
                              else ":gray[statut de la sous-action retenu]")
                    st.markdown(f"{status} &nbsp; **{tache.action_id}** {textes.plain(tache.nom)} — "
                                f"*{points_text(tache)}*{variant_text(tache.collectivite_type)}")
                    if tache.description and str(tache.description).strip():
                        textes.markdown_safe(tache.description)
                    show_comment(tache.commentaire)


main, side = st.columns([2, 1], gap="large")
with main:
    textes.show_texts(mesure["description"], mesure["textes"])
    show_comment(mesure["commentaire"])

    sous_actions = detail[detail["parent_id"] == mesure_id]
    st.subheader(f"{textes.nombre(len(sous_actions))} sous-action{'s' if len(sous_actions) > 1 else ''} "
                 f"au {textes.date_fr(when)}", anchor=False)
    for row in sous_actions.itertuples():
        show_sous_action(row, detail[detail["parent_id"] == row.action_id])

with side:
    st.subheader("Fiches-actions liées", anchor=False)
    linked = lecture.fiches_for_mesure(mesure_id, ref.nom)
    if linked.empty:
        st.markdown("*Aucune fiche-action ne sert cette mesure.*")
    for fiche in linked.itertuples():
        with st.container(border=True):
            etat = f"  \n{textes.etat_highlight(fiche.etat)}" if fiche.etat else ""
            st.markdown(f"**{textes.plain(fiche.titre)}**{etat}")
            st.page_link(routes.FICHES.path, label="Ouvrir la fiche-action", icon=":material/assignment:",
                         query_params={"fiche": fiche.fiche_id})
    if mesure_id in COOPERATION_MESURES:
        st.subheader("Formaliser la coopération", anchor=False)
        outils = lecture.outils()
        st.markdown("Des outils pour formaliser une coopération entre territoires :")
        st.markdown("\n".join(f"- **{textes.plain(outil.titre)}**"
                              + (f" — {textes.plain(outil.partenaires_echelle)}" if outil.partenaires_echelle else "")
                              for outil in outils) or "*Aucun outil chargé.*")
        st.page_link(routes.OUTILS.path, label="Ouvrir la boîte à outils coopération", icon=":material/handshake:")
    st.subheader("Dans le référentiel", anchor=False)
    st.page_link(routes.REFERENTIEL.path, label=f"La mesure {mesure_id} dans le référentiel",
                 icon=":material/account_tree:", query_params={"mesure": mesure_id})
