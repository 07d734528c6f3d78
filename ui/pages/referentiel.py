"""Référentiel: the loaded referential, axe → sous-axe → mesure → sous-actions → tâches, with
points, category and texts. One mesure is shown at a time (chosen by axe, search or `?mesure=`),
so the page stays quick with the 1 500 nodes of the full referential."""

import re

import streamlit as st

from ui import lecture, routes, textes

st.title("Référentiel")
lecture.require_database()

ref = lecture.referentiel()
if ref is None:
    st.warning("Aucun référentiel « cae » dans la base. Chargez-le avec cette commande, "
               "dans le dossier du projet :")
    st.code(textes.IMPORT_REFERENTIEL_COMMAND, language="bash")
    st.stop()

nodes = ref.nodes
by_id = nodes.set_index("action_id")
mesures = lecture.mesures()
counts = nodes["niveau"].value_counts()

# --- summary of the loaded referential (one line: the mesure below should fit the screen) ---
NIVEAUX = [("axe", "axe", "axes"), ("sous-axe", "sous-axe", "sous-axes"), ("mesure", "mesure", "mesures"),
           ("sous-action", "sous-action", "sous-actions"), ("tache", "tâche", "tâches")]
sizes = [f"**{textes.nombre(int(counts.get(niveau, 0)))}** {one if counts.get(niveau, 0) < 2 else many}"
         for niveau, one, many in NIVEAUX]
sizes.append(f"**{textes.points_label(by_id.loc['', 'point_referentiel'])}**")
source = textes.SOURCE_LABELS.get(ref.source_kind, ref.source_kind)
st.markdown(f"**{textes.plain(ref.titre)}** ({source}) : " + " · ".join(sizes))
if ref.source and ref.source_kind != "seed":
    st.caption(f"Chargé depuis {textes.plain(ref.source)}")

if ref.source_kind == "seed":
    ids = mesures["action_id"].tolist()
    listed = ", ".join(ids[:-1]) + " et " + ids[-1] if len(ids) > 1 else ", ".join(ids)
    st.info(
        f"Seuls les documents de départ sont chargés : le référentiel ne contient que "
        f"{len(ids)} mesure{'s' if len(ids) > 1 else ''} du référentiel Climat-Air-Énergie ({listed}). "
        "Pour charger le référentiel complet, lancez dans le dossier du projet :\n\n"
        f"```bash\n{textes.IMPORT_REFERENTIEL_COMMAND}\n```",
        icon=":material/info:",
    )


def node_label(action_id: str) -> str:
    """« Axe 1 — Planification territoriale », « 1.1 Stratégie globale… », or the title alone
    when it already says « Axe 6 » (seed documents)."""
    nom = str(by_id.loc[action_id, "nom"])
    if textes.fold(nom).startswith(("axe ", "sous-axe ")):
        return nom
    if by_id.loc[action_id, "niveau"] == "axe":
        return f"Axe {action_id} — {nom}"
    return f"{action_id} {nom}"


# --- choosing a mesure --------------------------------------------------------------------
ID_QUERY = re.compile(r"^\d+(\.[0-9A-Za-z_]+)*\.?$")
mesure_ids = mesures["action_id"].tolist()

# A deep link (?mesure=6.1.1) selects its mesure once; the choice is then written back to the URL.
wanted = st.query_params.get("mesure")
if wanted and wanted != st.session_state.get("ref_lien_applique"):
    st.session_state["ref_lien_applique"] = wanted
    if wanted in mesure_ids:
        st.session_state["ref_axe"] = wanted.split(".")[0]
        st.session_state["ref_recherche"] = ""
        st.session_state["ref_mesure"] = wanted
    else:
        st.warning(f"La mesure « {textes.plain(wanted)} » n'existe pas dans le référentiel chargé.")

st.subheader("Choisir une mesure", anchor=False)
axe_column, search_column, mesure_column = st.columns([3, 2, 5])
axe_ids = nodes.loc[nodes["niveau"] == "axe", "action_id"].tolist()
axe = axe_column.selectbox(
    "Axe", ["tous"] + axe_ids, key="ref_axe",
    format_func=lambda a: ("Tous les axes" if a == "tous"
                           else f"{node_label(a)} ({textes.points_label(by_id.loc[a, 'point_referentiel'])})"),
)
query = search_column.text_input("Rechercher (numéro ou mots)", key="ref_recherche",
                                 placeholder="ex. 6.1.1, concertation")

