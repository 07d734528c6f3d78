"""`pcaet evaluation import|check` and `pcaet scores`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import services, store
from ..errors import InvalidInput
from ..formatting import nombre, pourcentage
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input, parse_date_option


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def evaluation():
    """Évaluations (fichiers CSV ou XLSX)."""


@evaluation.command("import")
@click.argument("file", metavar="FICHIER", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--collectivite", "collectivite_nom", default=None, help="Collectivité évaluée (si le fichier ne le dit pas).")
@click.option("--date", "on_date", default=None, callback=parse_date_option, help="Date de l'évaluation AAAA-MM-JJ.")
@click.option("--referentiel", "referentiel_nom", default=None,
              help="Référentiel des lignes qui n'en nomment pas (défaut : cae) : cae, eci, te…")
@click.option("--complet", is_flag=True,
              help="Le fichier donne l'état complet : une action absente devient non renseignée (par défaut, elle "
                   "garde son statut de l'évaluation précédente).")
@click.option("--confirmer", is_flag=True,
              help=f"Importer sans demander, même si le score baisse de plus de "
                   f"{services.SEUIL_CONFIRMATION:g} points.")
@db_option
@fail_on_refused_input
@acting_user
def evaluation_import(file, collectivite_nom, on_date, referentiel_nom, complet, confirmer, db_option, user):
    """Importer un fichier d'évaluation (tout ou rien), après un aperçu de son effet."""
    db_path = store.resolve_db_path(db_option)
    data = file.read_bytes()
    plan = services.plan_import(db_path, data, file.name, collectivite_nom, on_date, complet, user=user,
                                referentiel=referentiel_nom)
    for line in preview_lines(plan):
        click.echo(line)
    if plan.needs_confirmation(services.SEUIL_CONFIRMATION) and not confirmer:
        question = (f"Le score baisse de {nombre(plan.baisse, 1)} points : importer quand même ?")
        if not sys.stdin.isatty():
            hint = (" : avec --complet, les actions absentes du fichier deviennent non renseignées" if plan.complet
                    else "")
            click.echo(f"{file.name}::: import arrêté : le score baisserait de {nombre(plan.baisse, 1)} points. "
                       f"Vérifiez le fichier{hint}, puis relancez avec --confirmer.", err=True)
            sys.exit(1)
        if not click.confirm(question, default=False):
            click.echo("Import annulé : rien n'a été enregistré.")
            sys.exit(1)
    result = services.import_evaluation(db_path, data, file.name, collectivite_nom, on_date, user=user, plan=plan)
    for message in result.messages:
        click.echo(message)
    for outcome in result.outcomes:
        click.echo(f"{outcome.collectivite} au {outcome.date.strftime('%d/%m/%Y')} ({outcome.referentiel}) : "
                   f"{outcome.rows} lignes, évaluation {outcome.action}.")


NATURES = [("modifié", "modifié", "modifiés"), ("nouveau", "nouveau", "nouveaux"), ("reporté", "repris", "repris"),
           ("effacé", "effacé", "effacés"), ("inchangé", "inchangé", "inchangés")]


def preview_lines(plan) -> list[str]:
    """Before → after of each evaluation of the file, in French."""
    lines = []
    for bilan in plan.bilans:
        counts = ", ".join(f"{n} {singular if n == 1 else plural}" for code, singular, plural in NATURES
                           if (n := bilan.natures.get(code, 0)))
        base = f" (état du {bilan.base_date:%d/%m/%Y})" if bilan.base_date else " (première évaluation)"
        lines.append(
            f"Aperçu {bilan.collectivite} au {bilan.date:%d/%m/%Y} ({bilan.referentiel}){base} : score "
            f"{pourcentage(bilan.score_avant)} → {pourcentage(bilan.score_apres)}"
            + (f", étoiles {bilan.etoiles_avant} → {bilan.etoiles_apres}" if bilan.etoiles_significatives else "")
            + f" ; statuts : {counts or 'aucun'} ; "
            + ("fichier complet." if plan.complet else "mise à jour (les actions absentes gardent leur statut)."))
    return lines


@evaluation.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FICHIERS…", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--collectivite", "collectivite_nom", default=None, help="Collectivité évaluée (si le fichier ne le dit pas).")
@click.option("--date", "on_date", default=None, callback=parse_date_option, help="Date de l'évaluation AAAA-MM-JJ.")
@click.option("--referentiel", "referentiel_nom", default=None,
              help="Référentiel des lignes qui n'en nomment pas (défaut : cae) : cae, eci, te…")
@db_option
def evaluation_check(files, collectivite_nom, on_date, referentiel_nom, db_option):
    """Valider des fichiers d'évaluation sans rien écrire."""
    db_path = store.resolve_db_path(db_option)
    refused = False
    for file in files:
        try:
            result = services.read_evaluation_file(db_path, file.read_bytes(), file.name, collectivite_nom, on_date,
                                                   referentiel=referentiel_nom)
        except InvalidInput as exc:
            refused = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
        except (store.DatabaseBusy, store.DatabaseMissing) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        else:
            for warning in result.warnings:
                click.echo(str(warning), err=True)
            click.echo(f"{file.name} : valide ({len(result.rows)} lignes).")
    sys.exit(1 if refused else 0)


@click.command()
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
    db_path = store.resolve_db_path(db_option)
    # Written chunk by chunk as it is scored: memory and time stay those of the engine.
    write = services.write_scores_json if output_format == "json" else services.write_scores_csv
    sys.stdout.flush()
    write(db_path, sys.stdout.buffer, referentiel_nom, collectivite_nom, on_date, toutes)
    sys.stdout.buffer.flush()
