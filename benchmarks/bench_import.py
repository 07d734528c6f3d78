"""Time to read and validate a large evaluation file (cae_data.evaluation.read_evaluation), then to
import it end to end (services.import_evaluation: validation, archive, one transaction), each
against a plain `pandas.read_csv` of the same bytes measured in the same run (best of 3 each).

Builds in memory a `;`-separated cp1252 CSV of N valid rows (default 100 000: 20 collectivités ×
5 dates × 1 000 sous-actions and tâches of a synthetic referential, statuses of every kind,
détaillé shares with decimal commas, comments). With --commande, the same comparison between
whole processes (farm-bench, median): `pcaet evaluation import FICHIER` against
`python -c "import pandas; pandas.read_csv(FICHIER, sep=';', encoding='cp1252')"`.

    .venv/bin/python benchmarks/bench_import.py [N] [--commande]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cae_data.evaluation import read_evaluation  # noqa: E402

STATUSES = ["fait", "Programmé", "pas fait", "non concerné", "non renseigné", "détaillé"]


def synthetic_referential() -> dict[str, str]:
    """10 mesures × 10 sous-actions × 9 tâches: 1 000 evaluable nodes (with the levels above)."""
    levels = {"": "referentiel", "1": "axe", "1.1": "sous-axe"}
    for m in range(1, 11):
        levels[f"1.1.{m}"] = "mesure"
        for s in range(1, 11):
            levels[f"1.1.{m}.{s}"] = "sous-action"
            for t in range(1, 10):
                levels[f"1.1.{m}.{s}.{t}"] = "tache"
    return levels


def synthetic_file(n_rows: int, levels: dict[str, str]) -> bytes:
    evaluable = [i for i, n in levels.items() if n in ("sous-action", "tache")]
    lines = ["action_id;statut;fait;programme;pas_fait;date;collectivite;commentaire"]
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=30 * k) for k in range(5)]
    row = 0
    while row < n_rows:
        collectivite, rest = divmod(row // len(evaluable), len(dates))
        date = dates[rest]
        action = evaluable[row % len(evaluable)]
        statut = STATUSES[row % len(STATUSES)]
        shares = "30,5;49,5;20" if statut == "détaillé" else ";;"
        lines.append(f"cae_{action};{statut};{shares};{date:%d/%m/%Y};Collectivité {collectivite};note {row}")
        row += 1
    return ("\n".join(lines) + "\n").encode("cp1252")


def plain_read(data: bytes) -> float:
    """Best of 3 of the plainest pandas read of the file (separator and encoding known)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        pd.read_csv(io.BytesIO(data), sep=";", encoding="cp1252")
        best = min(best, time.perf_counter() - start)
    return best


def main(n_rows: int) -> None:
    levels = synthetic_referential()
    data = synthetic_file(n_rows, levels)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = read_evaluation(data, "bench.csv", {"cae": levels}, today=dt.date(2026, 1, 1))
        best = min(best, time.perf_counter() - start)
    assert len(result.rows) == n_rows, len(result.rows)
    baseline = plain_read(data)
    print(f"pandas.read_csv: {n_rows} rows ({len(data) / 1e6:.1f} MB) in {baseline:.3f} s (best of 3)")
    print(f"read_evaluation: read and validated in {best:.3f} s (best of 3), ×{best / baseline:.1f} pandas.read_csv")


