"""Fiches-actions: the list of the PCAET's fiches with their indicators' trends and alerts, then
one fiche as a readable card (context, objectives, impacts, sous-actions with their calendar,
steering, means, indicators charted against their targets, CAE measures served), the entry of
one indicator value and the import of a file of values. `?fiche=<id>` selects one."""


import pandas as pd
import streamlit as st

from cae_data import charts, clock, palette, services
from cae_data.errors import InvalidInput
from cae_data.fiches import indicateurs
from cae_data.fiches.model import ETATS
from ui import lecture, routes, session, textes, widgets_indicateurs

st.title("Fiches-actions")
lecture.require_database()

fiches = lecture.fiches()
if not fiches:
    st.info("Aucune fiche-action pour l'instant.", icon=":material/assignment:")
    st.markdown("La commande `pcaet init` charge la fiche-action des documents de départ.")
    st.stop()

today = clock.today()
comite = widgets_indicateurs.last_comite_before(today)
overview = lecture.indicateur_overview(today, comite)
by_id = {fiche.fiche_id: fiche for fiche in fiches}


def indicateur_rows(fiche_id: str) -> pd.DataFrame:
    """The list's table of one fiche's indicators: last value, trend, status, alerts."""
    rows = overview[overview["fiche_id"] == fiche_id]
    return pd.DataFrame({
        "Indicateur": rows["nom"].astype(str).to_numpy(),
        "Dernière valeur": [textes.valeur_text(v, u) + ("" if d is None or pd.isna(d) else f" au {textes.date_fr(d)}")
                            for v, u, d in zip(rows["last_value"], rows["unite"], rows["last_date"])],
        "Évolution": [lecture.indicateur_values(i)["valeur"].astype(float).tolist() for i in rows["indicateur_id"]],
        "Cible": [textes.valeur_text(v, u) + ("" if pd.isna(y) else f" en {int(y)}")
                  for v, u, y in zip(rows["target"], rows["unite"], rows["target_year"])],
        "Statut": [indicateurs.STATUT_INDICATEUR_LABELS.get(s, s) for s in rows["status"]],
        "Alertes": [" ; ".join(indicateurs.indicateur_flags(row)) or "—" for _, row in rows.iterrows()],
    })


# --- the list -----------------------------------------------------------------------------
st.subheader(f"Les fiches du plan ({textes.nombre(len(fiches))})", anchor=False)
etats = list(ETATS)
linked = sorted({m for f in fiches for m in f.mesures})
left, right = st.columns(2)
chosen_etats = left.multiselect("Filtrer par état", etats, placeholder="Tous les états", key="fiches_etats")
chosen_mesures = right.multiselect("Filtrer par mesure du référentiel servie", linked,
                                   placeholder="Toutes les mesures", key="fiches_mesures")
shown = [f for f in fiches if (not chosen_etats or f.etat in chosen_etats)
         and (not chosen_mesures or set(f.mesures) & set(chosen_mesures))]
if not shown:
    st.info("Aucune fiche-action ne correspond à ces filtres.")
for item in shown:
    with st.container(border=True):
        st.markdown(
            f"#### {textes.plain(item.titre)}\n"
            f"**État :** {textes.etat_highlight(item.etat)} &nbsp; "
            f"**Maître d'ouvrage :** {textes.or_missing(item.pilotage.maitre_ouvrage)} &nbsp; "
            f"**Période :** {textes.periode(item.annee_debut, item.annee_fin)}"
        )
        table = indicateur_rows(item.fiche_id)
        if table.empty:
            st.caption("Aucun indicateur dans cette fiche.")
        else:
            st.dataframe(table, hide_index=True, width="stretch", column_config={
                "Indicateur": st.column_config.TextColumn("Indicateur", width="large"),
                "Évolution": st.column_config.LineChartColumn("Évolution", width="small"),
                "Alertes": st.column_config.TextColumn("Alertes", width="medium"),
            })
        if len(fiches) > 1 and st.button("Voir la fiche", key=f"voir-{item.fiche_id}"):
            st.session_state["fiche_choisie"] = item.fiche_id

