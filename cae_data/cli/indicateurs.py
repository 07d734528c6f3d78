"""`pcaet indicateurs import FILE` and `pcaet indicateurs export [--format csv|json]` (cli.md):
indicator values of the fiches-actions. Registered in cli.py with `main.add_command(indicateurs)`."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from .. import services, store
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input


def number_text(value: float) -> str:
    """12.0 → '12', 12.5 → '12.5', NaN → '' (CSV output, decimal point)."""
    if value is None or value != value:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def indicateurs():
    """Valeurs des indicateurs des fiches-actions (import, export)."""


@indicateurs.command("import")
@click.argument("file", metavar="FICHIER", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@db_option
@fail_on_refused_input
@acting_user
def indicateurs_import(file, db_option, user):
    """Importer un fichier de valeurs d'indicateurs, CSV ou XLSX (tout ou rien)."""

    result = services.import_indicateur_values(store.resolve_db_path(db_option), file.read_bytes(), file.name,
                                              user=user)
    for message in result.messages:
        click.echo(f"{file.name} : {message}")


@indicateurs.command("export")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@db_option
@fail_on_refused_input
def indicateurs_export(output_format, db_option):
    """Afficher chaque indicateur avec ses valeurs et ses cibles (fiche, indicateur, date, valeur, cible)."""
    out = services.export_indicateurs(store.resolve_db_path(db_option))
    if output_format == "json":
        records = out.astype(object).where(out.notna(), None)
        records["date"] = records["date"].map(lambda d: d or None)
        click.echo(pd.DataFrame(records).to_json(orient="records", force_ascii=False, indent=1))
    else:
        for column in ("valeur", "cible"):
            out[column] = out[column].map(number_text)
        click.echo(out.to_csv(index=False, lineterminator="\n"), nl=False)