def bench_database_import(n_rows: int = 100_000) -> None:
    """End to end through `services.import_evaluation`: validation, archive, one transaction."""
    import tempfile

    from cae_data import services, store
    from cae_data.referentiel.model import Referentiel

    levels = synthetic_referential()
    ids = list(levels)
    depth = [0 if i == "" else i.count(".") + 1 for i in ids]
    nodes = pd.DataFrame({
        "action_id": ids, "parent_id": [None if i == "" else (i.rsplit(".", 1)[0] if "." in i else "") for i in ids],
        "depth": depth, "niveau": [levels[i] for i in ids], "ordre": 0, "nom": ids, "description": "",
        "textes": [{} for _ in ids], "categorie": None, "points_declares": [10.0 if levels[i] == "mesure" else None for i in ids],
        "pourcentage": [10.0 if levels[i] == "sous-action" else None for i in ids], "point_referentiel": 1.0,
        "collectivite_type": None, "climat_pratic_id": None, "source_file": "synthetique", "source_line": 1,
    })
    data = synthetic_file(n_rows, levels)
    times, repeats = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(3):  # a new database each time: the import creates every evaluation
            path = Path(folder) / f"bench{run}.duckdb"
            with store.writing(path) as con:
                store.save_referentiel(con, Referentiel("cae", "Synthétique", nodes, source_kind="csv"))
            start = time.perf_counter()
            result = services.import_evaluation(path, data, "bench.csv", today=dt.date(2026, 1, 1))
            times.append(time.perf_counter() - start)
            assert sum(o.rows for o in result.outcomes) == n_rows
            again = time.perf_counter()
            services.import_evaluation(path, data, "bench.csv", today=dt.date(2026, 1, 1))
            repeats.append(time.perf_counter() - again)
    baseline = plain_read(data)
    print(f"import_evaluation: {n_rows} rows validated, archived and written in {min(times):.3f} s (best of 3), "
          f"×{min(times) / baseline:.1f} pandas.read_csv ({baseline:.3f} s, same run); the same file again "
          f"(no change) in {min(repeats):.3f} s")


def bench_commands(n_rows: int) -> None:
    """Whole processes, farm-bench (median): the import command against a plain pandas read."""
    import re
    import shutil
    import subprocess
    import tempfile

    from cae_data import services, store
    from cae_data.referentiel.model import Referentiel

    if not shutil.which("farm-bench"):
        print("farm-bench absent : comparaison des commandes non faite")
        return
    venv = Path(sys.executable).parent
    levels = synthetic_referential()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "evaluation.csv"
        csv_path.write_bytes(synthetic_file(n_rows, levels))
        template = Path(folder) / "modele" / "pcaet.duckdb"
        template.parent.mkdir()
        bench_database_template(template, levels, services, store, Referentiel)
        db = Path(folder) / "base" / "pcaet.duckdb"
        # each run imports into a fresh copy of the database (the copy is part of both commands)
        importer, reader = Path(folder) / "importer.sh", Path(folder) / "lire.sh"
        reset = f"rm -rf {db.parent} && cp -r {template.parent} {db.parent}\n"
        importer.write_text(reset + f"exec {venv / 'pcaet'} evaluation import {csv_path} --db {db} > /dev/null\n")
        reader.write_text(reset + f"exec {sys.executable} -c \"import pandas; pandas.read_csv('{csv_path}', "
                                  "sep=';', encoding='cp1252')\"\n")
        done = subprocess.run(["farm-bench", "-n", "5", "--timeout", "900", "--vs", f"sh {reader}", "--",
                               "sh", str(importer)], capture_output=True, text=True)
        lines = [line for line in (done.stdout + done.stderr).splitlines()
                 if re.match(r"\s*(A|B|A/B) (wall|cpu)", line)]
        print("pcaet evaluation import (A) contre python -c pandas.read_csv (B), processus entiers :")
        print("\n".join(lines) if lines else done.stdout + done.stderr)


def bench_database_template(path: Path, levels, services, store, Referentiel) -> None:
    ids = list(levels)
    nodes = pd.DataFrame({
        "action_id": ids, "parent_id": [None if i == "" else (i.rsplit(".", 1)[0] if "." in i else "") for i in ids],
        "depth": [0 if i == "" else i.count(".") + 1 for i in ids], "niveau": [levels[i] for i in ids], "ordre": 0,
        "nom": ids, "description": "", "textes": [{} for _ in ids], "categorie": None,
        "points_declares": [10.0 if levels[i] == "mesure" else None for i in ids],
        "pourcentage": [10.0 if levels[i] == "sous-action" else None for i in ids], "point_referentiel": 1.0,
        "collectivite_type": None, "climat_pratic_id": None, "source_file": "synthetique", "source_line": 1,
    })
    with store.writing(path) as con:
        store.save_referentiel(con, Referentiel("cae", "Synthétique", nodes, source_kind="csv"))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--commande"]
    rows = int(arguments[0]) if arguments and arguments[0].isdigit() else 100_000
    main(rows)
    bench_database_import(rows)
    if "--commande" in sys.argv[1:]:
        bench_commands(rows)