st.divider()
wanted = st.query_params.get("fiche")
if wanted and wanted != st.session_state.get("fiche_lien_applique"):
    st.session_state["fiche_lien_applique"] = wanted
    if wanted in by_id:
        st.session_state["fiche_choisie"] = wanted
    else:
        st.warning(f"La fiche-action « {textes.plain(wanted)} » n'existe pas.")

if len(fiches) > 1:
    if st.session_state.get("fiche_choisie") not in by_id:
        st.session_state["fiche_choisie"] = fiches[0].fiche_id
    fiche_id = st.selectbox(
        f"Fiche-action ({textes.nombre(len(fiches))} dans le plan)", list(by_id), key="fiche_choisie",
        format_func=lambda f: (f"{by_id[f].titre} — {by_id[f].collectivite}" if by_id[f].collectivite
                               else by_id[f].titre),
    )
else:
    fiche_id = fiches[0].fiche_id
st.query_params["fiche"] = fiche_id
st.session_state["fiche_lien_applique"] = fiche_id
fiche = by_id[fiche_id]
mesures = lecture.mesures()
mesure_names = {} if mesures is None else dict(zip(mesures["action_id"], mesures["nom"]))


def show_indicateur(indicateur) -> None:
    """One indicator: last value and its change, status sentence, the chart of its values
    against its targets, then its unit, direction and targets."""
    found = overview[overview["indicateur_id"] == indicateur.indicateur_id]
    row = found.iloc[0] if len(found) else None
    values = lecture.indicateur_values(indicateur.indicateur_id)
    with st.container(border=True):
        st.markdown(f"**{textes.plain(indicateur.nom)}**")
        left, right = st.columns([1, 2], gap="large")
        with left:
            if row is not None and not pd.isna(row["last_value"]):
                show_last_value(row, values)
                badge = textes.badge_markdown(indicateurs.STATUT_INDICATEUR_LABELS.get(row["status"], row["status"]),
                                           palette.STATUT_INDICATEUR_BADGES.get(row["status"], "gray"))
                flags = " ".join(textes.badge_markdown(flag, "red", ":material/warning:")
                                 for flag in indicateurs.indicateur_flags(row))
                st.markdown(f"{badge} {flags}")
                st.markdown(textes.plain(indicateurs.projection_sentence(row)))
            else:
                st.info("Aucune valeur saisie pour cet indicateur.")
            show_description(indicateur)
        with right:
            if len(values):
                targets = lecture.indicateur_targets(indicateur.indicateur_id)
                figure = charts.indicateur_chart(
                    values, targets, indicateurs.indicateur_trajectory(values, targets, today),
                    indicateurs.indicateur_projection(values, targets, today), indicateur.nom, indicateur.unite)
                st.plotly_chart(figure, width="stretch", key=f"graphique-{indicateur.indicateur_id}",
                                config=charts.chart_config(f"indicateur-{indicateur.indicateur_id}"))


def show_last_value(row, values: pd.DataFrame) -> None:
    """st.metric of the last value, its change since the previous committee (or, without a
    committee, since the previous value)."""
    unite = row["unite"]
    delta = None
    if comite is not None and not pd.isna(row["change"]):
        delta, since = row["change"], f"depuis le comité du {textes.date_fr(comite)}"
    elif len(values) > 1:
        previous = values.sort_values("date").iloc[-2]
        delta = row["last_value"] - float(previous["valeur"])
        since = f"depuis la valeur du {textes.date_fr(previous['date'])}"
    st.metric(
        f"Dernière valeur, au {textes.date_fr(row['last_date'])}", textes.valeur_text(row["last_value"], unite),
        delta=None if delta is None else f"{textes.ecart_points(delta)} {since}",
        delta_color="normal" if row["sens"] == "hausse" else "inverse",
    )


def show_description(indicateur) -> None:
    sens = ("à la hausse : plus la valeur est haute, mieux c'est" if indicateur.sens == "hausse"
            else "à la baisse : plus la valeur est basse, mieux c'est")
    lines = [f"Unité : {textes.or_missing(indicateur.unite, 'non précisée')}",
             f"Objectif {sens}"]
    if indicateur.cibles:
        lines.append("Cibles : " + " ; ".join(
            f"{annee} : {textes.nombre(valeur, 0 if float(valeur).is_integer() else 1)}"
            for annee, valeur in sorted(indicateur.cibles.items())))
    else:
        lines.append("Cibles : *aucune cible chiffrée dans la fiche*")
    if indicateur.source:
        lines.append(f"Source : {textes.plain(indicateur.source)}")
    st.markdown("  \n".join(lines))
    if indicateur.description:
        st.markdown(textes.plain(indicateur.description))


