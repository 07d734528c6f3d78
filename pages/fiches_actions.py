"""Fiches-actions: each fiche of the PCAET as a readable card (context, objectives, impacts,
sous-actions, steering, means, indicators, CAE measures served). `?fiche=<id>` selects one."""

import streamlit as st

from pages import _ui

st.title("Fiches-actions")
_ui.require_database()

fiches = _ui.fiches()
if not fiches:
    st.info("Aucune fiche-action pour l'instant.", icon=":material/assignment:")
    st.markdown("La commande `pcaet init` charge la fiche-action des documents de départ.")
    st.stop()

by_id = {fiche.fiche_id: fiche for fiche in fiches}
wanted = st.query_params.get("fiche")
if wanted and wanted != st.session_state.get("fiche_lien_applique"):
    st.session_state["fiche_lien_applique"] = wanted
    if wanted in by_id:
        st.session_state["fiche_choisie"] = wanted
    else:
        st.warning(f"La fiche-action « {_ui.plain(wanted)} » n'existe pas.")

if len(fiches) > 1:
    if st.session_state.get("fiche_choisie") not in by_id:
        st.session_state["fiche_choisie"] = fiches[0].fiche_id
    fiche_id = st.selectbox(
        f"Fiche-action ({_ui.nombre(len(fiches))} dans le plan)", list(by_id), key="fiche_choisie",
        format_func=lambda f: f"{by_id[f].titre} — {by_id[f].collectivite}" if by_id[f].collectivite else by_id[f].titre,
    )
else:
    fiche_id = fiches[0].fiche_id
st.query_params["fiche"] = fiche_id
st.session_state["fiche_lien_applique"] = fiche_id
fiche = by_id[fiche_id]
mesures = _ui.mesures()
mesure_names = {} if mesures is None else dict(zip(mesures["action_id"], mesures["nom"]))


def show_indicateur(indicateur) -> None:
    """One indicator: name, unit, direction, targets. (Its chart of values goes here.)"""
    with st.container(border=True):
        st.markdown(f"**{_ui.plain(indicateur.nom)}**")
        sens = ("à la hausse : plus la valeur est haute, mieux c'est" if indicateur.sens == "hausse"
                else "à la baisse : plus la valeur est basse, mieux c'est")
        lines = [f"Unité : {_ui.or_missing(indicateur.unite, 'non précisée')}",
                 f"Objectif {sens}"]
        if indicateur.cibles:
            lines.append("Cibles : " + " ; ".join(
                f"{annee} : {_ui.nombre(valeur, 0 if float(valeur).is_integer() else 1)}"
                for annee, valeur in sorted(indicateur.cibles.items())))
        else:
            lines.append("Cibles : *aucune cible chiffrée dans la fiche*")
        if indicateur.source:
            lines.append(f"Source : {_ui.plain(indicateur.source)}")
        st.markdown("  \n".join(lines))
        if indicateur.description:
            st.markdown(_ui.plain(indicateur.description))


# --- the card -----------------------------------------------------------------------------
with st.container(border=True):
    st.header(_ui.plain(fiche.titre), anchor=False)
    st.markdown(
        f"**État :** {_ui.etat_highlight(fiche.etat)} &nbsp; "
        f"**Période :** {_ui.periode(fiche.annee_debut, fiche.annee_fin)} &nbsp; "
        f"**Collectivité :** {_ui.or_missing(fiche.collectivite)}"
    )
    if fiche.axe:
        st.markdown(f"**Axe :** {_ui.plain(fiche.axe)}")
    if fiche.orientation:
        st.markdown(f"**Orientation :** {_ui.plain(fiche.orientation)}")

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Enjeux et contexte", anchor=False)
        st.markdown(_ui.or_missing(fiche.enjeux))
    with right:
        st.subheader("Objectifs", anchor=False)
        st.markdown(_ui.or_missing(fiche.objectifs))

    st.subheader("Impacts", anchor=False)
    st.markdown(" &nbsp; ".join(
        _ui.highlight(f"**{_ui.plain(impact.libelle)}**", "green", ":material/check_box:") if impact.coche
        else f":gray[:material/check_box_outline_blank: {_ui.plain(impact.libelle)}]"
        for impact in fiche.impacts
    ))
    if not fiche.impacts_coches:
        st.caption("Aucun impact n'est coché dans la fiche.")

    st.subheader(f"Sous-actions ({len(fiche.sous_actions)})", anchor=False)
    if not fiche.sous_actions:
        st.markdown("*Aucune sous-action décrite.*")
    for sous_action in fiche.sous_actions:
        with st.container(border=True):
            st.markdown(f"**Sous-action {sous_action.numero}** &nbsp; {_ui.etat_highlight(sous_action.etat)}")
            st.markdown(_ui.or_missing(sous_action.descriptif))
            st.markdown(
                f"**Public cible :** {_ui.or_missing(sous_action.public_cible)}  \n"
                f"**Calendrier :** {_ui.periode(sous_action.annee_debut, sous_action.annee_fin)}"
            )

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Pilotage", anchor=False)
        st.markdown(
            f"**Maître d'ouvrage :** {_ui.or_missing(fiche.pilotage.maitre_ouvrage)}  \n"
            f"**Partenaires :** {_ui.or_missing(fiche.pilotage.partenaires)}"
        )
    with right:
        st.subheader("Moyens", anchor=False)
        st.markdown(f"**Partenaires et dispositif financier :** "
                    f"{_ui.or_missing(fiche.moyens.partenaires_financiers)}")

    st.subheader(f"Indicateurs de suivi ({len(fiche.indicateurs)})", anchor=False)
    if not fiche.indicateurs:
        st.markdown("*Aucun indicateur dans la fiche.*")
    for row_start in range(0, len(fiche.indicateurs), 3):
        for column, indicateur in zip(st.columns(3), fiche.indicateurs[row_start:row_start + 3]):
            with column:
                show_indicateur(indicateur)

    st.subheader("Mesures du référentiel CAE servies", anchor=False)
    if not fiche.mesures:
        st.markdown("*Aucune mesure rattachée à cette fiche.*")
    for action_id in fiche.mesures:
        nom = mesure_names.get(action_id)
        if nom is None:
            st.markdown(f"{_ui.plain(action_id)} — *absente du référentiel chargé*")
        else:
            st.page_link(_ui.PAGE_REFERENTIEL, label=f"{action_id} — {nom}", icon=":material/account_tree:",
                         query_params={"mesure": action_id})
