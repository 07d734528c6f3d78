"""`pcaet`, the command line of ../shared/formats/cli.md: thin wrappers over cae_data.services,
one module per command group.

Exit codes: 0 success, 1 refused input (every problem printed in French, one per line, as
`fichier:ligne:colonne: message`), 2 usage error. Nothing is written unless the exit code is 0."""

from __future__ import annotations

from .francais import install as _parler_francais

_parler_francais()  # before any command is declared below or in the modules imported next

import click  # noqa: E402

from .. import services, store  # noqa: E402
from .bascule import bascule
from .collectivite import collectivite
from .comite import comite
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input
from .evaluation import evaluation, scores
from .indicateurs import indicateurs
from .referentiel import referentiel
from .sauvegarde import restauration, sauvegarde
from .utilisateur import utilisateur


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, subcommand_metavar=SUBCOMMAND_METAVAR)
@click.version_option(package_name="pcaet-dashboard")
def main() -> None:
    """Tableau de bord PCAET : référentiels du label (CAE, ECI, Climat Ressources), évaluations, scores,
    fiches-actions, comités de pilotage."""


@main.command()
@db_option
@click.option("--demo/--no-demo", default=True, help="Ajouter les données de démonstration (défaut : oui).")
@fail_on_refused_input
@acting_user
def init(db_option, demo, user):
    """Créer ou rafraîchir la base à partir des documents de départ (idempotent)."""
    report = services.init_database(store.resolve_db_path(db_option), demo=demo, user=user)
    for line in report:
        click.echo(line)


for command in (referentiel, collectivite, evaluation, scores, indicateurs, comite, utilisateur, sauvegarde,
                restauration, bascule):
    main.add_command(command)
