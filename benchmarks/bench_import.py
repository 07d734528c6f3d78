"""Time to read and validate a large evaluation file (cae_data.evaluation.read_evaluation).

Builds in memory a `;`-separated CSV of N valid rows (default 100 000: 20 collectivités × 5 dates ×
1 000 sous-actions and tâches of a synthetic referential, statuses of every kind, détaillé shares
with decimal commas, comments) and prints the best time of a few runs.

    .venv/bin/python benchmarks/bench_import.py [N]
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

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


def main() -> None:
    n_rows = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    levels = synthetic_referential()
    data = synthetic_file(n_rows, levels)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = read_evaluation(data, "bench.csv", {"cae": levels}, today=dt.date(2026, 1, 1))
        best = min(best, time.perf_counter() - start)
    assert len(result.rows) == n_rows, len(result.rows)
    print(f"read_evaluation: {n_rows} rows ({len(data) / 1e6:.1f} MB) read and validated in {best:.2f} s "
          f"(best of 3)")




def bench_database_import(n_rows: int = 100_000) -> None:
    """End to end through `services.import_evaluation`: validation, archive, one transaction."""
    import tempfile

    import pandas as pd

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
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        with store.writing(path) as con:
            store.save_referentiel(con, Referentiel("cae", "Synthétique", nodes, source_kind="csv"))
        data = synthetic_file(n_rows, levels)
        start = time.perf_counter()
        result = services.import_evaluation(path, data, "bench.csv", today=dt.date(2026, 1, 1))
        elapsed = time.perf_counter() - start
        assert sum(o.rows for o in result.outcomes) == n_rows
        again = time.perf_counter()
        services.import_evaluation(path, data, "bench.csv", today=dt.date(2026, 1, 1))
        repeat = time.perf_counter() - again
    print(f"import_evaluation: {n_rows} rows validated, archived and written in {elapsed:.2f} s; "
          f"the same file again (no change) in {repeat:.2f} s")


if __name__ == "__main__":
    main()
    bench_database_import()
