"""`pcaet collectivite set`: collectivity profiles."""

from __future__ import annotations

from pathlib import Path

import click

from .. import services, store
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def collectivite():
    """Profils des collectivités."""


@collectivite.command("set")
@click.argument("files", nargs=-1, required=True, metavar="FICHIERS…", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@db_option
@fail_on_refused_input
@acting_user
def collectivite_set(files, db_option, user):
    """Créer ou mettre à jour des profils de collectivité (un fichier YAML chacun)."""
    inputs = [(path.read_bytes(), path.name) for path in files]
    for profile in services.set_collectivites(store.resolve_db_path(db_option), inputs, user=user):
        for warning in profile.warnings:
            click.echo(f"{warning}", err=True)
        click.echo(f"Collectivité « {profile.nom} » enregistrée.")
