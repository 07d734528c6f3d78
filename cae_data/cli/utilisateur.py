"""`pcaet utilisateur add|remove|role|mot-de-passe|liste` (cli.md): accounts and roles
(docs/securite.md). Registered in cli.py with `main.add_command(utilisateur)`.

Managing accounts needs the admin role (--utilisateur), except while no account exists (open
mode): the first account is created that way, and it must be an admin."""

from __future__ import annotations

import click

from .. import auth, store
from ..formatting import date_fr
from .common import SUBCOMMAND_METAVAR, acting_user, db_option, fail_on_refused_input

ROLE_CHOICE = click.Choice(list(auth.ROLES))


def _new_password(nom: str, given: str | None) -> str:
    if given is not None:
        return given
    return click.prompt(f"Mot de passe du compte {nom}", hide_input=True, confirmation_prompt=
                        "Confirmez le mot de passe", err=True)


@click.group(subcommand_metavar=SUBCOMMAND_METAVAR)
def utilisateur():
    """Comptes et rôles : lecture (élus), edition (chargés de mission), admin."""


@utilisateur.command("add")
@click.argument("nom")
@click.option("--role", "role", type=ROLE_CHOICE, required=True,
              help="lecture : tout voir, rien modifier ; edition : importer et modifier ; admin : gérer les comptes.")
@click.option("--mot-de-passe", "mot_de_passe", default=None, metavar="MDP",
              help="Mot de passe du nouveau compte (demandé s'il n'est pas donné ; 8 caractères au moins).")
@db_option
@fail_on_refused_input
@acting_user
def utilisateur_add(nom, role, mot_de_passe, db_option, user):
    """Créer un compte."""
    account = auth.add_account(store.resolve_db_path(db_option), nom, role, _new_password(nom, mot_de_passe), by=user)
    click.echo(f"Compte « {account.nom} » créé, rôle {auth.ROLE_LABELS[account.role]}.")


@utilisateur.command("remove")
@click.argument("nom")
@db_option
@fail_on_refused_input
@acting_user
def utilisateur_remove(nom, db_option, user):
    """Supprimer un compte."""
    path = store.resolve_db_path(db_option)
    auth.remove_account(path, nom, by=user)
    click.echo(f"Compte « {nom} » supprimé.")
    if not auth.accounts_exist(path):
        click.echo("Plus aucun compte : mode ouvert, toute personne qui accède à la base peut la modifier.")


@utilisateur.command("role")
@click.argument("nom")
@click.argument("role", type=ROLE_CHOICE)
@db_option
@fail_on_refused_input
@acting_user
def utilisateur_role(nom, role, db_option, user):
    """Changer le rôle d'un compte."""
    changed = auth.set_role(store.resolve_db_path(db_option), nom, role, by=user)
    state = "désormais" if changed else "déjà"
    click.echo(f"Compte « {nom} » : rôle {state} {auth.ROLE_LABELS[role]}.")


@utilisateur.command("mot-de-passe")
@click.argument("nom")
@click.option("--mot-de-passe", "mot_de_passe", default=None, metavar="MDP",
              help="Nouveau mot de passe (demandé s'il n'est pas donné).")
@db_option
@fail_on_refused_input
@acting_user
def utilisateur_mot_de_passe(nom, mot_de_passe, db_option, user):
    """Changer le mot de passe d'un compte (un admin, ou le compte lui-même)."""
    auth.set_password(store.resolve_db_path(db_option), nom, _new_password(nom, mot_de_passe), by=user)
    click.echo(f"Mot de passe du compte « {nom} » changé.")


@utilisateur.command("liste")
@db_option
@fail_on_refused_input
def utilisateur_liste(db_option):
    """Afficher les comptes et leur rôle."""
    accounts = auth.list_accounts(store.resolve_db_path(db_option))
    if accounts.empty:
        click.echo("Aucun compte : mode ouvert (créez le premier avec pcaet utilisateur add NOM --role admin).")
    for row in accounts.itertuples(index=False):
        click.echo(f"{row.nom} : {auth.ROLE_LABELS.get(row.role, row.role)} (créé le {date_fr(row.created_at)})")