# --- the card -----------------------------------------------------------------------------
with st.container(border=True):
    st.header(textes.plain(fiche.titre), anchor=False)
    st.markdown(
        f"**État :** {textes.etat_highlight(fiche.etat)} &nbsp; "
        f"**Période :** {textes.periode(fiche.annee_debut, fiche.annee_fin)} &nbsp; "
        f"**Collectivité :** {textes.or_missing(fiche.collectivite)}"
    )
    if fiche.axe:
        st.markdown(f"**Axe :** {textes.plain(fiche.axe)}")
    if fiche.orientation:
        st.markdown(f"**Orientation :** {textes.plain(fiche.orientation)}")

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Enjeux et contexte", anchor=False)
        st.markdown(textes.or_missing(fiche.enjeux))
    with right:
        st.subheader("Objectifs", anchor=False)
        st.markdown(textes.or_missing(fiche.objectifs))

    st.subheader("Impacts", anchor=False)
    st.markdown(" &nbsp; ".join(
        textes.highlight(f"**{textes.plain(impact.libelle)}**", "green", ":material/check_box:") if impact.coche
        else f":gray[:material/check_box_outline_blank: {textes.plain(impact.libelle)}]"
        for impact in fiche.impacts
    ))
    if not fiche.impacts_coches:
        st.caption("Aucun impact n'est coché dans la fiche.")

    st.subheader(f"Sous-actions ({len(fiche.sous_actions)})", anchor=False)
    if not fiche.sous_actions:
        st.markdown("*Aucune sous-action décrite.*")
    for sous_action in fiche.sous_actions:
        with st.container(border=True):
            st.markdown(f"**Sous-action {sous_action.numero}** &nbsp; {textes.etat_highlight(sous_action.etat)}")
            st.markdown(textes.or_missing(sous_action.descriptif))
            st.markdown(
                f"**Public cible :** {textes.or_missing(sous_action.public_cible)}  \n"
                f"**Calendrier :** {textes.periode(sous_action.annee_debut, sous_action.annee_fin)}"
            )
            share = indicateurs.elapsed_share(sous_action.annee_debut, sous_action.annee_fin, today)
            calendrier = textes.periode(sous_action.annee_debut or indicateurs.PLAN_DEBUT,
                                        sous_action.annee_fin or indicateurs.PLAN_FIN)
            st.progress(share, text=f"Temps écoulé au {textes.date_fr(today)} : {textes.pourcentage(share, 0)} "
                                    f"du calendrier {calendrier}")

    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Pilotage", anchor=False)
        st.markdown(
            f"**Maître d'ouvrage :** {textes.or_missing(fiche.pilotage.maitre_ouvrage)}  \n"
            f"**Partenaires :** {textes.or_missing(fiche.pilotage.partenaires)}"
        )
    with right:
        st.subheader("Moyens", anchor=False)
        st.markdown(f"**Partenaires et dispositif financier :** "
                    f"{textes.or_missing(fiche.moyens.partenaires_financiers)}")

    st.subheader(f"Indicateurs de suivi ({len(fiche.indicateurs)})", anchor=False)
    if not fiche.indicateurs:
        st.markdown("*Aucun indicateur dans la fiche.*")
    for indicateur in fiche.indicateurs:
        show_indicateur(indicateur)

    st.subheader("Mesures du référentiel CAE servies", anchor=False)
    if not fiche.mesures:
        st.markdown("*Aucune mesure rattachée à cette fiche.*")
    for action_id in fiche.mesures:
        nom = mesure_names.get(action_id)
        if nom is None:
            st.markdown(f"{textes.plain(action_id)} — *absente du référentiel chargé*")
        else:
            st.page_link(routes.REFERENTIEL.path, label=f"{action_id} — {nom}", icon=":material/account_tree:",
                         query_params={"mesure": action_id})


# --- value entry and import ------------------------------------------------------------------
message = st.session_state.pop("indicateur_message", None)
if message:
    st.success(message, icon=":material/check_circle:")

