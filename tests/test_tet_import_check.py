"""A score export of the official platform is imported, then recomputed here: the import says
whether the recomputed points match the file's, and names the differences."""

from pathlib import Path

from cae_data import services

FIXTURES = Path(__file__).parent / "fixtures" / "evaluations"


def fresh_db(tmp_path) -> Path:
    path = tmp_path / "p.duckdb"
    services.init_database(path, demo=False)
    return path


def test_recomputed_points_match_the_export(tmp_path):
    db = fresh_db(tmp_path)
    for name in ("tet-export-seed.xlsx", "tet-export-seed.csv"):
        result = services.import_evaluation(db, (FIXTURES / name).read_bytes(), name)
        # 6.1.1 and 6.5.1 (seed format): 2 mesures, 5 + 3 sous-actions, 2+5+5+4+5 + 5+8+4 tâches = 48 nodes
        assert result.messages[-1] == "Points recalculés identiques à ceux du fichier (48 mesures, sous-actions et tâches)."


def test_a_difference_with_the_file_is_named(tmp_path):
    db = fresh_db(tmp_path)
    text = (FIXTURES / "tet-export-seed.csv").read_bytes().decode("cp1252")
    # 6.1.1.1 is fait for 13,75 points in the file; claim 12 instead
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("6.1.1.1;"))
    cells = lines[index].split(";")
    assert cells[6] == "13,75"
    cells[6] = "12"
    lines[index] = ";".join(cells)
    result = services.import_evaluation(db, "".join(lines).encode("cp1252"), "export-modifie.csv")
    message = result.messages[-1]
    assert message.startswith("Attention : 1 écart entre les points du fichier et le calcul")
    assert "6.1.1.1 : points faits 12 dans le fichier, 13,8 recalculés" in message
