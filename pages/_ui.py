"""The few Streamlit helpers pages share: where the database is, cached reads invalidated when
the database changes, French formatting and the message shown when there is nothing to show.

Every read is a `st.cache_data` function keyed on the database path and `db.data_version(path)`
(the file's mtime and size), so a page never shows data older than the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from cae_data import db, services, store
from cae_data.errors import InvalidInput
from cae_data.formatting import date_fr, ecart_points, nombre, points, pourcentage  # noqa: F401  (re-exported for pages)
from cae_data.safe_markdown import escape_markdown, sanitize_markdown
from cae_data.tabular import strip_accents

def _leave_pages_directory_mode() -> None:
    """Streamlit decides at its first session whether the app is a `pages/` folder app or an
    st.navigation one, and only learns the latter once dashboard.py has run: a first visit
    straight to /referentiel would run pages/referentiel.py alone (default navigation, narrow
    layout). Our pages/ folder only ever serves st.navigation: say so and rerun through
    dashboard.py. Runs at this module's first import, i.e. in the first page run."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()  # the import fails; the rerun imports this module again


_leave_pages_directory_mode()

# Page files, for st.page_link / st.switch_page between pages.
PAGE_ACCUEIL = "pages/accueil.py"
PAGE_REFERENTIEL = "pages/referentiel.py"
PAGE_FICHES = "pages/fiches_actions.py"
PAGE_OUTILS = "pages/boite_outils.py"

IMPORT_REFERENTIEL_COMMAND = (
    ".venv/bin/pcaet referentiel import ../shared/referentiels/cae \\\n"
    "    --personnalisations ../shared/referentiels/personnalisations \\\n"
    "    --questions ../shared/referentiels/questions"
)

SOURCE_LABELS = {
    "seed": "documents de départ du projet",
    "ademe-markdown": "référentiel officiel de l'ADEME (fichiers markdown)",
    "csv": "structure du référentiel en CSV",
}
NIVEAU_TITLES = {"axe": "Axes", "sous-axe": "Sous-axes", "mesure": "Mesures", "sous-action": "Sous-actions",
                 "tache": "Tâches"}
CATEGORIE_COLORS = {"bases": "blue", "mise en œuvre": "orange", "effets": "green"}
ETAT_COLORS = {"À développer": "blue", "En cours": "orange", "Réalisé": "green", "Reporté": "violet",
               "Abandonné": "red"}
COLLECTIVITE_TYPE_LABELS = {"EPCI": "Pour les EPCI", "commune": "Pour les communes"}


# --- database -----------------------------------------------------------------------------

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
        st.caption(f"Base attendue : {path}")
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


# --- cached reads -------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=8)
def _referentiel(path: str, version: tuple, nom: str):
    return services.load_referentiel(Path(path), nom)


def referentiel(nom: str = "cae"):
    return guarded(_referentiel, str(db_path()), _version(), nom)


@st.cache_data(show_spinner=False, max_entries=8)
def _mesures(path: str, version: tuple, nom: str) -> pd.DataFrame | None:
    ref = _referentiel(path, version, nom)
    return None if ref is None else mesure_table(ref.nodes, ref.action_depth)


def mesures(nom: str = "cae") -> pd.DataFrame | None:
    """One row per mesure (see `mesure_table`), or None without referential."""
    return guarded(_mesures, str(db_path()), _version(), nom)


def mesure_table(nodes: pd.DataFrame, action_depth: int) -> pd.DataFrame:
    """Mesures in reading order: action_id, nom, axe_id, point_referentiel, `titre_recherche`
    (the `fold`ed id and title) and `recherche` (the folded ids, titles and descriptions of the
    mesure and everything under it), for the search box."""
    ids = nodes["action_id"].str.split(".")
    under = nodes[nodes["depth"] >= action_depth].assign(
        mesure_id=ids[nodes["depth"] >= action_depth].str[:action_depth].str.join(".")
    )
    words = (under["action_id"] + " " + under["nom"].fillna("") + " " + under["description"].fillna(""))
    recherche = words.groupby(under["mesure_id"], sort=False).agg(" ".join).map(fold)
    table = nodes[nodes["depth"] == action_depth][["action_id", "nom", "point_referentiel"]].copy()
    table["axe_id"] = table["action_id"].str.split(".").str[0]
    table["titre_recherche"] = (table["action_id"] + " " + table["nom"].fillna("")).map(fold)
    table["recherche"] = table["action_id"].map(recherche).fillna("")
    return table.reset_index(drop=True)


def _db_read(path: str, reader):
    with db.reading(Path(path)) as con:
        return reader(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _fiches(path: str, version: tuple) -> list:
    return _db_read(path, store.load_fiches)


def fiches() -> list:
    """Every fiche-action (cae_data.fiches.model.FicheAction), by title."""
    return guarded(_fiches, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=8)
def _outils(path: str, version: tuple) -> list:
    return _db_read(path, store.load_outils)


def outils() -> list:
    """The cooperation tools (cae_data.fiches.cooperation.OutilCooperation), in deck order."""
    return guarded(_outils, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=64)
def _fiches_for_mesure(path: str, version: tuple, action_id: str, nom: str) -> pd.DataFrame:
    return _db_read(path, lambda con: store.fiches_for_mesure(con, action_id, nom))


def fiches_for_mesure(action_id: str, nom: str = "cae") -> pd.DataFrame:
    return guarded(_fiches_for_mesure, str(db_path()), _version(), action_id, nom)


@dataclass
class CooperationIntro:
    """The deck's introduction cut for display: its question, the event line under it, then
    (section title, markdown) pairs."""

    titre: str = ""
    chapeau: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)


