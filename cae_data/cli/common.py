"""What every `pcaet` command shares: the --db option, French refusals with exit code 1, dates
as AAAA-MM-JJ, and the acting user. Each command group imports it (no import cycle with cli.py)."""

from __future__ import annotations

import functools
import os
import sys
from datetime import date, datetime

import click

from .. import auth, services, store
from ..errors import InvalidInput


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
        except auth.PermissionRefused as exc:
            click.echo(exc.for_command_line(), err=True)
            sys.exit(1)
        except (store.DatabaseBusy, store.DatabaseMissing, services.Refused) as exc:
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


SUBCOMMAND_METAVAR = "COMMANDE [ARGUMENTS]…"  # what a group's usage line shows (click writes it in English)

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


# --- acting user (docs/securite.md): who a write command acts as

PASSWORD_ENV = "PCAET_MOT_DE_PASSE"


def acting_user(func):
    """Give a command that writes the option --utilisateur NOM (env PCAET_UTILISATEUR) and call
    it with `user`, the acting user: in open mode (no account) the name given or the system
    login, as a label; once accounts exist, the account whose password was checked (asked for,
    or env PCAET_MOT_DE_PASSE), or None without --utilisateur (the engine then refuses the
    write). Put it under @fail_on_refused_input and @db_option."""

    @click.option("--utilisateur", "utilisateur", default=None, metavar="NOM", envvar="PCAET_UTILISATEUR",
                  help="Compte qui fait la modification (défaut : variable PCAET_UTILISATEUR). Mot de passe "
                       "demandé, ou variable PCAET_MOT_DE_PASSE. Nécessaire dès qu'un compte existe.")
    @functools.wraps(func)
    def wrapper(*args, utilisateur=None, **kwargs):
        kwargs["user"] = resolve_acting_user(store.resolve_db_path(kwargs.get("db_option")), utilisateur)
        return func(*args, **kwargs)

    return wrapper


def resolve_acting_user(db_path, nom: str | None) -> str | None:
    if not auth.accounts_exist(db_path):
        return nom or current_user()
    if not nom:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = click.prompt(f"Mot de passe de {nom}", hide_input=True, err=True)
    account = auth.authenticate(db_path, nom, password)
    if account is None:
        raise auth.PermissionRefused("Nom d'utilisateur ou mot de passe incorrect.", nom, auth.EDITION)
    return account.nom
