"""`pcaet sauvegarde DIR` and `pcaet restauration DIR` (cli.md): a full copy of the database
and the upload archive, and its restore (cae_data/sauvegarde.py). Registered in cli/__init__.py.

The restore prints what it checked and the backup's accounts (names and roles) before it
replaces anything; `--verifier` stops there. With PCAET_CLE_SAUVEGARDE set, backups are signed
and a restore refuses an unsigned or altered one (docs/securite.md).

Exit codes: 0 done; 1 refused (folder not empty, backup incomplete, altered or not matching the
schema, signature missing or wrong, database busy or missing), every problem printed in French
as `fichier:ligne:colonne: message`; 2 usage."""

from __future__ import annotations

from pathlib import Path

import click

from .. import auth, store
from ..formatting import nombre
from ..sauvegarde import (
    KEY_ENV,
    SIGNATURE_ABSENT,
    SIGNATURE_LABELS,
    SIGNATURE_UNCHECKED,
    created_at_label,
    inspecter,
)
from ..sauvegarde import restauration as restore
from ..sauvegarde import sauvegarde as backup
from .common import acting_user, db_option, fail_on_refused_input


def _size(octets: int) -> str:
    if octets >= 1024 * 1024:
        return f"{octets / 1024 / 1024:.1f} Mo".replace(".", ",")
    return f"{max(1, round(octets / 1024))} ko"


@click.command("sauvegarde")
@click.argument("dossier", metavar="DOSSIER", type=click.Path(path_type=Path, file_okay=False))
@db_option
@fail_on_refused_input
def sauvegarde(dossier, db_option):
    """Écrire une copie complète de la base et des fichiers importés dans DOSSIER (nouveau dossier).

    Signée (HMAC-SHA256) quand la variable PCAET_CLE_SAUVEGARDE contient une clé."""

    result = backup(store.resolve_db_path(db_option), dossier)
    for warning in result.warnings:
        click.echo(warning, err=True)
    total = sum(f.size for f in result.manifest.files)
    click.echo(f"Sauvegarde écrite dans {result.folder} : base (schéma {result.manifest.schema_version}) et "
               f"{result.archive_files} fichier(s) importé(s), {_size(total)}.")
    if result.manifest.signature is not None:
        click.echo(f"Sauvegarde signée (clé {KEY_ENV} d'empreinte {result.manifest.signature['cle']}).")
    else:
        click.echo(f"Sauvegarde non signée : définissez la clé {KEY_ENV} pour qu'une sauvegarde modifiée soit "
                   "refusée à la restauration (docs/securite.md).", err=True)


def _show_checked(checked) -> None:
    """What was checked and the accounts the restore brings back, before anything changes."""

    manifest = checked.manifest
    click.echo(f"Sauvegarde vérifiée : schéma {manifest.schema_version}, {len(manifest.tables)} tables, "
               f"{nombre(checked.rows)} lignes conformes au manifeste, {SIGNATURE_LABELS[checked.signature]}.")
    if checked.accounts:
        listed = ", ".join(f"{a.nom} ({auth.ROLE_LABELS.get(a.role, a.role)})" for a in checked.accounts)
        click.echo(f"Comptes de la sauvegarde ({len(checked.accounts)}) : {listed}.")
    else:
        click.echo("Aucun compte dans la sauvegarde : une fois restaurée, la base sera en mode ouvert "
                   "(toute personne pourra la modifier).")
    if checked.signature == SIGNATURE_ABSENT:
        click.echo(f"Sauvegarde non signée : son origine n'est pas vérifiée (définissez la clé {KEY_ENV} lors de "
                   "la sauvegarde et de la restauration, docs/securite.md).", err=True)
    elif checked.signature == SIGNATURE_UNCHECKED:
        click.echo(f"Sauvegarde signée, mais la clé {KEY_ENV} n'est pas définie : signature non vérifiée.", err=True)
    for account in checked.accounts:
        if not account.in_journal:
            click.echo(f"Compte « {account.nom} » ({auth.ROLE_LABELS.get(account.role, account.role)}) absent du "
                       "journal de la sauvegarde : il n'a pas été créé par pcaet ; vérifiez-le.", err=True)


@click.command("restauration")
@click.argument("dossier", metavar="DOSSIER", type=click.Path(path_type=Path, file_okay=False))
@click.option("--verifier", "verifier_seulement", is_flag=True,
              help="Vérifier la sauvegarde et afficher ses comptes, sans rien restaurer.")
@db_option
@fail_on_refused_input
@acting_user
def restauration(dossier, verifier_seulement, db_option, user):
    """Remplacer la base par la sauvegarde du dossier DOSSIER, vérifiée entièrement avant (fichiers,
    signature, schéma, lignes, comptes affichés avant le remplacement)."""

    if verifier_seulement:
        _show_checked(inspecter(dossier))
        click.echo("Vérification seule : rien n'a été restauré.")
        return
    result = restore(store.resolve_db_path(db_option), dossier, user=user, on_checked=_show_checked)
    click.echo(f"Sauvegarde du {created_at_label(result.manifest.created_at)} restaurée : "
               f"{result.archive_copied} fichier(s) importé(s) recopié(s), {result.archive_present} déjà présent(s).")
    if result.replaced_copy is not None:
        click.echo(f"La base remplacée est conservée dans {result.replaced_copy}.")