shown = mesures if axe == "tous" else mesures[mesures["axe_id"] == axe]
folded = textes.fold(query)
if folded:
    if ID_QUERY.match(folded):
        wanted_id = folded.rstrip(".")
        shown = shown[shown["action_id"].map(
            lambda m: m == wanted_id or m.startswith(wanted_id + ".") or wanted_id.startswith(m + "."))]
    else:
        patterns = textes.search_patterns(query)
        shown = shown[shown["recherche"].map(lambda text: textes.matches(text, patterns))]
        # mesures whose own title matches come first
        in_title = shown["titre_recherche"].map(lambda text: textes.matches(text, patterns))
        shown = shown.assign(_rang=~in_title).sort_values("_rang", kind="stable")

if shown.empty:
    mesure_column.info(f"Aucune mesure ne correspond à « {textes.plain(query)} »"
                       + ("" if axe == "tous" else " dans cet axe") + ".")
    st.stop()

options = shown["action_id"].tolist()
if st.session_state.get("ref_mesure") not in options:
    st.session_state["ref_mesure"] = options[0]
mesure_id = mesure_column.selectbox(
    "Mesure", options, key="ref_mesure",
    format_func=lambda m: f"{m} — {by_id.loc[m, 'nom']} ({textes.points_label(by_id.loc[m, 'point_referentiel'])})",
)
st.caption(f"{textes.nombre(len(options))} mesure{'s' if len(options) > 1 else ''} "
           f"sur {textes.nombre(len(mesure_ids))} selon l'axe et la recherche")
st.query_params["mesure"] = mesure_id
st.session_state["ref_lien_applique"] = mesure_id

# --- the selected mesure ------------------------------------------------------------------
mesure = by_id.loc[mesure_id]
parents = []
parent = mesure["parent_id"]
while parent:
    parents.insert(0, node_label(parent))
    parent = by_id.loc[parent, "parent_id"]

st.divider()
st.caption(" › ".join(textes.plain(p) for p in parents))
st.header(f"{mesure_id} {textes.plain(mesure['nom'])}", anchor=False)
st.markdown(textes.highlight(f"**{textes.points_label(mesure['point_referentiel'])}**", "green", ":material/star:"))

linked = lecture.fiches_for_mesure(mesure_id, ref.nom)
if len(linked):
    st.markdown("**Fiches-actions qui servent cette mesure :**")
    for row in linked.itertuples():
        st.page_link(routes.FICHES.path, label=row.titre, icon=":material/assignment:",
                     query_params={"fiche": row.fiche_id})

textes.show_texts(mesure["description"], mesure["textes"])

children = nodes[nodes["parent_id"] == mesure_id]
st.subheader(f"{textes.nombre(len(children))} sous-action{'s' if len(children) > 1 else ''}", anchor=False)
for sous_action in children.itertuples():
    label = (f"**{sous_action.action_id}** {textes.plain(sous_action.nom)} — "
             f"{textes.points_label(sous_action.point_referentiel)}")
    if sous_action.categorie:
        label += " " + textes.categorie_badge(sous_action.categorie)
    with st.expander(label):
        share = sous_action.pourcentage
        if share == share:  # not NaN
            share_text = textes.pourcentage(share / 100, 0 if float(share).is_integer() else 1)
            st.caption(f"{share_text} des points de la mesure")
        textes.markdown_safe(sous_action.description)
        for title, text in (sous_action.textes or {}).items():
            st.markdown(f"**{textes.plain(title)}**")
            textes.markdown_safe(text)
        taches = nodes[nodes["parent_id"] == sous_action.action_id]
        if len(taches):
            st.markdown(f"**{textes.nombre(len(taches))} tâche{'s' if len(taches) > 1 else ''}**")
        for tache in taches.itertuples():
            line = (f"**{tache.action_id}** {textes.plain(tache.nom)} — "
                    f"*{textes.points_label(tache.point_referentiel)}*")
            if tache.collectivite_type:
                line += " " + textes.highlight(
                    textes.plain(textes.COLLECTIVITE_TYPE_LABELS.get(tache.collectivite_type, tache.collectivite_type)),
                    "violet", ":material/location_city:")
            with st.container(border=True):
                st.markdown(line)
                textes.markdown_safe(tache.description)
