"""`pcaet`, the command line of ../shared/formats/cli.md: thin wrappers over cae_data.services.

Exit codes: 0 success, 1 refused input (every problem printed in French, one per line, as
`fichier:ligne:colonne: message`), 2 usage error. Nothing is written unless the exit code is 0."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import db, services
from .cli_comite import comite
from .cli_common import acting_user, db_option, fail_on_refused_input, parse_date_option
from .cli_indicateurs import indicateurs
from .cli_sauvegarde import restauration, sauvegarde
from .cli_utilisateur import utilisateur
from .errors import InvalidInput


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pcaet-dashboard")
def main() -> None:
    """Tableau de bord PCAET : référentiel CAE, évaluations, scores, fiches-actions."""


@main.command()
@db_option
@click.option("--demo/--no-demo", default=True, help="Ajouter les données de démonstration (défaut : oui).")
@fail_on_refused_input
@acting_user
def init(db_option, demo, user):
    """Créer ou rafraîchir la base à partir de seeds/ (idempotent)."""
    report = services.init_database(db.resolve_db_path(db_option), demo=demo, user=user)
    for line in report:
        click.echo(line)


@main.group()
def referentiel():
    """Référentiels (CAE…)."""


@referentiel.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--nom", default=None, help="Nom du référentiel (défaut : nom du dossier ou du fichier).")
@click.option("--personnalisations", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None)
@click.option("--questions", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None)
@db_option
@fail_on_refused_input
@acting_user
def referentiel_import(path, nom, personnalisations, questions, db_option, user):
    """Charger un référentiel : dossier markdown ou fichier CSV de structure."""
    ref = services.import_referentiel(db.resolve_db_path(db_option), path, nom, personnalisations, questions,
                                      user=user)
    counts = ref.nodes["niveau"].value_counts()
    detail = ", ".join(f"{counts.get(n, 0)} {label}" for n, label in services.NIVEAU_LABELS_PLURAL.items() if counts.get(n, 0))
    click.echo(f"Référentiel « {ref.nom} » chargé : {detail} ; {len(ref.rules)} règles de personnalisation, "
               f"{len(ref.questions)} questions.")


@main.group()
def collectivite():
    """Profils des collectivités."""


@collectivite.command("set")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--referentiel", "referentiel_nom", default="cae", show_default=True)
@db_option
@fail_on_refused_input
@acting_user
def collectivite_set(files, referentiel_nom, db_option, user):
    """Créer ou mettre à jour des profils de collectivité (un fichier YAML chacun)."""
    inputs = [(path.read_bytes(), path.name) for path in files]
    for profile in services.set_collectivites(db.resolve_db_path(db_option), inputs, referentiel_nom, user=user):
        click.echo(f"Collectivité « {profile.nom} » enregistrée.")


@main.group()
def evaluation():
    """Évaluations (fichiers CSV ou XLSX)."""


@evaluation.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--collectivite", "collectivite_nom", default=None, help="Collectivité évaluée (si le fichier ne le dit pas).")
@click.option("--date", "on_date", default=None, callback=parse_date_option, help="Date de l'évaluation AAAA-MM-JJ.")
@db_option
@fail_on_refused_input
@acting_user
def evaluation_import(file, collectivite_nom, on_date, db_option, user):
    """Importer un fichier d'évaluation (tout ou rien)."""
    result = services.import_evaluation(db.resolve_db_path(db_option), file.read_bytes(), file.name,
                                        collectivite_nom, on_date, user=user)
    for message in result.messages:
        click.echo(message)
    for outcome in result.outcomes:
        click.echo(f"{outcome.collectivite} au {outcome.date.strftime('%d/%m/%Y')} ({outcome.referentiel}) : "
                   f"{outcome.rows} lignes, évaluation {outcome.action}.")


@evaluation.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--collectivite", "collectivite_nom", default=None)
@click.option("--date", "on_date", default=None, callback=parse_date_option)
@db_option
def evaluation_check(files, collectivite_nom, on_date, db_option):
    """Valider des fichiers d'évaluation sans rien écrire."""
    db_path = db.resolve_db_path(db_option)
    refused = False
    for file in files:
        try:
            result = services.read_evaluation_file(db_path, file.read_bytes(), file.name, collectivite_nom, on_date)
        except InvalidInput as exc:
            refused = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        except (db.DatabaseBusy, db.DatabaseMissing) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        else:
            for warning in result.warnings:
                click.echo(str(warning), err=True)
            click.echo(f"{file.name} : valide ({len(result.rows)} lignes).")
    sys.exit(1 if refused else 0)


@main.command()
@click.option("--collectivite", "collectivite_nom", default=None)
@click.option("--date", "on_date", default=None, callback=parse_date_option)
@click.option("--referentiel", "referentiel_nom", default="cae", show_default=True)
@click.option("--toutes", is_flag=True, help="Toutes les évaluations de la base.")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@db_option
@fail_on_refused_input
def scores(collectivite_nom, on_date, referentiel_nom, toutes, output_format, db_option):
    """Afficher les points de chaque nœud du référentiel (dernière évaluation par défaut)."""
    if toutes and (collectivite_nom or on_date):
        raise click.UsageError("--toutes ne se combine pas avec --collectivite ni --date")
    result = services.compute_scores(db.resolve_db_path(db_option), referentiel_nom, collectivite_nom, on_date, toutes)
    out = services.scores_for_output(result, with_keys=toutes)
    if output_format == "json":
        click.echo(out.to_json(orient="records", force_ascii=False, indent=1))
    else:
        for column in ("desactive", "concerne"):
            out[column] = out[column].map({True: "true", False: "false"})
        click.echo(out.to_csv(index=False, float_format="%.3f", lineterminator="\n"), nl=False)


main.add_command(indicateurs)
main.add_command(comite)
main.add_command(utilisateur)
main.add_command(sauvegarde)
main.add_command(restauration)


if __name__ == "__main__":  # pragma: no cover
    main()
