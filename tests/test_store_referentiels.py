"""A referential of any shape goes into DuckDB and comes back as it was read: the TE structure
file's attributes, the platform questions' attributes and the origins of TE nodes included; a
profile's sous-type and its foreign answers likewise."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cae_data import services, store
from cae_data.cli import main
from cae_data.referentiel.loader import read_referentiel
from cae_data.referentiel.model import ALL_NODE_COLUMNS, ALL_QUESTION_COLUMNS, ORIGINE_COLUMNS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "referentiel"
MINI = FIXTURES / "te-mini-structure.csv"
MINI_QUESTIONS = FIXTURES / "questions-plateforme-mini"


def same_frames(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> None:
    a = a[columns].reset_index(drop=True).astype(object).where(a[columns].notna().to_numpy(), None)
    b = b[columns].reset_index(drop=True).astype(object).where(b[columns].notna().to_numpy(), None)
    for column in columns:
        assert a[column].tolist() == b[column].tolist(), column


@pytest.mark.parametrize("source, options", [
    (MINI, {"questions": MINI_QUESTIONS}),
    (FIXTURES / "recyclerie-structure.csv", {}),
    (FIXTURES / "mixte" / "mixte", {}),
    (FIXTURES / "recyclerie" / "recyclerie", {}),
    (FIXTURES / "velo-structure.csv", {}),
])
def test_a_referential_comes_back_from_the_database_as_read(tmp_path, source, options):
    read = read_referentiel(source, **options)
    db = tmp_path / "pcaet.duckdb"
    services.import_referentiel(db, source, **options)
    back = services.load_referentiel(db, read.nom)
    assert back.source_kind == read.source_kind and back.regles == read.regles
    same_frames(read.nodes, back.nodes, ALL_NODE_COLUMNS)
    same_frames(read.origines, back.origines, ORIGINE_COLUMNS)
    assert sorted(back.questions["question_id"]) == sorted(read.questions["question_id"])
    same_frames(read.questions.sort_values("question_id"), back.questions.sort_values("question_id"),
                ALL_QUESTION_COLUMNS)
    assert back.niveau_labels == read.niveau_labels


def test_the_mini_te_keeps_its_te_attributes(tmp_path):
    db = tmp_path / "pcaet.duckdb"
    services.import_referentiel(db, MINI, questions=MINI_QUESTIONS)
    te = services.load_referentiel(db, "te-mini")
    nodes = te.nodes.set_index("action_id")
    # line 4 of the fixture: 1.1.1, a core mesure of the theme « Mieux planifier »
    assert bool(nodes.loc["1.1.1", "coremeasure"]) and nodes.loc["1.1.1", "thematique_sgpe"] == "Mieux planifier"
    assert te.niveau_label("sous-action") == "sous-mesure"
    assert len(te.origines) > 0


def test_soustype_and_foreign_answers_are_kept_with_a_warning(tmp_path):
    db = tmp_path / "pcaet.duckdb"
    services.import_referentiel(db, FIXTURES / "velo-structure.csv", nom="velo")
    profile = ("nom: Syndicat du Vallon\ntype: syndicat\nsoustype: syndicat\npopulation: 12000\n"
               "reponses:\n  dev_eco_1: OUI\n  SPASER: NON\n").encode("utf-8")
    path = tmp_path / "syndicat.yaml"
    path.write_bytes(profile)
    result = CliRunner().invoke(main, ["collectivite", "set", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Collectivité « Syndicat du Vallon » enregistrée." in result.stdout
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2 and all(w.startswith("syndicat.yaml:") for w in warnings)
    assert any("dev_eco_1" in w for w in warnings) and any("SPASER" in w for w in warnings)
    with store.reading(db) as con:
        stored = store.load_profiles(con)["Syndicat du Vallon"]
    assert stored.soustype == "syndicat" and stored.reponses == {"dev_eco_1": "OUI", "SPASER": "NON"}
