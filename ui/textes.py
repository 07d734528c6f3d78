"""Texts of the pages and their French formatting: commands shown to the user, labels, the search
key, and markdown made safe (file and user text is shown as written, never run as HTML), with
badges and coloured highlights from the one palette (cae_data.palette).

The number and date formats are cae_data.formatting's (shared with the PDF and the XLSX),
re-exported here so a page imports its texts from one place."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from cae_data import palette
from cae_data.formatting import (  # noqa: F401  (re-exported for the pages)
    date_fr,
    ecart_points,
    ecart_pourcentage,
    etoiles_text,
    nombre,
    periode,
    points,
    points_faits,
    points_label,
    pourcentage,
    shorten,
    signed_value,
    valeur_text,
)
from cae_data.safe_markdown import escape_markdown, sanitize_markdown
from cae_data.tabular import strip_accents

IMPORT_REFERENTIEL_COMMAND = (
    ".venv/bin/pcaet referentiel import ../shared/referentiels/cae \\\n"
    "    --personnalisations ../shared/referentiels/personnalisations \\\n"
    "    --questions ../shared/referentiels/questions"
)
EVALUATION_IMPORT_COMMAND = (
    '.venv/bin/pcaet evaluation import mon-evaluation.csv --collectivite "Ma collectivité" --date 2026-11-17'
)
SOURCE_LABELS = {
    "seed": "documents de départ du projet",
    "ademe-markdown": "référentiel officiel de l'ADEME (fichiers markdown)",
    "csv": "structure du référentiel en CSV",
}
NIVEAU_TITLES = {"axe": "Axes", "sous-axe": "Sous-axes", "mesure": "Mesures", "sous-action": "Sous-actions",
                 "tache": "Tâches"}
COLLECTIVITE_TYPE_LABELS = {"EPCI": "Pour les EPCI", "commune": "Pour les communes"}
STATUT_ICONS = {
    "fait": ":material/check_circle:", "programme": ":material/schedule:", "pas_fait": ":material/cancel:",
    "detaille": ":material/donut_large:", "non_concerne": ":material/block:", "desactive": ":material/block:",
    "par_taches": ":material/format_list_bulleted:", "non_renseigne": ":material/help:",
}


# --- search ---------------------------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Search key: lowercase, no accents, single spaces."""
    return " ".join(strip_accents(str(text or "")).lower().replace("’", "'").split())


def search_patterns(query: str | None) -> list[re.Pattern]:
    """One pattern per word of the query, matching a word that starts with it, in `fold`ed text
    (« sage » finds « SAGE » but not « envisagés »)."""
    return [re.compile(r"(?<![a-z0-9])" + re.escape(word)) for word in fold(query).split()]


def matches(folded_text: str, patterns: list[re.Pattern]) -> bool:
    return all(pattern.search(folded_text) for pattern in patterns)


# --- markdown made safe ---------------------------------------------------------------------------

def plain(text: str | None) -> str:
    """Plain text made safe to pass to st.markdown and widget labels (shown exactly as written)."""
    return escape_markdown(text)


def markdown_safe(text: str | None) -> None:
    """Markdown from files is shown as markdown only: raw HTML is converted or escaped, never run."""
    if text:
        st.markdown(sanitize_markdown(text), unsafe_allow_html=False)


def show_texts(description: str | None, textes: dict | None) -> None:
    """A node's description and its other sections (Contexte, Exemples…), one tab each when
    there are several; empty sections are left out."""
    sections = {"Description": description, **(textes if isinstance(textes, dict) else {})}
    sections = {title: text for title, text in sections.items() if text and str(text).strip()}
    if len(sections) == 1:
        markdown_safe(next(iter(sections.values())))
    elif sections:
        for tab, text in zip(st.tabs(list(sections)), sections.values()):
            with tab:
                markdown_safe(text)


def or_missing(text: str | None, missing: str = "Non renseigné") -> str:
    """Plain text for markdown, or an italic « Non renseigné »."""
    return plain(text) if text and str(text).strip() else f"*{missing}*"


def markdown_table(frame: pd.DataFrame, align: list[str] | None = None) -> str:
    """A DataFrame as a markdown table (every cell escaped, shown exactly as written), for the
    slides where st.dataframe's text would be too small. `align`: « l » or « r » per column."""
    align = align or ["l"] * len(frame.columns)
    head = "| " + " | ".join(plain(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---:" if a == "r" else ":---" for a in align) + " |"
    body = ["| " + " | ".join(plain(" ".join(str(v).split())) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


# --- badges and highlights (Streamlit's named colours of the palette) --------------------------------

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
    return badge_markdown(categorie.capitalize(), palette.CATEGORIE_BADGES.get(categorie, "gray"))


def etat_highlight(etat: str | None) -> str:
    if not etat:
        return highlight("état non renseigné", "gray")
    return highlight(f"**{plain(etat)}**", palette.ETAT_BADGES.get(etat, "gray"))


def statut_highlight(code: str, text: str) -> str:
    """A status as coloured text for markdown (French label, colour of the palette)."""
    return highlight(f"**{plain(text)}**", palette.STATUT_BADGES.get(code, "gray"), STATUT_ICONS.get(code))


# --- labels -----------------------------------------------------------------------------------------

def axe_label(action_id: str, nom: str) -> str:
    """« 1. Planification territoriale »; the seed axes, already named « Axe 6 », stay as is."""
    return str(nom) if fold(nom).startswith("axe ") else f"{action_id}. {nom}"


def table_height(rows: int, tallest: int):
    """Height for st.dataframe / st.data_editor: Streamlit's own (every row, up to ten) for a
    short table, else `tallest` pixels with a scroll bar."""
    return "auto" if rows <= 10 else tallest


def problem_table(problems: list) -> pd.DataFrame:
    """The validation report of a file: Ligne, Colonne, Message (one row per problem, in file
    order)."""
    return pd.DataFrame({
        "Ligne": pd.array([p.line for p in problems], dtype="Int64"),
        "Colonne": ["" if p.column is None else str(p.column) for p in problems],
        "Message": [p.message for p in problems],
    })
