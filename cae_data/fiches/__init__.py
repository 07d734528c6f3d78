"""Fiches-actions of the PCAET (model, seed PDF-text reader, hand-written YAML format), their
suggested links to CAE measures, and the cooperation tools deck."""

from .cooperation import OutilCooperation, read_cooperation_intro, read_cooperation_tools
from .liens import detect_themes, suggest_mesures
from .model import (
    ETATS,
    IMPACTS,
    SENS,
    FicheAction,
    Impact,
    Indicateur,
    Moyens,
    Pilotage,
    SousAction,
    derive_etat,
    derive_periode,
)
from .seed_text import read_fiche_seed_text
from .yaml_format import fiche_to_yaml, read_fiche_yaml

__all__ = [
    "ETATS", "IMPACTS", "SENS", "FicheAction", "Impact", "Indicateur", "Moyens", "OutilCooperation",
    "Pilotage", "SousAction", "derive_etat", "derive_periode", "detect_themes", "fiche_to_yaml",
    "read_cooperation_intro", "read_cooperation_tools", "read_fiche_seed_text", "read_fiche_yaml",
    "suggest_mesures",
]