if fiche.indicateurs and session.can_write():  # readers see the values, not the forms
    st.subheader("Saisir une valeur d'indicateur", anchor=False)
    noms = {i.indicateur_id: i.nom for i in fiche.indicateurs}
    with st.form("saisie_valeur", clear_on_submit=False):
        indicateur_id = st.radio("Indicateur", list(noms), format_func=noms.get, key="saisie_indicateur")
        left, middle = st.columns(2)
        when = left.date_input("Date de la valeur", value=today, format="DD/MM/YYYY", key="saisie_date")
        valeur = middle.text_input("Valeur", key="saisie_valeur", placeholder="ex. 42 ou 12,5")
        commentaire = st.text_input("Commentaire (facultatif)", key="saisie_commentaire")
        submitted = st.form_submit_button("Enregistrer la valeur", type="primary")
    if submitted:
        try:
            outcome = services.add_indicateur_value(lecture.database_path(), indicateur_id, when, valeur, commentaire,
                                                   user=session.current_user(), today=today)
        except InvalidInput as exc:
            st.error("La valeur n'a pas été enregistrée :\n\n"
                     + "\n".join(f"- {textes.plain(problem.message)}" for problem in exc.problems),
                     icon=":material/error:")
        except services.Refused as exc:  # e.g. the role was withdrawn meanwhile
            st.error(str(exc), icon=":material/lock:")
        else:
            texte = {"créée": "Valeur enregistrée", "remplacée": "Valeur remplacée (même date)",
                     "identique": "Cette valeur était déjà enregistrée : rien n'a changé"}[outcome]
            st.session_state["indicateur_message"] = (
                f"{texte} : {textes.plain(noms[indicateur_id])}, {textes.plain(str(valeur).strip())} "
                f"au {textes.date_fr(when)}.")
            st.rerun()

    st.subheader("Importer un fichier de valeurs", anchor=False)
    st.markdown(
        "Un fichier CSV ou Excel avec une ligne par valeur : colonnes **indicateur** (identifiant ou nom), "
        "**date** (JJ/MM/AAAA ou AAAA-MM-JJ), **valeur**, et au choix **cible** et **commentaire**. "
        "Le format complet est décrit dans `docs/import-indicateurs.md`. Une valeur remplace celle "
        "du même indicateur à la même date."
    )
    upload = st.file_uploader("Fichier de valeurs (CSV ou XLSX)", type=["csv", "xlsx", "xls"], key="import_valeurs")
    if upload is not None:
        data = upload.getvalue()
        rows, problems = widgets_indicateurs.check_indicateur_file(data, upload.name, today)
        if problems:
            st.error(f"{len(problems)} problème(s) dans « {textes.plain(upload.name)} » : rien n'a été importé.",
                     icon=":material/error:")
            st.dataframe(textes.problem_table(problems), hide_index=True, width="stretch")
        else:
            st.success(f"Fichier valide : {textes.nombre(len(rows))} ligne(s).", icon=":material/task_alt:")
            apercu = pd.DataFrame({
                "Ligne": rows["line"].to_numpy(),
                "Indicateur": rows["indicateur_id"].astype(str).to_numpy(),
                "Date": [textes.date_fr(d) for d in rows["date"]],
                "Valeur": [textes.valeur_text(v) for v in rows["valeur"]],
                "Cible": [textes.valeur_text(v) for v in rows["cible"]],
                "Commentaire": rows["commentaire"].fillna("").astype(str).to_numpy(),
            })
            st.dataframe(apercu, hide_index=True, width="stretch", height=textes.table_height(len(apercu), 400))
            if st.button("Importer ces valeurs", type="primary", key="importer_valeurs"):
                try:
                    result = services.import_indicateur_values(lecture.database_path(), data, upload.name,
                                                              user=session.current_user(), today=today)
                except InvalidInput as exc:
                    st.error("\n".join(f"- {textes.plain(p.message)}" for p in exc.problems))
                except services.Refused as exc:  # e.g. the role was withdrawn meanwhile
                    st.error(str(exc), icon=":material/lock:")
                else:
                    st.session_state["indicateur_message"] = " ".join(result.messages)
                    st.rerun()
