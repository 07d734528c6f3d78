"""Demo steering committees of the CAPSO: one a week in November 2026 (5, 12 and 19), around
the demo evaluations (10 and 17 November) and the weekly indicator values (demo_indicateurs.py),
so that « depuis le dernier comité » shows a new evaluation, status changes and new indicator
values from one committee to the next.

Installed by `install_demo_comites` (called by `services.install_demo`): a committee whose date
is already taken is left as it is, so installing twice changes nothing and a user's edits of a
demo committee are kept."""

from __future__ import annotations

from datetime import date

from ..comites import Comite

_PARTICIPANTS = [
    "Vice-président en charge de la transition écologique",
    "Directrice de l'aménagement durable",
    "Chargé de mission PCAET",
    "Conseillère Territoire Engagé (ADEME)",
]

DEMO_COMITES = [
    Comite(
        date=date(2026, 11, 5),
        titre="Lancement du suivi hebdomadaire du PCAET",
        participants=_PARTICIPANTS + ["Chargée de communication"],
        notes=(
            "Décisions :\n"
            "• Le comité de pilotage se réunit chaque jeudi de novembre pour préparer la visite de labellisation.\n"
            "• Mettre à jour l'évaluation du référentiel Climat-Air-Énergie avant le 10/11 (services techniques).\n"
            "• Charte partenariale : relancer les entreprises du territoire, 37 signataires pour un objectif "
            "de 40 en 2026.\n"
            "• Club climat : proposer une campagne d'adhésion lors de la fête de l'énergie."
        ),
    ),
    Comite(
        date=date(2026, 11, 12),
        titre="Point d'étape : évaluation du 10 novembre",
        participants=_PARTICIPANTS + ["Responsable du service mobilité"],
        notes=(
            "Décisions :\n"
            "• Évaluation du 10/11 validée ; compléter les commentaires des sous-actions passées à « fait ».\n"
            "• Club climat en retard sur sa trajectoire (35 membres pour 60 visés en 2026) : "
            "invitation des associations d'éducation à l'environnement.\n"
            "• Actions collectives : le dernier comptage date de juin, le club climat fournit un bilan à jour.\n"
            "• Nouvelle mise à jour de l'évaluation le 17/11."
        ),
    ),
    Comite(
        date=date(2026, 11, 19),
        titre="Préparation du dossier de labellisation",
        participants=_PARTICIPANTS + ["Directeur général adjoint"],
        notes=(
            "Décisions :\n"
            "• Objectif 2026 de la charte partenariale atteint (40 signataires) : communication prévue "
            "dans le magazine communautaire.\n"
            "• Rédiger la synthèse des points gagnés depuis septembre pour le dossier de labellisation.\n"
            "• Club climat : poursuivre les adhésions, point d'avancement au prochain comité.\n"
            "• Prochain comité le 26/11 : relecture du dossier."
        ),
    ),
]