def split_intro(markdown: str) -> CooperationIntro:
    intro = CooperationIntro()
    lead: list[str] = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        if block.startswith("# ") and not intro.titre:
            intro.titre = block[2:].strip()
        elif block.startswith("## "):
            intro.sections.append((block[3:].strip(), ""))
        elif intro.sections:
            title, body = intro.sections[-1]
            intro.sections[-1] = (title, f"{body}\n\n{block}".strip())
        elif block:
            lead.append(block)
    intro.chapeau = "\n\n".join(lead)
    return intro


@st.cache_data(show_spinner=False, max_entries=4)
def _cooperation_intro(seeds: str, stamp: tuple) -> CooperationIntro | None:
    try:
        return split_intro(store.cooperation_intro(Path(seeds)))
    except (InvalidInput, OSError):  # decoration: without the seed file the tools still show
        return None


def cooperation_intro() -> CooperationIntro | None:
    seeds = services.seeds_dir().resolve()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in seeds.glob("*"))) if seeds.is_dir() else ()
    return _cooperation_intro(str(seeds), stamp)


# --- text and formatting ------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Search key: lowercase, no accents, single spaces."""
    return " ".join(strip_accents(str(text or "")).lower().replace("’", "'").split())


def search_patterns(query: str | None) -> list[re.Pattern]:
    """One pattern per word of the query, matching a word that starts with it, in `fold`ed text
    (« sage » finds « SAGE » but not « envisagés »)."""
    return [re.compile(r"(?<![a-z0-9])" + re.escape(word)) for word in fold(query).split()]


def matches(folded_text: str, patterns: list[re.Pattern]) -> bool:
    return all(pattern.search(folded_text) for pattern in patterns)


def plain(text: str | None) -> str:
    """Plain text made safe to pass to st.markdown and widget labels (shown exactly as written)."""
    return escape_markdown(text)


def markdown_safe(text: str | None) -> None:
    """Markdown from files is shown as markdown only: raw HTML is converted or escaped, never run."""
    if text:
        st.markdown(sanitize_markdown(text), unsafe_allow_html=False)


def points_label(value: float | None) -> str:
    """12 → « 12 points », 2.5 → « 2,5 points », 1 → « 1 point » (French: plural from 2)."""
    if value is None or (isinstance(value, float) and value != value):
        return "points non définis"
    text = points(value)
    return f"{text} point" if abs(round(float(value), 1)) < 2 else f"{text} points"


def badge_markdown(label: str, color: str = "gray", icon: str | None = None) -> str:
    """An inline badge for st.markdown / expander labels."""
    prefix = f"{icon} " if icon else ""
    return f":{color}-badge[{prefix}{plain(label)}]"


def highlight(markdown: str, color: str = "gray", icon: str | None = None) -> str:
    """Text on a coloured background at the body's size (badges are too small for a projector).
    `markdown` must already be safe (see `plain`)."""
    prefix = f"{icon} " if icon else ""
    return f":{color}-background[{prefix}{markdown}]"


def categorie_badge(categorie: str | None) -> str:
    if not categorie:
        return ""
    return badge_markdown(categorie.capitalize(), CATEGORIE_COLORS.get(categorie, "gray"))


def etat_highlight(etat: str | None) -> str:
    if not etat:
        return highlight("état non renseigné", "gray")
    return highlight(f"**{plain(etat)}**", ETAT_COLORS.get(etat, "gray"))


def periode(debut: int | None, fin: int | None) -> str:
    if debut and fin:
        return f"{debut} – {fin}" if debut != fin else str(debut)
    if debut:
        return f"à partir de {debut}"
    if fin:
        return f"jusqu'en {fin}"
    return "non renseignée"


def or_missing(text: str | None, missing: str = "Non renseigné") -> str:
    """Plain text for markdown, or an italic « Non renseigné »."""
    return plain(text) if text and str(text).strip() else f"*{missing}*"


# --- palette (shared by every chart and badge: reuse it, do not define another)
# Okabe-Ito colours: distinct for colour-blind readers and on a washed-out projector.
COULEUR_FAIT = "#0072B2"  # blue
COULEUR_PROGRAMME = "#E69F00"  # orange
COULEUR_PAS_FAIT = "#D55E00"  # vermillion
COULEUR_NON_RENSEIGNE = "#BBBBBB"  # light grey
COULEUR_NON_CONCERNE = "#FFFFFF"  # white, drawn with a grey hatch / outline
COULEUR_GAIN = "#009E73"  # bluish green: points gained
COULEUR_PERTE = COULEUR_PAS_FAIT  # vermillion: points lost
STATUT_COULEURS = {
    "fait": COULEUR_FAIT, "programme": COULEUR_PROGRAMME, "pas_fait": COULEUR_PAS_FAIT,
    "non_renseigne": COULEUR_NON_RENSEIGNE, "non_concerne": COULEUR_NON_CONCERNE,
}
# One colour per series (dates, axes…), then a line dash each, so lines differ without colour.
SERIE_COULEURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
SERIE_TIRETS = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
# Streamlit's named colours closest to the palette, for status badges in markdown.
STATUT_BADGES = {
    "fait": "blue", "programme": "orange", "pas_fait": "red", "detaille": "violet",
    "non_concerne": "gray", "non_renseigne": "gray",
}
