"""The presentation mode (ui/pages/presentation.py): its address parameters, the saved order of
its slides, its static CSS (Streamlit's chrome hidden, type readable from the back of a room, the
palette's colours) and the fitting of a committee's notes on a slide."""

from __future__ import annotations

import streamlit as st

from cae_data import palette, services
from ui import lecture

PRESENTATION_PARAM = "presentation"  # ?presentation=1: the dashboard becomes slides
SLIDE_PARAM = "diapo"  # ?diapo=2: the slide shown (1-based, in the saved order)
SLIDE_TITLES = services.PRESENTATION_SLIDES


def slide_order() -> list[str]:
    """The saved order of the presentation's slides (keys of SLIDE_TITLES)."""
    return services.slide_order(lecture.database_path())


def slide_index(order: list[str], requested) -> int:
    """The 0-based slide to show for `?diapo=` (1-based; the first when absent or unreadable,
    the last when beyond the end)."""
    try:
        number = int(str(requested))
    except (TypeError, ValueError):
        return 0
    return min(max(number, 1), len(order)) - 1


def notes_for_slide(notes: str, max_lines: int = 13, width: int = 100) -> tuple[list[str], bool]:
    """The non-empty lines of a committee's notes that fit on a slide: about `max_lines` lines
    of `width` characters (a long line counts for the lines it wraps on). Returns (lines,
    whether some were left out)."""
    lines = [" ".join(line.split()) for line in notes.splitlines() if line.strip()]
    kept, used = [], 0
    for line in lines:
        cost = max(1, -(-len(line) // width))
        if used + cost > max_lines:
            room = (max_lines - used) * width
            if room >= 40:  # a useful part of the line still fits
                head = line[: room - 1]
                kept.append((head.rsplit(" ", 1)[0] if " " in head else head).rstrip() + " …")
            return kept, True
        kept.append(line)
        used += cost
    return kept, False


# Static CSS of the presentation mode (no user text in it): Streamlit's chrome hidden, the
# slide's keyed containers (class `st-key-<key>`) in type readable from the back of a room.
PRESENTATION_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stAppDeployButton"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.6rem 3.5rem 7.5rem 3.5rem !important; max-width: none !important; }
[data-testid="stMain"] { overflow-x: hidden; }
.st-key-diapo-entete p { font-size: 30px; color: %(secondaire)s; margin: 0; line-height: 1.2; }
.st-key-diapo-compteur p { text-align: right; font-weight: 700; color: %(texte)s; }
.st-key-diapo-titre h1 { font-size: 64px; line-height: 1.1; padding: 0.2rem 0 0.6rem 0; color: %(texte)s; }
.st-key-diapo-corps p, .st-key-diapo-corps li { font-size: 36px; line-height: 1.3; }
.st-key-diapo-corps table { font-size: 34px; width: 100%%; }
.st-key-diapo-corps th, .st-key-diapo-corps td { padding: 0.45rem 0.8rem; line-height: 1.25; }
.st-key-diapo-corps th { background: %(fond_titre)s; }
[class*="st-key-diapo-libelle-"] p { font-size: 40px; color: #333333; margin-bottom: 0; }
[class*="st-key-diapo-chiffre-"] p {
  font-size: 220px; font-weight: 700; line-height: 1.05; color: %(fait)s; margin: 0; }
[class*="st-key-diapo-etoiles-"] p {
  font-size: 140px; line-height: 1.1; color: %(programme)s; margin: 0; white-space: nowrap; }
[class*="st-key-diapo-moyen-"] p { font-size: 110px; font-weight: 700; line-height: 1.15; color: %(fait)s; margin: 0; }
[class*="st-key-diapo-grand-"] p { font-size: 140px; font-weight: 700; line-height: 1.15; color: %(fait)s; margin: 0; }
[class*="st-key-diapo-bloc-"] { padding-bottom: 1.4rem; }
[class*="st-key-diapo-gain-"] p { font-size: 48px; font-weight: 700; color: %(gain)s; }
[class*="st-key-diapo-perte-"] p { font-size: 48px; font-weight: 700; color: %(perte)s; }
[class*="st-key-diapo-stable-"] p { font-size: 48px; font-weight: 700; color: %(secondaire)s; }
[class*="st-key-diapo-nom-"] p { font-size: 38px; font-weight: 700; line-height: 1.2; color: %(texte)s; }
[class*="st-key-diapo-petit-"] p { font-size: 34px; line-height: 1.25; color: %(texte)s; }
[class*="st-key-diapo-remarque-"] p { font-size: 30px; line-height: 1.3; color: %(secondaire)s; }
[class*="st-key-diapo-alerte-"] p { font-size: 32px; font-weight: 700; color: %(perte)s; }
[class*="st-key-diapo-notes-"] p { font-size: 38px; line-height: 1.45; }
[class*="st-key-diapo-notes-longues-"] p { font-size: 30px; line-height: 1.35; }
.st-key-diapo-nav { position: fixed; left: 3.5rem; right: 3.5rem; bottom: 1.4rem; z-index: 1000;
  width: auto !important; background: white; padding-top: 0.6rem; }
.st-key-diapo-nav button { min-height: 80px; padding: 0.5rem 2rem; }
.st-key-diapo-nav button p { font-size: 32px; font-weight: 600; }
</style>
""" % {
    "texte": palette.COULEUR_TEXTE, "secondaire": palette.COULEUR_TEXTE_SECONDAIRE, "fait": palette.COULEUR_FAIT,
    "programme": palette.COULEUR_PROGRAMME, "gain": palette.COULEUR_GAIN_TEXTE, "perte": palette.COULEUR_PERTE_TEXTE,
    "fond_titre": palette.FOND_TITRE_ECRAN,
}


def presentation_style() -> None:
    """Inject the presentation mode's static CSS (PRESENTATION_CSS, no user or file text)."""
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
