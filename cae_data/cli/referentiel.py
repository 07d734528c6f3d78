"""`pcaet referentiel import`: load a referential."""

from __future__ import annotations

from pathlib import Path

import click

from .. import services, store
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def referentiel():
    """Référentiels du label (CAE, ECI, Climat Ressources…)."""


@referentiel.command("import")
@click.argument("path", metavar="CHEMIN", type=click.Path(path_type=Path))
@click.option("--nom", default=None, help="Nom du référentiel (défaut : nom du dossier ou du fichier).")
@click.option("--personnalisations", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None)
@click.option("--questions", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None)
@db_option
@fail_on_refused_input
@acting_user
def referentiel_import(path, nom, personnalisations, questions, db_option, user):
    """Charger un référentiel : dossier markdown ou fichier CSV de structure."""
    ref = services.import_referentiel(store.resolve_db_path(db_option), path, nom, personnalisations, questions,
                                      user=user)
    counts = ref.nodes["niveau"].value_counts()
    detail = ", ".join(f"{counts[code]} {'racine' if code == 'referentiel' else plural}"
                       for code, (_, plural) in ref.niveau_labels.items() if counts.get(code, 0))
    click.echo(f"Référentiel « {ref.nom} » chargé : {detail} ; {len(ref.rules)} règles de personnalisation, "
               f"{len(ref.questions)} questions.")
    for warning in ref.warnings:  # read, but not taken as written: never a silent drop
        click.echo(f"{warning}", err=True)
    if ref.warnings:
        count = len(ref.warnings)
        click.echo(f"{count} avertissement{'s' if count > 1 else ''} (le référentiel est chargé).", err=True)
