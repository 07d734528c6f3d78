"""`pcaet sauvegarde DIR` and `pcaet restauration DIR` (cli.md): a full copy of the database
and the upload archive, and its restore (cae_data/sauvegarde.py). Registered in cli/__init__.py.

Exit codes: 0 done; 1 refused (folder not empty, backup incomplete or altered, database busy or
missing), every problem printed in French as `fichier:ligne:colonne: message`; 2 usage."""

from __future__ import annotations

from pathlib import Path

import click

from .. import store
from ..sauvegarde import restauration as restore
from ..sauvegarde import sauvegarde as backup
from .common import acting_user, db_option, fail_on_refused_input


def _size(octets: int) -> str:
    if octets >= 1024 * 1024:
        return f"{octets / 1024 / 1024:.1f} Mo".replace(".", ",")
    return f"{max(1, round(octets / 1024))} ko"


@click.command("sauvegarde")
@click.argument("dossier", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@db_option
@fail_on_refused_input
def sauvegarde(dossier, db_option):
    """Écrire une copie complète de la base et des fichiers importés dans DIR (nouveau dossier)."""
    result = backup(store.resolve_db_path(db_option), dossier)
    for warning in result.warnings:
        click.echo(warning, err=True)
    total = sum(f.size for f in result.manifest.files)
    click.echo(f"Sauvegarde écrite dans {result.folder} : base (schéma {result.manifest.schema_version}) et "
               f"{result.archive_files} fichier(s) importé(s), {_size(total)}.")


@click.command("restauration")
@click.argument("dossier", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@db_option
@fail_on_refused_input
@acting_user
def restauration(dossier, db_option, user):
    """Remplacer la base par la sauvegarde du dossier DIR (vérifiée entièrement avant)."""
    result = restore(store.resolve_db_path(db_option), dossier, user=user)
    click.echo(f"Sauvegarde du {result.manifest.created_at.replace('T', ' à ')} restaurée : "
               f"{result.archive_copied} fichier(s) importé(s) recopié(s), {result.archive_present} déjà présent(s).")
    if result.replaced_copy is not None:
        click.echo(f"La base remplacée est conservée dans {result.replaced_copy}.")
