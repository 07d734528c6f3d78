"""What every `pcaet` command shares: the --db option, French refusals with exit code 1, dates
as AAAA-MM-JJ, and the acting user. Each command group imports it (no import cycle with cli.py)."""

from __future__ import annotations

import functools
import sys
from datetime import date, datetime

import click

from . import db, services
from .errors import InvalidInput


def fail_on_refused_input(func):
    """Turn refused input and a busy database into exit code 1 with French messages."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        except (db.DatabaseBusy, db.DatabaseMissing, services.Refused) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)

    return wrapper


def parse_date_option(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"date non reconnue « {value} » (attendu AAAA-MM-JJ)")


db_option = click.option(
    "--db", "db_option", default=None, metavar="CHEMIN",
    help="Base DuckDB (défaut : variable PCAET_DB, sinon data/pcaet.duckdb).",
)


def current_user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return None

