"""`pcaet` speaks French in its help and its usage errors, click's own words included (issue 16)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cae_data.cli import main

ENGLISH = re.compile(r"\b(Usage|Show|this|message|exit|Commands|Error|Missing|argument|No such|Try|for help|"
                     r"TEXT|FILE|FILES|PATH|INTEGER|DIR|COMMAND|ARGS|required|default)\b")


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.parametrize("path", every_command(main), ids=lambda p: " ".join(p) or "pcaet")
def test_every_help_is_french(path):
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="pcaet")
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : pcaet")
    assert "Afficher cette aide et quitter." in result.output
    assert not ENGLISH.findall(result.output), ENGLISH.findall(result.output)


def test_usage_errors_are_french():
    runner = CliRunner()
    missing = runner.invoke(main, ["evaluation", "import"], prog_name="pcaet")
    assert missing.exit_code == 2
    assert "Erreur : Argument manquant 'FICHIER'." in missing.output
    assert "Essayez « pcaet evaluation import --help » pour l'aide." in missing.output
    unknown = runner.invoke(main, ["scores", "--toute"])
    assert ("Erreur : Option inconnue '--toute'. (vouliez-vous dire l'une de : '--date', '--toutes' ?)"
            in unknown.output)
    bad_choice = runner.invoke(main, ["scores", "--format", "xml"])
    assert "Valeur invalide pour '--format'" in bad_choice.output
    assert not ENGLISH.findall(missing.output + unknown.output + bad_choice.output)
    top = runner.invoke(main, ["--help"])
    assert "Commandes:" in top.output or "Commandes :" in top.output
