"""Nouvelle fiche-action: bring a fiche as a YAML file (docs/fiche-action-yaml.md) or type it in
a simple form that builds the same YAML; both go through the same validation (every problem
shown with its line and column), a preview of the card, then a button to save."""

import streamlit as st

from cae_data import services
from cae_data.errors import InvalidInput
from cae_data.fiches import yaml_format
from cae_data.fiches.model import ETATS
from ui import lecture, routes, session, textes, widgets_indicateurs

st.title("Nouvelle fiche-action")
session.require_write()
lecture.require_database()

saved = st.session_state.pop("fiche_enregistree", None)
if saved:
    st.success(f"Fiche-action « {textes.plain(saved[1])} » enregistrée.", icon=":material/check_circle:")
    st.page_link(routes.FICHES.path, label="Voir la fiche", icon=":material/assignment:",
                 query_params={"fiche": saved[0]})

st.markdown(
    "Une fiche-action s'écrit dans un fichier YAML (format décrit dans `docs/fiche-action-yaml.md`) : "
    "déposez-le ci-dessous, ou remplissez le formulaire simplifié. La fiche est vérifiée, "
    "affichée, puis enregistrée d'un clic. Une fiche qui porte le même identifiant est remplacée "
    "(les valeurs de ses indicateurs sont conservées)."
)
fiches = lecture.fiches()
if fiches:
    st.download_button("Télécharger un exemple (la fiche de départ en YAML)",
                       yaml_format.fiche_to_yaml(fiches[0]).encode("utf-8"),
                       file_name="exemple-fiche-action.yaml", mime="application/x-yaml",
                       icon=":material/download:")


def show_problems(problems: list, filename: str) -> None:
    st.error(f"{len(problems)} problème(s) dans « {textes.plain(filename)} » : rien n'a été enregistré.",
             icon=":material/error:")
    st.dataframe(textes.problem_table(problems), hide_index=True, width="stretch")


def preview_and_save(data: bytes, filename: str, key: str) -> None:
    """Validate, show the card, and save on click."""
    fiche, problems = widgets_indicateurs.check_fiche_yaml(data, filename)
    if problems:
        show_problems(problems, filename)
        return
    with st.container(border=True):
        st.subheader(f"Aperçu : {textes.plain(fiche.titre)}", anchor=False)
        st.markdown(
            f"**Identifiant :** `{fiche.fiche_id}` &nbsp; **État :** {textes.etat_highlight(fiche.etat)} &nbsp; "
            f"**Période :** {textes.periode(fiche.annee_debut, fiche.annee_fin)} &nbsp; "
            f"**Collectivité :** {textes.or_missing(fiche.collectivite)}"
        )
        if fiche.enjeux:
            st.markdown(f"**Enjeux :** {textes.plain(fiche.enjeux)}")
        if fiche.objectifs:
            st.markdown(f"**Objectifs :** {textes.plain(fiche.objectifs)}")
        for sa in fiche.sous_actions:
            st.markdown(f"- Sous-action {sa.numero} : {textes.plain(sa.descriptif)} — "
                        f"{textes.etat_highlight(sa.etat)}, {textes.periode(sa.annee_debut, sa.annee_fin)}")
        for ind in fiche.indicateurs:
            cibles = (" ; ".join(f"{a} : {textes.valeur_text(v)}" for a, v in sorted(ind.cibles.items()))
                      or "aucune cible")
            st.markdown(f"- Indicateur **{textes.plain(ind.nom)}** ({textes.or_missing(ind.unite, 'sans unité')}, "
                        f"à la {ind.sens}) — cibles : {cibles}")
        if fiche.mesures:
            st.markdown("**Mesures servies :** " + ", ".join(fiche.mesures))
    if any(f.fiche_id == fiche.fiche_id for f in fiches):
        st.warning(f"Une fiche « {fiche.fiche_id} » existe déjà : elle sera remplacée.")
    if st.button("Enregistrer la fiche-action", type="primary", key=key):
        try:
            stored = services.save_fiche_yaml(lecture.database_path(), data, filename, user=session.current_user())
        except InvalidInput as exc:
            show_problems(exc.problems, filename)
        except services.Refused as exc:
            st.error(str(exc))
        else:
            st.session_state["fiche_enregistree"] = (stored.fiche_id, stored.titre)
            st.rerun()


depot, formulaire = st.tabs(["Déposer un fichier YAML", "Remplir le formulaire"])

with depot:
    upload = st.file_uploader("Fiche-action (YAML)", type=["yaml", "yml"], key="fiche_yaml")
    if upload is not None:
        preview_and_save(upload.getvalue(), upload.name, "enregistrer_yaml")

with formulaire:
    mesures = lecture.mesures()
    mesure_ids = [] if mesures is None else mesures["action_id"].astype(str).tolist()
    mesure_names = {} if mesures is None else dict(zip(mesures["action_id"].astype(str), mesures["nom"]))
    left, right = st.columns(2)
    nb_sous_actions = left.number_input("Nombre de sous-actions", 1, 10, 1, key="nb_sous_actions")
    nb_indicateurs = right.number_input("Nombre d'indicateurs", 0, 10, 1, key="nb_indicateurs")
    with st.form("fiche_formulaire"):
        titre = st.text_input("Titre de la fiche *", key="f_titre")
        collectivite = st.text_input("Collectivité", key="f_collectivite")
        enjeux = st.text_area("Enjeux et contexte", key="f_enjeux")
        objectifs = st.text_area("Objectifs", key="f_objectifs")
        sous_actions = []
        for n in range(int(nb_sous_actions)):
            st.markdown(f"**Sous-action {n + 1}**")
            c1, c2, c3, c4 = st.columns([4, 2, 1, 1])
            sous_actions.append({
                "descriptif": c1.text_input("Descriptif", key=f"sa_desc_{n}"),
                "etat": c2.selectbox("État", list(ETATS), key=f"sa_etat_{n}"),
                "debut": c3.number_input("Début", 2000, 2100, 2024, key=f"sa_debut_{n}"),
                "fin": c4.number_input("Fin", 2000, 2100, 2026, key=f"sa_fin_{n}"),
            })
        indicateurs = []
        for n in range(int(nb_indicateurs)):
            st.markdown(f"**Indicateur {n + 1}**")
            c1, c2, c3, c4, c5 = st.columns([4, 2, 2, 1, 1])
            indicateurs.append({
                "nom": c1.text_input("Nom", key=f"ind_nom_{n}"),
                "unite": c2.text_input("Unité", value="nombre", key=f"ind_unite_{n}"),
                "sens": c3.selectbox("Sens", ["hausse", "baisse"], key=f"ind_sens_{n}",
                                     format_func=lambda s: "à la hausse" if s == "hausse" else "à la baisse"),
                "annee": c4.number_input("Année cible", 2000, 2100, 2026, key=f"ind_annee_{n}"),
                "cible": c5.text_input("Cible", key=f"ind_cible_{n}"),
            })
        chosen = st.multiselect("Mesures du référentiel servies", mesure_ids, key="f_mesures",
                                format_func=lambda m: f"{m} — {mesure_names.get(m, '')}")
        st.form_submit_button("Vérifier la fiche", type="primary")
    if st.session_state.get("f_titre") or any(sa["descriptif"] for sa in sous_actions):
        text = yaml_format.form_yaml(titre, collectivite, enjeux, objectifs, sous_actions, indicateurs, chosen)
        with st.expander("YAML produit par le formulaire"):
            st.code(text, language="yaml")
        preview_and_save(text.encode("utf-8"), "formulaire.yaml", "enregistrer_formulaire")
