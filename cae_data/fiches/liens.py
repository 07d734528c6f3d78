"""Suggested links between a fiche-action and the CAE measures it serves.

A fiche's source text names no measure. The link is a judgement of the chargé de mission, kept
in the fiche's YAML (`mesures: [6.1.1, …]`); this module only proposes a starting list:

1. the fiche's themes are detected with the project's own keyword table below, keyed by the
   referential's `climat_pratic_id` themes; a theme counts when at least
   `MIN_DISTINCT_KEYWORDS` different keywords occur in the fiche's text (one stray word such
   as « entreprise » in a list of publics does not make a fiche economic);
2. the suggested measures are those of the referential whose `climat_pratic_id` is one of
   these themes, in referential order.
"""

from __future__ import annotations

import re

import pandas as pd

from ..referentiel.markdown_blocks import natural_key
from ..tabular import strip_accents
from .model import FicheAction

MIN_DISTINCT_KEYWORDS = 2

# Patterns match the start of words in lower-case, accent-free text.
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "parten_coop": ("partenari", "cooperation", "concertation", "co-?construction", "mutualis", "charte",
                    "club", "gouvernance", "acteurs territoriaux", "instance"),
    "strategie": ("strategie", "planification", "diagnostic", "trajectoire", "objectifs chiffres", "prospective"),
    "orga_interne": ("organisation interne", "fiches? de poste", "moyens humains", "comite de pilotage",
                     "budget climat"),
    "forma_sensib": ("sensibilis", "formation", "pedagog", "education", "eco-?gestes"),
    "dev_eco": ("entreprise", "economi", "zones? d'activite", "emploi", "artisan", "commerce"),
    "energie": ("renouvelable", "photovolta", "solaire", "eolien", "methanis", "reseaux? de chaleur",
                "bois[- ]energie", "geotherm"),
    "batiments": ("batiment", "renovation", "logement", "patrimoine bati", "eclairage public", "chauffage"),
    "preca_energie": ("precarite", "precaire"),
    "mobilites": ("mobilite", "transport", "velo", "covoiturage", "deplacement", "pieton", "vehicule"),
    "urbanisme": ("urbanisme", "plu", "scot", "amenagement", "foncier", "artificialis"),
    "eau": ("eaux?\\b", "assainissement", "pluvial", "hydrique", "cours d'eau"),
    "dechets": ("dechet", "recycl", "compost", "reemploi", "tri selectif"),
    "agri_alim": ("agricul", "aliment", "circuits? courts?", "restauration collective", "maraich"),
    "foret_biodiv": ("foret", "biodiversite", "haies?\\b", "boisement", "trame verte"),
    "conso_resp": ("achats?\\b", "commande publique", "consommation responsable", "eco-?responsab"),
    "tourisme": ("touris",),
}


def fiche_text(fiche: FicheAction) -> str:
    """Everything a fiche says about its content, lower-case and without accents."""
    parts = [fiche.titre, fiche.enjeux, fiche.objectifs]
    for sous_action in fiche.sous_actions:
        parts += [sous_action.descriptif, sous_action.public_cible]
    parts += [indicateur.nom for indicateur in fiche.indicateurs]
    return strip_accents(" ".join(parts)).lower().replace("’", "'")


def detect_themes(fiche: FicheAction) -> list[str]:
    """`climat_pratic_id` themes of the fiche, in the order of THEME_KEYWORDS."""
    text = fiche_text(fiche)
    themes = []
    for theme, patterns in THEME_KEYWORDS.items():
        found = sum(1 for pattern in patterns if re.search(r"\b" + pattern, text))
        if found >= MIN_DISTINCT_KEYWORDS:
            themes.append(theme)
    return themes


def suggest_mesures(fiche: FicheAction, nodes: pd.DataFrame) -> list[str]:
    """Measures (`niveau == "mesure"`) of a referential's `nodes` sharing a theme of the fiche."""
    themes = set(detect_themes(fiche))
    mesures = nodes[(nodes["niveau"] == "mesure") & nodes["climat_pratic_id"].isin(themes)]
    return sorted(mesures["action_id"].tolist(), key=natural_key)
