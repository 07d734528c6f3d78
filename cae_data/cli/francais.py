"""The command line speaks French, click's own words included (« Usage », « Show this message and
exit », « Missing argument », …).

click marks its texts with gettext (`from gettext import gettext as _`, and `ngettext`) in each of
its modules; `install()` gives those modules a lookup in the catalogue below instead, for this
process only. A text missing from the catalogue stays as click wrote it (tests/test_cli_francais.py
checks the help of every command and the usual usage errors)."""

from __future__ import annotations

import importlib

CATALOGUE = {
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "(dynamic)": "(dynamique)",
    "Aborted!": "Abandon.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} prend {nargs} valeurs.",
    "Choice({choices})": "Choix({choices})",
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
    "Commands": "Commandes",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier {filename!r} : {message}",
    "Do you want to continue?": "Continuer ?",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Error: {message}": "Erreur : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Missing argument": "Argument manquant",
    "Missing command.": "Commande manquante.",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "No such command {name!r}.": "Commande inconnue {name!r}.",
    "No such option {name!r}.": "Option inconnue {name!r}.",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Options": "Options",
    "Positional arguments": "Arguments",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Usage:": "Utilisation :",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "default: {default}": "défaut : {default}",
    "deprecated": "obsolète",
    "directory": "dossier",
    "env var: {var}": "variable d'environnement : {var}",
    "file": "fichier",
    "path": "chemin",
    "unknown error": "erreur inconnue",
    "required": "obligatoire",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ne peut pas être écrit.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not one of {choices}.": "{value!r} n'est pas l'un des choix {choices}.",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    # plural forms (ngettext): singular and plural give one French text each
    "Got unexpected extra argument ({args})": "Argument inattendu en trop ({args})",
    "Got unexpected extra arguments ({args})": "Arguments inattendus en trop ({args})",
    "Missing argument {param_hint}.": "Argument manquant : {param_hint}.",
    "Missing arguments {param_hint}.": "Arguments manquants : {param_hint}.",
    "Missing option {param_hint}.": "Option manquante : {param_hint}.",
    "Missing options {param_hint}.": "Options manquantes : {param_hint}.",
    "Missing parameter {param_hint}.": "Paramètre manquant : {param_hint}.",
    "Missing parameters {param_hint}.": "Paramètres manquants : {param_hint}.",
    "No such option: {name}": "Option inconnue : {name}",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(vouliez-vous dire l'une de : {possibilities} ?)",
    "(Possible options: {possibilities})": "(options possibles : {possibilities})",
    "Option {name!r} requires an argument.": "L'option {name!r} demande un argument.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} demande {nargs} arguments.",
}

# what `--help` shows for an option's value, by type (click writes the type's name in capitals)
TYPE_NAMES = {"StringParamType": "texte", "IntParamType": "entier", "FloatParamType": "nombre",
              "BoolParamType": "booléen", "Path": "chemin", "File": "fichier", "DateTime": "date"}
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Give click's modules the French catalogue (idempotent). Run before any command is declared:
    some texts (the --version help) are read when the decorators run."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    types = importlib.import_module("click.types")
    for class_name, name in TYPE_NAMES.items():
        getattr(types, class_name).name = name
