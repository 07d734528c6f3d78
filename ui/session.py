"""Login, the signed-in role and what it may do (docs/securite.md), and the sidebar that says who
is signed in. The session keeps only the account's name; its role is read again from the
database at every run, so a role changed or an account removed by an admin takes effect at the
next click. The engine checks the role of every write itself: hiding pages and forms here only
spares readers a refusal."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from cae_data import services
from cae_data.safe_markdown import escape_markdown
from ui import lecture, routes

SESSION_KEY = "pcaet_utilisateur"
DISPLAY_ENV = "PCAET_AFFICHAGE_LECTURE"  # =1: the committee screen, everything readable without login


@dataclass(frozen=True)
class Session:
    nom: str | None  # the signed-in account; None when nobody is signed in
    role: str  # services.LECTURE, services.EDITION or services.ADMIN
    open_mode: bool  # no account exists: everybody may write
    display_mode: bool  # read-only screen opened without login (PCAET_AFFICHAGE_LECTURE=1)


def display_mode() -> bool:
    return os.environ.get(DISPLAY_ENV, "").strip().lower() in ("1", "true", "oui", "yes")


def account_roles() -> dict[str, str]:
    """Every account's role by name ({} in open mode or without database)."""
    if not lecture.database_path().exists():
        return {}
    accounts = lecture.accounts()
    return dict(zip(accounts["nom"], accounts["role"]))


def current() -> Session | None:
    """Who uses the dashboard now, or None when a login is needed (accounts exist, nobody is
    signed in and the display mode is off)."""
    roles = account_roles()
    nom = st.session_state.get(SESSION_KEY)
    if nom is not None and nom not in roles:
        del st.session_state[SESSION_KEY]  # account removed meanwhile
        nom = None
    if nom is not None:
        return Session(nom, roles[nom], False, False)
    if not roles:
        return Session(None, services.LECTURE if display_mode() else services.EDITION, True, display_mode())
    if display_mode():
        return Session(None, services.LECTURE, False, True)
    return None


def current_user() -> str | None:
    """Who writes: the signed-in account, else None (« non identifié »)."""
    return st.session_state.get(SESSION_KEY)


def can_write() -> bool:
    """Whether the pages may show what writes (forms, imports): role édition or admin, or open
    mode outside the display mode."""
    session = current()
    return session is not None and services.has_role(session.role, services.EDITION)


def require_write() -> None:
    """Top of a page that writes: a French refusal for readers, and nothing else of the page."""
    if can_write():
        return
    st.error("**Cette page modifie les données : elle est réservée aux comptes de rôle « édition » "
             "(chargés de mission).** Vous consultez le tableau de bord en lecture seule.", icon=":material/lock:")
    session = current()
    if session is not None and session.nom is None and not session.open_mode:
        st.page_link(routes.CONNEXION.path, label="Se connecter avec un compte d'édition", icon=":material/login:")
    st.page_link(routes.VUE_ENSEMBLE.path, label="Retour à la vue d'ensemble", icon=":material/home:")
    st.stop()


def sign_in(nom: str, password: str) -> bool:
    """Check the name and password; on success the session is this account's."""
    account = services.authenticate(lecture.database_path(), nom, password)
    if account is None:
        return False
    st.session_state[SESSION_KEY] = account.nom
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def sidebar(session: Session) -> None:
    """Who is signed in (and a logout button), or the open-mode / display-mode notice."""
    box = st.sidebar.container()
    if session.nom is not None:
        box.markdown(f":material/account_circle: **{escape_markdown(session.nom)}** — "
                     f"rôle {services.ROLE_LABELS[session.role]}")
        box.button("Se déconnecter", icon=":material/logout:", key="deconnexion", on_click=sign_out)
    elif session.open_mode:
        box.caption("Mode ouvert : aucun compte n'est créé. Toute personne qui ouvre le tableau de bord "
                    "peut modifier les données (docs/securite.md).")
    elif session.display_mode:
        box.caption("Affichage en lecture seule.")
        box.page_link(routes.CONNEXION.path, label="Se connecter", icon=":material/login:")
