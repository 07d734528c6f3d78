"""`pcaet bascule simuler|appliquer|annuler`: what the switch to Climat Ressources does to a
collectivity's CAE/ECI evaluation (services/bascule.py, docs/bascule.md)."""

from __future__ import annotations

import click

from .. import services, store
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input, parse_date_option


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def bascule():
    """Passer à Climat Ressources : projeter l'évaluation CAE/ECI sur le référentiel Climat Ressources (TE)."""


collectivite_option = click.option(
    "--collectivite", "collectivite_nom", default=None, metavar="NOM",
    help="Collectivité (défaut : la seule de la base).")


@bascule.command("simuler")
@collectivite_option
@click.option("--date", "on_date", default=None, callback=parse_date_option, metavar="AAAA-MM-JJ",
              help="Date de l'évaluation CAE à projeter (défaut : la dernière).")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="Format de sortie : les champs de pcaet scores, pour chaque nœud Climat Ressources.")
@db_option
@fail_on_refused_input
def simuler(collectivite_nom, on_date, output_format, db_option):
    """Afficher les points projetés de chaque nœud Climat Ressources, sans rien écrire (résumé sur la sortie
    d'erreur)."""
    result = services.simuler_bascule(store.resolve_db_path(db_option), collectivite_nom, on_date)
    for line in result.resume():
        click.echo(line, err=True)
    if output_format == "json":
        click.echo(services.bascule_json(result))
    else:
        click.echo(services.bascule_csv(result), nl=False)


@bascule.command("appliquer")
@collectivite_option
@click.option("--date", "on_date", default=None, callback=parse_date_option, metavar="AAAA-MM-JJ",
              help="Date de l'évaluation CAE à projeter (défaut : la dernière) ; l'évaluation Climat Ressources est "
                   "écrite à cette date.")
@db_option
@fail_on_refused_input
@acting_user
def appliquer(collectivite_nom, on_date, db_option, user):
    """Écrire la projection comme évaluation Climat Ressources (statuts comme la plateforme), annulable."""
    result = services.appliquer_bascule(store.resolve_db_path(db_option), collectivite_nom, on_date, user=user)
    click.echo(result.message())


@bascule.command("annuler")
@collectivite_option
@click.option("--date", "on_date", required=True, callback=parse_date_option, metavar="AAAA-MM-JJ",
              help="Date de l'évaluation Climat Ressources écrite par pcaet bascule appliquer.")
@db_option
@fail_on_refused_input
@acting_user
def annuler(collectivite_nom, on_date, db_option, user):
    """Retirer l'évaluation Climat Ressources écrite par la bascule (l'historique CAE est conservé)."""
    result = services.annuler_bascule(store.resolve_db_path(db_option), on_date, collectivite_nom, user=user)
    click.echo(result.message())
