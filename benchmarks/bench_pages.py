"""Server time of every dashboard page, measured with Streamlit's AppTest on a large database.

The database: the official CAE referential (`../shared/referentiels`, read, never copied; the
script stops with a message when it is absent), the demo collectivity's profile, and 10 years
of weekly evaluations of the CAPSO (520 dates, statuses made by `cae_data.demo.demo_statuses`
and written in one transaction, not through 520 file imports).

Each page of the routes table (ui/routes.py) is run once with every Streamlit cache emptied (« à froid »),
then rerun 5 times (« à chaud », median). Two interactions are timed too: the simulator after a
change of status (a new sous-action each time, so never a cache hit), and the import page
previewing an evaluation file of the whole referential.

    .venv/bin/python benchmarks/bench_pages.py [--reruns 5] [--keep DOSSIER]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cae_data import clock

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
# Caches used outside a Streamlit server warn at every call: not useful here.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

import pandas as pd  # noqa: E402

from cae_data import demo, services, store  # noqa: E402

REFERENTIELS = PROJECT.parent / "shared" / "referentiels"
TARGET_SECONDS = 0.300
WEEKS = 520


def build_database(folder: Path) -> Path:
    """The official referential, the CAPSO's profile and 520 weekly evaluations."""
    path = folder / "pcaet.duckdb"
    started = time.perf_counter()
    services.init_database(path, demo=False)
    services.import_referentiel(path, REFERENTIELS / "cae", personnalisations=REFERENTIELS / "personnalisations",
                                questions=REFERENTIELS / "questions")
    services.init_database(path, demo=False)  # the official referential is kept
    ref = services.load_referentiel(path, "cae")
    services.set_collectivites(path, [(demo.demo_profile_yaml(ref).encode("utf-8"), "capso.yaml")])
    first = clock.today() - timedelta(weeks=WEEKS - 1)
    dates = [first + timedelta(weeks=k) for k in range(WEEKS)]
    by_date = demo.demo_statuses(ref, dates)
    statuses = pd.concat([frame.assign(date=when) for when, frame in by_date.items()], ignore_index=True)
    statuses = statuses.assign(collectivite=demo.DEMO_COLLECTIVITE, referentiel="cae")
    statuses["date"] = pd.to_datetime(statuses["date"]).dt.date
    with store.writing(path) as con:
        store.replace_evaluations(con, [(demo.DEMO_COLLECTIVITE, d, "cae") for d in dates], None, statuses)
    count = f"{len(statuses):,}".replace(",", " ")
    print(f"Base : {WEEKS} évaluations hebdomadaires ({dates[0]:%d/%m/%Y} – {dates[-1]:%d/%m/%Y}), "
          f"{count} statuts, construite en {time.perf_counter() - started:.1f} s")
    return path


def pages_of_dashboard() -> list[str]:
    """Every page of the routes table dashboard.py builds its navigation from (the login page
    aside: it has nothing to compute)."""
    from ui import routes

    return [route.path for route in routes.ROUTES if route is not routes.CONNEXION]


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def start(path: Path, page: str):
    """An AppTest on `page`, its caches cold: the first run of dashboard.py (the home page) is
    made on a missing database, where every page stops at once."""
    import logging

    from streamlit.testing.v1 import AppTest

    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ["PCAET_DB"] = str(path.parent / "absente.duckdb")
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=600)
    at.run()
    os.environ["PCAET_DB"] = str(path)
    clear_caches()
    at.switch_page(page)
    return at


def timed_run(at) -> tuple[float, float]:
    """(wall time, CPU time of the process) of one run: on a shared machine the CPU time says
    what the page costs, the wall time what a user waits."""
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    if at.exception:
        raise RuntimeError("\n".join(e.value for e in at.exception))
    return elapsed, used


def measure_page(path: Path, page: str, reruns: int) -> tuple[tuple, list[tuple]]:
    at = start(path, page)
    cold = timed_run(at)
    return cold, [timed_run(at) for _ in range(reruns)]


def measure_simulator_change(path: Path, reruns: int) -> tuple[tuple, list[tuple]]:
    """The simulator after each change of a programmé sous-action to fait (a new one each time)."""
    at = start(path, "ui/pages/prochaine_etoile.py")
    timed_run(at)
    editor = at.data_editor[0]
    table = editor.value
    rows = [i for i, s in enumerate(table["Statut actuel"]) if s == "programmé"]
    times = []
    for k in range(reruns + 1):
        at.session_state[editor.key] = {"edited_rows": {r: {"Statut simulé": "fait"} for r in rows[:k + 1]},
                                        "added_rows": [], "deleted_rows": []}
        times.append(timed_run(at))
    return times[0], times[1:]


def measure_import_preview(path: Path, reruns: int) -> tuple[tuple, list[tuple]]:
    """The import page previewing a file with a status for every sous-action and tâche."""
    ref = services.load_referentiel(path, "cae")
    ids = ref.nodes.loc[ref.nodes["niveau"].isin(["sous-action", "tache"]), "action_id"]
    data = ("action_id;statut\r\n" + "".join(f"{i};programmé\r\n" for i in ids)).encode("cp1252")
    at = start(path, "ui/pages/importer_evaluation.py")
    timed_run(at)
    at.file_uploader[0].set_value(("evaluation-complete.csv", data, "text/csv"))
    cold = timed_run(at)
    return cold, [timed_run(at) for _ in range(reruns)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="garder la base construite dans ce dossier")
    args = parser.parse_args()
    if not (REFERENTIELS / "cae").is_dir():
        sys.exit(f"Référentiels officiels absents ({REFERENTIELS}) : ce banc d'essai a besoin du référentiel CAE "
                 "complet, placé dans ../shared/referentiels à côté du projet.")
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        path = build_database(folder)
        rows = []
        measures = [(page, lambda reruns, page=page: measure_page(path, page, reruns)) for page in pages_of_dashboard()]
        measures += [("prochaine_etoile.py, après chaque changement",
                      lambda reruns: measure_simulator_change(path, reruns)),
                     ("importer_evaluation.py, aperçu d'un fichier complet",
                      lambda reruns: measure_import_preview(path, reruns))]
        for label, measure in measures:
            cold, warm = measure(args.reruns)
            rows.append((label, cold, warm))
            print(f"  {label} : {cold[0] * 1000:.0f} ms à froid, "
                  f"{statistics.median(w for w, _ in warm) * 1000:.0f} ms à chaud", flush=True)
        print()
        print(f"| page | à froid | à chaud (médiane de {args.reruns}) | dont CPU | cible 300 ms |")
        print("|---|---:|---:|---:|---|")
        for label, cold, warm in rows:
            wall = statistics.median(w for w, _ in warm)
            cpu = statistics.median(c for _, c in warm)
            print(f"| {label.removeprefix('ui/pages/')} | {cold[0] * 1000:.0f} ms | {wall * 1000:.0f} ms | "
                  f"{cpu * 1000:.0f} ms | {'oui' if wall <= TARGET_SECONDS else 'NON'} |")
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
            print(f"\nBase gardée dans {args.keep}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
