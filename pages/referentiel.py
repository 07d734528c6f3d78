"""Référentiel: the loaded referential, axe → sous-axe → mesure → sous-actions → tâches, with
points, category and texts. One mesure is shown at a time (chosen by axe, search or `?mesure=`),
so the page stays quick with the 1 500 nodes of the full referential."""

import re

import streamlit as st

from pages import _ui

st.title("Référentiel")
_ui.require_database()

ref = _ui.referentiel()
if ref is None:
    st.warning("Aucun référentiel « cae » dans la base. Chargez-le avec cette commande, "
               "dans le dossier du projet :")
    st.code(_ui.IMPORT_REFERENTIEL_COMMAND, language="bash")
    st.stop()

nodes = ref.nodes
by_id = nodes.set_index("action_id")
mesures = _ui.mesures()
counts = nodes["niveau"].value_counts()

# --- summary of the loaded referential (one line: the mesure below should fit the screen) ---
NIVEAUX = [("axe", "axe", "axes"), ("sous-axe", "sous-axe", "sous-axes"), ("mesure", "mesure", "mesures"),
           ("sous-action", "sous-action", "sous-actions"), ("tache", "tâche", "tâches")]
sizes = [f"**{_ui.nombre(int(counts.get(niveau, 0)))}** {one if counts.get(niveau, 0) < 2 else many}"
         for niveau, one, many in NIVEAUX]
sizes.append(f"**{_ui.points_label(by_id.loc['', 'point_referentiel'])}**")
source = _ui.SOURCE_LABELS.get(ref.source_kind, ref.source_kind)
st.markdown(f"**{_ui.plain(ref.titre)}** ({source}) : " + " · ".join(sizes))
if ref.source and ref.source_kind != "seed":
    st.caption(f"Chargé depuis {_ui.plain(ref.source)}")

if ref.source_kind == "seed":
    ids = mesures["action_id"].tolist()
    listed = ", ".join(ids[:-1]) + " et " + ids[-1] if len(ids) > 1 else ", ".join(ids)
    st.info(
        f"Seuls les documents de départ sont chargés : le référentiel ne contient que "
        f"{len(ids)} mesure{'s' if len(ids) > 1 else ''} du référentiel Climat-Air-Énergie ({listed}). "
        "Pour charger le référentiel complet, lancez dans le dossier du projet :\n\n"
        f"```bash\n{_ui.IMPORT_REFERENTIEL_COMMAND}\n```",
        icon=":material/info:",
    )


def node_label(action_id: str) -> str:
    """« Axe 1 — Planification territoriale », « 1.1 Stratégie globale… », or the title alone
    when it already says « Axe 6 » (seed documents)."""
    nom = str(by_id.loc[action_id, "nom"])
    if _ui.fold(nom).startswith(("axe ", "sous-axe ")):
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
        st.warning(f"La mesure « {_ui.plain(wanted)} » n'existe pas dans le référentiel chargé.")

st.subheader("Choisir une mesure", anchor=False)
axe_column, search_column, mesure_column = st.columns([3, 2, 5])
axe_ids = nodes.loc[nodes["niveau"] == "axe", "action_id"].tolist()
axe = axe_column.selectbox(
    "Axe", ["tous"] + axe_ids, key="ref_axe",
    format_func=lambda a: "Tous les axes" if a == "tous" else f"{node_label(a)} ({_ui.points_label(by_id.loc[a, 'point_referentiel'])})",
)
query = search_column.text_input("Rechercher (numéro ou mots)", key="ref_recherche",
                                 placeholder="ex. 6.1.1, concertation")

shown = mesures if axe == "tous" else mesures[mesures["axe_id"] == axe]
folded = _ui.fold(query)
if folded:
    if ID_QUERY.match(folded):
        wanted_id = folded.rstrip(".")
        shown = shown[shown["action_id"].map(
            lambda m: m == wanted_id or m.startswith(wanted_id + ".") or wanted_id.startswith(m + "."))]
    else:
        patterns = _ui.search_patterns(query)
        shown = shown[shown["recherche"].map(lambda text: _ui.matches(text, patterns))]
        # mesures whose own title matches come first
        in_title = shown["titre_recherche"].map(lambda text: _ui.matches(text, patterns))
        shown = shown.assign(_rang=~in_title).sort_values("_rang", kind="stable")

if shown.empty:
    mesure_column.info(f"Aucune mesure ne correspond à « {_ui.plain(query)} »"
                       + ("" if axe == "tous" else " dans cet axe") + ".")
    st.stop()

options = shown["action_id"].tolist()
if st.session_state.get("ref_mesure") not in options:
    st.session_state["ref_mesure"] = options[0]
mesure_id = mesure_column.selectbox(
    "Mesure", options, key="ref_mesure",
    format_func=lambda m: f"{m} — {by_id.loc[m, 'nom']} ({_ui.points_label(by_id.loc[m, 'point_referentiel'])})",
)
st.caption(f"{_ui.nombre(len(options))} mesure{'s' if len(options) > 1 else ''} "
           f"sur {_ui.nombre(len(mesure_ids))} selon l'axe et la recherche")
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
st.caption(" › ".join(_ui.plain(p) for p in parents))
st.header(f"{mesure_id} {_ui.plain(mesure['nom'])}", anchor=False)
st.markdown(_ui.highlight(f"**{_ui.points_label(mesure['point_referentiel'])}**", "green", ":material/star:"))

linked = _ui.fiches_for_mesure(mesure_id, ref.nom)
if len(linked):
    st.markdown("**Fiches-actions qui servent cette mesure :**")
    for row in linked.itertuples():
        st.page_link(_ui.PAGE_FICHES, label=row.titre, icon=":material/assignment:",
                     query_params={"fiche": row.fiche_id})

_ui.show_texts(mesure["description"], mesure["textes"])

children = nodes[nodes["parent_id"] == mesure_id]
st.subheader(f"{_ui.nombre(len(children))} sous-action{'s' if len(children) > 1 else ''}", anchor=False)
for sous_action in children.itertuples():
    label = (f"**{sous_action.action_id}** {_ui.plain(sous_action.nom)} — "
             f"{_ui.points_label(sous_action.point_referentiel)}")
    if sous_action.categorie:
        label += " " + _ui.categorie_badge(sous_action.categorie)
    with st.expander(label):
        share = sous_action.pourcentage
        if share == share:  # not NaN
            st.caption(f"{_ui.pourcentage(share / 100, 0 if float(share).is_integer() else 1)} des points de la mesure")
        _ui.markdown_safe(sous_action.description)
        for title, text in (sous_action.textes or {}).items():
            st.markdown(f"**{_ui.plain(title)}**")
            _ui.markdown_safe(text)
        taches = nodes[nodes["parent_id"] == sous_action.action_id]
        if len(taches):
            st.markdown(f"**{_ui.nombre(len(taches))} tâche{'s' if len(taches) > 1 else ''}**")
        for tache in taches.itertuples():
            line = (f"**{tache.action_id}** {_ui.plain(tache.nom)} — "
                    f"*{_ui.points_label(tache.point_referentiel)}*")
            if tache.collectivite_type:
                line += " " + _ui.highlight(
                    _ui.plain(_ui.COLLECTIVITE_TYPE_LABELS.get(tache.collectivite_type, tache.collectivite_type)),
                    "violet", ":material/location_city:")
            with st.container(border=True):
                st.markdown(line)
                _ui.markdown_safe(tache.description)
