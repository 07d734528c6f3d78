"""The one palette of the dashboard, its figures, the committee's PDF and the presentation mode:
reuse it, do not define another.

Okabe–Ito colours: distinct for colour-blind readers and on a washed-out projector. Statuses
have one colour each (fait blue, programmé orange, pas fait vermillion), series one colour then
one line dash each (lines differ without colour), and Streamlit's named colours closest to the
palette are given for the badges and coloured text of markdown."""

from __future__ import annotations

# --- statuses ---------------------------------------------------------------------------------
COULEUR_FAIT = "#0072B2"  # blue
COULEUR_PROGRAMME = "#E69F00"  # orange
COULEUR_PAS_FAIT = "#D55E00"  # vermillion
COULEUR_NON_RENSEIGNE = "#BBBBBB"  # light grey
COULEUR_NON_CONCERNE = "#FFFFFF"  # white, drawn with a grey hatch / outline
STATUT_COULEURS = {
    "fait": COULEUR_FAIT, "programme": COULEUR_PROGRAMME, "pas_fait": COULEUR_PAS_FAIT,
    "non_renseigne": COULEUR_NON_RENSEIGNE, "non_concerne": COULEUR_NON_CONCERNE,
}

# --- changes: points gained or lost -------------------------------------------------------------
COULEUR_GAIN = "#009E73"  # bluish green
COULEUR_PERTE = COULEUR_PAS_FAIT  # vermillion
# The same two, darker, for text on white (large type of the presentation mode).
COULEUR_GAIN_TEXTE = "#007A5A"
COULEUR_PERTE_TEXTE = "#B34700"

# --- an indicator against its target ------------------------------------------------------------
COULEUR_VALEURS = COULEUR_FAIT  # the measured values
COULEUR_CIBLE = "#009E73"  # bluish green: the targets
COULEUR_TRAJECTOIRE = "#E69F00"  # orange, dashed: the trajectory towards the next target
COULEUR_PROJECTION = "#555555"  # dark grey, dotted: the trend projected

# --- series (dates, axes, committees…) ----------------------------------------------------------
SERIE_COULEURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
SERIE_TIRETS = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

# --- text, lines and backgrounds ----------------------------------------------------------------
COULEUR_TEXTE = "#1A1A1A"
COULEUR_TEXTE_SECONDAIRE = "#444444"
GRIS = "#5A5A5A"  # captions of the PDF
GRIS_FONCE = "#555555"
GRIS_AXE = "#888888"  # axis lines, the previous committee's date
COULEUR_GRILLE = "#D9D9D9"
FOND_TITRE = "#EBEFF4"  # table headings of the PDF
FOND_TITRE_ECRAN = "#EEF3F8"  # table headings of the slides
FOND_TITRE_CLASSEUR = "#DCE6F1"  # column headings of the XLSX

# --- Streamlit's named colours (badges, coloured backgrounds of markdown) -------------------------
STATUT_BADGES = {
    "fait": "blue", "programme": "orange", "pas_fait": "red", "detaille": "violet",
    "non_concerne": "gray", "non_renseigne": "gray",
}
CATEGORIE_BADGES = {"bases": "blue", "mise en œuvre": "orange", "effets": "green"}
ETAT_BADGES = {"À développer": "blue", "En cours": "orange", "Réalisé": "green", "Reporté": "violet",
               "Abandonné": "red"}
STATUT_INDICATEUR_BADGES = {"atteinte": "green", "en bonne voie": "blue", "en retard": "red",
                            "pas de cible": "gray", "données insuffisantes": "gray"}
# The same statuses of an indicator in the palette's colours (PDF).
STATUT_INDICATEUR_COULEURS = {"atteinte": COULEUR_GAIN, "en bonne voie": COULEUR_FAIT, "en retard": COULEUR_PAS_FAIT,
                              "pas de cible": GRIS, "données insuffisantes": GRIS}


def rgb(colour: str) -> tuple[int, int, int]:
    """« #0072B2 » → (0, 114, 178), for fpdf."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def transparent(colour: str, alpha: float) -> str:
    """« #0072B2 », 0.12 → « rgba(0, 114, 178, 0.12) » (a filled area under a line)."""
    red, green, blue = rgb(colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"
