"""A national database on one machine: 1 500 collectivities, 52 weekly evaluations each.

The official CAE referential is read in place from ../shared/referentiels/cae (never copied);
without it the script says so and stops: a synthetic referential would not say how the real one
behaves at scale. Steps, each timed, with the process's peak memory (RSS) after it:

1. profiles: 1 500 collectivities of varied types (EPCI, commune, syndicat), populations
   (500 to 900 000, log-uniform), 5 % in a DOM, and random answers to every question of the
   referential, imported as YAML files in one `services.set_collectivites` call (validated);
2. evaluations: 52 weeks; each week every collectivity's evaluation (about 224 statuses, see
   bench_common.weekly_statuses) is written by `store.replace_evaluations`, one transaction
   per week, as weekly imports would: 78 000 evaluations, about 17.5 million status rows;
3. scoring everything: the engine on every evaluation (`scoring.engine.scored_chunks`, 1 024
   at a time, statuses read as numbers), keeping each evaluation's root points and stars;
   then `pcaet scores --toutes --format csv > /dev/null` as a process (every line of every
   evaluation written: about 115 million lines);
4. one collectivity's pages: the services the score pages call, with `collectivite`
   (all_scores, etoiles_for_all, the overview and history summaries, scores per mesure, radar
   by category, simulator inputs), median of 5 after a first call; target 300 ms each.

    .venv/bin/python benchmarks/bench_national.py [--collectivites 1500] [--semaines 52] [--garder DOSSIER]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    LEVELS,
    base_with_referentiel,
    official_referentiel_or_exit,
    profile_yaml,
    weekly_dates,
)

from cae_data import analyses, clock, services, store  # noqa: E402
from cae_data.scoring.engine import StatusRows, personnalisation_matrices, scored_chunks, tree_of  # noqa: E402
from cae_data.store.evaluations import status_codes_for  # noqa: E402

TARGET_SECONDS = 0.300


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def milliers(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


class Steps:
    def __init__(self):
        self.rows: list[tuple[str, float, float]] = []

    def run(self, label: str, function):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        self.rows.append((label, elapsed, peak_mib()))
        print(f"  {label} : {elapsed:.1f} s (pic mémoire du processus : {peak_mib():.0f} Mio)", flush=True)
        return result


def profiles(ref, count: int, seed: int = 1500) -> list[tuple[bytes, str]]:
    """YAML profiles with random identities and answers to every question of the referential."""
    rng = np.random.default_rng(seed)
    questions = ref.questions
    kinds = rng.choice(["EPCI", "commune", "syndicat"], size=count, p=[0.4, 0.55, 0.05])
    populations = np.exp(rng.uniform(np.log(500), np.log(900_000), size=count)).astype(int)
    dom = rng.random(count) < 0.05
    files = []
    for i in range(count):  # building the inputs, not part of what is measured as the product
        answers = {}
        for question in questions.itertuples():
            if rng.random() < 0.15:
                continue  # not answered
            if question.type == "binaire":
                answers[question.question_id] = str(rng.choice(["oui", "non"]))
            elif question.type == "choix":
                choices = [c["id"] for c in (question.choix or []) if isinstance(c, dict) and c.get("id")]
                if choices:
                    answers[question.question_id] = str(rng.choice(choices))
            elif question.type == "proportion":
                answers[question.question_id] = f"{rng.random():.2f}"
        nom = f"Collectivité {i + 1:04d}"
        files.append((profile_yaml(nom, str(kinds[i]), int(populations[i]), bool(dom[i]), answers), f"c{i}.yaml"))
    return files


def write_weeks(path: Path, ref, names: list[str], dates, seed: int = 15) -> int:
    """One transaction per week, every collectivity's evaluation of that week (vectorised over
    collectivities × sous-actions; statuses never go backwards from one week to the next)."""
    rng = np.random.default_rng(seed)
    sous_actions = ref.nodes.loc[ref.nodes["niveau"] == "sous-action", "action_id"].to_numpy()
    n_c, n_s = len(names), len(sous_actions)
    evaluated = rng.random((n_c, n_s)) < 0.69
    non_concerne = evaluated & (rng.random((n_c, n_s)) < 0.02)
    detaille = evaluated & ~non_concerne & (rng.random((n_c, n_s)) < 0.01)
    maturity = rng.beta(2.0, 3.0, size=(n_c, n_s))
    speed = rng.uniform(0.02, 0.5, size=(n_c, n_s))
    level = np.zeros((n_c, n_s), dtype=np.int8)
    c, s = np.nonzero(evaluated)
    collectivites = pd.Categorical.from_codes(c, categories=names)
    action_ids = pd.Categorical.from_codes(s, categories=list(sous_actions))
    total = 0
    for week, day in enumerate(dates):  # one import a week, as the collectivities would
        years = week * 7 / 365.25
        progress = maturity + speed * years + rng.normal(0, 0.03, size=(n_c, n_s))
        level = np.maximum(level, np.digitize(progress, [0.45, 0.62]).astype(np.int8))
        statut = np.where(non_concerne[c, s], "non_concerne",
                          np.where(detaille[c, s], "detaille", LEVELS[level[c, s]]))
        detail = detaille[c, s]
        fait = np.where(detail, min(0.2 + 0.02 * week, 0.9), np.nan)
        programme = np.where(detail, np.minimum(0.5, 1 - fait), np.nan)
        rows = pd.DataFrame({
            "collectivite": collectivites, "date": day, "referentiel": "cae", "action_id": action_ids,
            "statut": statut, "fait": fait, "programme": programme,
            "pas_fait": np.where(detail, np.round(1 - fait - programme, 6), np.nan), "commentaire": None,
        })
        with store.writing(path) as con:
            store.replace_evaluations(con, [(n, day, "cae") for n in names], None, rows)
        total += len(rows)
    return total


def score_everything(path: Path) -> pd.DataFrame:
    """Every evaluation scored, 1 024 at a time; kept: root points and stars of each."""
    from cae_data.personnalisation.profile import Profile
    from cae_data.services.scores import _numbered

    with store.reading(path) as con:
        ref = store.load_referentiel(con, "cae")
        profiles_by_name = store.load_profiles(con)
        keys = _numbered(store.evaluation_keys(con, "cae"))
        codes = status_codes_for(con, "cae", keys)
    tree = tree_of(ref)
    names = sorted(set(keys["collectivite"]))
    profile_list = [profiles_by_name.get(n) or Profile(nom=n) for n in names]
    subjects = keys.assign(profile=keys["collectivite"].map({n: i for i, n in enumerate(names)}))
    rows = StatusRows.from_codes(tree, codes["subject"], codes["position"], codes["code"], codes["fait"],
                                 codes["programme"], codes["pas_fait"])
    del codes
    reduction, desactive = personnalisation_matrices(ref, tree, profile_list)
    root = int(tree.index.get_indexer([""])[0])
    parts = []
    for start, stop, result in scored_chunks(ref, profile_list, subjects, rows, reduction, desactive):
        parts.append(pd.DataFrame({
            "subject": np.arange(start, stop), "point_potentiel": result.potential[:, root],
            "point_fait": result.points["point_fait"][:, root],
            "point_programme": result.points["point_programme"][:, root]}))
    table = pd.concat(parts, ignore_index=True)
    return keys.merge(table, on="subject")


def page_reads(path: Path, nom: str) -> list[tuple[str, float]]:
    """What one collectivity's score pages read (median of 5 after a first call): the services
    they call, with `collectivite`, then the tables the pages derive from the scores (the
    pages keep the scores in Streamlit's cache, shared by every page, for each data version)."""
    latest = services.evaluation_dates(path, nom)[-1]
    scores = services.all_scores(path, "cae", collectivite=nom)
    at_latest = scores[scores["date"] == scores["date"].max()]
    measures = [
        ("services.all_scores(…, collectivite=…)", lambda: services.all_scores(path, "cae", collectivite=nom)),
        ("services.etoiles_for_all(…, collectivite=…)", lambda: services.etoiles_for_all(path, "cae", collectivite=nom)),
        ("services.statuses_at (détail d'une mesure)", lambda: services.statuses_at(path, nom, latest)),
        ("services.evaluation_dates (historique)", lambda: services.evaluation_dates(path, nom)),
        ("services.simulation_inputs (simulateur)", lambda: services.simulation_inputs(path, nom)),
        ("services.load_referentiel", lambda: services.load_referentiel(path, "cae")),
        ("vue d'ensemble : analyses.global_summary", lambda: analyses.global_summary(scores)),
        ("scores par mesure : analyses.scores_by_level", lambda: analyses.scores_by_level(at_latest, "mesure")),
        ("radar : analyses.scores_by_category", lambda: analyses.scores_by_category(scores)),
        ("historique : analyses.history", lambda: analyses.history(scores)),
    ]
    results = []
    for label, function in measures:
        function()
        times = []
        for _ in range(5):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        results.append((label, statistics.median(times)))
        print(f"  {label} : {statistics.median(times) * 1000:.0f} ms", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collectivites", type=int, default=1500)
    parser.add_argument("--semaines", type=int, default=52)
    parser.add_argument("--garder", type=Path, help="garder la base construite dans ce dossier")
    parser.add_argument("--sans-csv", action="store_true", help="ne pas écrire le CSV de toutes les évaluations")
    parser.add_argument("--base", type=Path, help="mesurer seulement les pages sur une base déjà construite (--garder)")
    args = parser.parse_args()
    official_referentiel_or_exit("ce banc d'essai national")
    if args.base is not None:
        names = sorted(services.collectivite_names(args.base / "pcaet.duckdb"))
        print(f"Pages d'une collectivité sur {args.base} ({len(names)} collectivités) :")
        reads = page_reads(args.base / "pcaet.duckdb", names[len(names) // 2])
        print("| lecture d'une page | médiane de 5 | cible 300 ms |")
        print("|---|---:|---|")
        for label, elapsed in reads:
            print(f"| {label} | {elapsed * 1000:.0f} ms | {'oui' if elapsed <= TARGET_SECONDS else 'NON'} |")
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-national-"))
    path = folder / "pcaet.duckdb"
    steps = Steps()
    try:
        print(f"Base nationale : {args.collectivites} collectivités × {args.semaines} semaines")
        steps.run("référentiel CAE officiel importé", lambda: base_with_referentiel(path))
        ref = services.load_referentiel(path, "cae")
        files = profiles(ref, args.collectivites)
        steps.run(f"{args.collectivites} profils validés et enregistrés", lambda: services.set_collectivites(path, files))
        names = [f"Collectivité {i + 1:04d}" for i in range(args.collectivites)]
        dates = weekly_dates(args.semaines, clock.today())
        total = steps.run(f"{args.collectivites * args.semaines} évaluations écrites (une transaction par semaine)",
                          lambda: write_weeks(path, ref, names, dates))
        size = sum(f.stat().st_size for f in folder.glob("pcaet.duckdb*")) / 2 ** 20
        print(f"  {milliers(total)} statuts ; fichier de la base : {size:.0f} Mio")
        table = steps.run("toutes les évaluations calculées (points à la racine gardés)",
                          lambda: score_everything(path))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (table["point_fait"] / table["point_potentiel"]).to_numpy()
        print(f"  {len(table)} évaluations ; score réalisé médian {np.nanmedian(share) * 100:.1f} %")
        if not args.sans_csv:
            venv = Path(sys.executable).parent
            started = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M", "sh", "-c",
                                   f"exec {venv / 'pcaet'} scores --toutes --format csv --db {path} > /dev/null"],
                                  capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            peak = float(done.stderr.strip().splitlines()[-1]) / 1024 if done.returncode == 0 else float("nan")
            steps.rows.append(("pcaet scores --toutes --format csv > /dev/null (processus)", elapsed, peak))
            print(f"  pcaet scores --toutes --format csv > /dev/null : {elapsed:.1f} s, pic {peak:.0f} Mio "
                  f"(processus à part){'' if done.returncode == 0 else ' ÉCHEC : ' + done.stderr[-500:]}")
        print("Pages d'une collectivité (données lues par les pages, base nationale) :")
        reads = page_reads(path, names[len(names) // 2])
        print()
        print("| étape | temps | pic mémoire (RSS) |")
        print("|---|---:|---:|")
        for label, elapsed, peak in steps.rows:
            print(f"| {label} | {elapsed:.1f} s | {peak:.0f} Mio |")
        print()
        print("| lecture d'une page | médiane de 5 | cible 300 ms |")
        print("|---|---:|---|")
        for label, elapsed in reads:
            print(f"| {label} | {elapsed * 1000:.0f} ms | {'oui' if elapsed <= TARGET_SECONDS else 'NON'} |")
        if args.garder:
            shutil.copytree(folder, args.garder, dirs_exist_ok=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
