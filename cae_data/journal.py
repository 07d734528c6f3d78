"""The audit journal's vocabulary: the action codes a write records and their French labels.
Rows are written by store.journal.record inside each write's own transaction and read by
services.journal.entries. Reads are never recorded. docs/securite.md lists what each action
records."""

from __future__ import annotations

# Action codes stored in the journal, with the label the page shows.
ACTIONS = {
    "initialisation": "Initialisation de la base",
    "referentiel": "Chargement du référentiel",
    "profil": "Profil de collectivité",
    "evaluation": "Import d'évaluation",
    "indicateurs": "Import de valeurs d'indicateurs",
    "valeur_indicateur": "Saisie d'une valeur d'indicateur",
    "fiche": "Fiche-action",
    "comite": "Comité de pilotage",
    "presentation": "Ordre de présentation",
    "compte": "Compte utilisateur",
    "restauration": "Restauration d'une sauvegarde",
    "bascule": "Passage à Climat Ressources",
}
NON_IDENTIFIE = "non identifié"
COLUMNS = ["journal_id", "recorded_at", "utilisateur", "action", "libelle", "objet", "detail", "upload_id", "filename"]


def label(action: str) -> str:
    return ACTIONS.get(action, action)
