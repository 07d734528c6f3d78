"""`pcaet comite add|liste|rapport` (cli.md): weekly steering committees and their reports.
Registered in cli.py with `main.add_command(comite)`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from .. import services, store
from ..comites import Comite
from ..formatting import date_fr
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input, parse_date_option


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def comite():
    """Comités de pilotage hebdomadaires : enregistrement et rapports."""


@comite.command("add")
@click.option("--date", "on_date", required=True, callback=parse_date_option,
              help="Date du comité AAAA-MM-JJ (une date future : comité prévu).")
@click.option("--titre", required=True, help="Titre du comité.")
@click.option("--participants", default="", help="Participants séparés par des virgules : \"A, B\".")
@click.option("--notes", default="", help="Notes et décisions (texte libre).")
@db_option
@fail_on_refused_input
@acting_user
def comite_add(on_date, titre, participants, notes, db_option, user):
    """Enregistrer un comité de pilotage."""
    result = services.add_comite(store.resolve_db_path(db_option),
                                 Comite(date=on_date, titre=titre, participants=participants, notes=notes),
                                 user=user)
    for message in result.messages:
        click.echo(message)


@comite.command("liste")
@db_option
@fail_on_refused_input
def comite_liste(db_option):
    """Afficher les comités enregistrés, du plus ancien au plus récent."""
    comites = services.list_comites(store.resolve_db_path(db_option))
    if not comites:
        click.echo("Aucun comité enregistré : ajoutez-en un avec pcaet comite add.")
    for item in comites:
        count = len(item.participants)
        people = f" — {count} participant" + ("s" if count > 1 else "") if count else ""
        click.echo(f"{date_fr(item.date)} : {item.titre}{people}")


@comite.command("rapport")
@click.option("--format", "output_format", type=click.Choice(["pdf", "xlsx"]), required=True,
              help="pdf : diaporama A4 paysage ; xlsx : classeur Scores, Statuts, Indicateurs, Évolutions, Comité.")
@click.option("--sortie", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Fichier à écrire.")
@click.option("--comite", "comite_date", default=None, callback=parse_date_option,
              help="Date du comité AAAA-MM-JJ (défaut : le dernier).")
@click.option("--collectivite", "collectivite_nom", default=None,
              help="Collectivité (nécessaire seulement quand la base en compte plusieurs).")
@db_option
@fail_on_refused_input
def comite_rapport(output_format, sortie, comite_date, collectivite_nom, db_option):
    """Écrire le rapport du comité de pilotage (PDF ou XLSX)."""
    data = services.comite_report(store.resolve_db_path(db_option), output_format, comite_date, collectivite_nom)
    _write_atomically(sortie, data)
    click.echo(f"Rapport {output_format.upper()} écrit : {sortie} ({len(data) // 1024 + 1} Ko).")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it: a failed write leaves nothing."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise services.Refused(f"Dossier introuvable pour écrire le rapport : {folder}")
    handle, temporary = tempfile.mkstemp(prefix=".rapport-", suffix=path.suffix, dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600: give the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
