"""The few Streamlit helpers pages share: where the database is, cached reads invalidated when
the database changes, French formatting and the message shown when there is nothing to show."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cae_data import db, services
from cae_data.formatting import date_fr, ecart_points, nombre, points, pourcentage  # noqa: F401  (re-exported for pages)


def db_path() -> Path:
    return db.resolve_db_path(None).resolve()


def _version() -> tuple:
    return db.data_version(db_path())


def require_database() -> Path:
    """Stop the page with a French explanation when the database is missing or empty."""
    path = db_path()
    if not db.is_initialised(path):
        st.warning(
            "La base de données n'est pas encore créée ou elle est vide. "
            "Lancez cette commande dans le dossier du projet, puis rechargez la page :"
        )
        st.code("make run   # ou : .venv/bin/pcaet init", language="bash")
        st.stop()
    return path


def guarded(read, *args, **kwargs):
    """Run a cached read; a busy database or a refused request becomes a French message."""
    try:
        return read(*args, **kwargs)
    except db.DatabaseBusy as exc:
        st.info(str(exc))
        st.stop()
    except (services.Refused, db.DatabaseMissing) as exc:
        st.warning(str(exc))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=8)
def _referentiel(path: str, version: tuple, nom: str):
    return services.load_referentiel(Path(path), nom)


def referentiel(nom: str = "cae"):
    return guarded(_referentiel, str(db_path()), _version(), nom)


def markdown_safe(text: str | None) -> None:
    """Markdown from files is shown as markdown only: raw HTML is escaped, never run."""
    if text:
        st.markdown(text, unsafe_allow_html=False)
