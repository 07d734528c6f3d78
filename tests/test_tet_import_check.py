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


def test_the_same_file_twice_writes_nothing(tmp_path):
    """Re-importing an identical file leaves the database as it was, down to its version counter."""
    from cae_data import store

    path = fresh_db(tmp_path)
    data = (FIXTURES / "evaluation-cp1252.csv").read_bytes()
    first = services.import_evaluation(path, data, "evaluation-cp1252.csv", "CAPSO")

    def state():
        with store.reading(path) as con:
            return (con.execute("SELECT data_version FROM meta").fetchall(),
                    con.execute("SELECT count(*) FROM uploads").fetchall(),
                    con.execute("SELECT count(*) FROM journal").fetchall())

    before = state()
    again = services.import_evaluation(path, data, "evaluation-cp1252.csv", "CAPSO")
    assert first.changed and not again.changed
    assert again.messages[-1] == "Fichier déjà importé : rien n'a changé."
    assert state() == before
