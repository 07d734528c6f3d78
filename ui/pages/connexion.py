"""Connexion: name and password of an account (docs/securite.md). Shown alone while accounts
exist and nobody is signed in; in the read-only display mode, reached from « Se connecter »."""

import streamlit as st

from ui import routes, session

current = session.current()
if current is not None and current.nom is not None:
    st.switch_page(routes.VUE_ENSEMBLE.path)  # already signed in (just now, or an old link)

st.title("Tableau de bord PCAET")
st.subheader("Connexion", anchor=False)
if current is not None and current.open_mode:
    st.info("Mode ouvert : aucun compte n'est créé, il n'y a pas à se connecter. Un administrateur crée le premier "
            "compte avec la commande `pcaet utilisateur add NOM --role admin`.", icon=":material/info:")
    st.page_link(routes.VUE_ENSEMBLE.path, label="Aller à la vue d'ensemble", icon=":material/home:")
    st.stop()

st.markdown("Les élus consultent le tableau de bord avec un compte **lecture** ; les chargés de mission importent "
            "et modifient les données avec un compte **édition**. Les comptes sont créés par un administrateur.")
left, _ = st.columns([2, 3])
with left.form("connexion"):
    nom = st.text_input("Nom d'utilisateur", key="connexion_nom", max_chars=64)
    mot_de_passe = st.text_input("Mot de passe", type="password", key="connexion_mot_de_passe", max_chars=200)
    submitted = st.form_submit_button("Se connecter", type="primary", icon=":material/login:")
if submitted:
    if session.sign_in(nom, mot_de_passe):
        st.rerun()  # the navigation of the account's role
    left.error("Nom d'utilisateur ou mot de passe incorrect.", icon=":material/error:")
