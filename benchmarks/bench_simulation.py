"""Benchmark of the « Vers la prochaine étoile » simulator (cae_data/simulation.py).

Uses the official CAE referential when `../shared/referentiels/cae` exists (read, never
copied), else the synthetic referential of bench_scoring.py. The demo's 8 evaluations of the
CAPSO (cae_data/demo.py) are the inputs; for each, `simulate` (one change) and
`smallest_completion_set` are timed (best and median of --repeat runs, after one warm-up run
that fills the personnalisation cache).

    .venv/bin/python benchmarks/bench_simulation.py
    .venv/bin/python benchmarks/bench_simulation.py --synthetic --repeat 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cae_data import demo, simulation  # noqa: E402
from cae_data.personnalisation.profile import Profile, read_profile  # noqa: E402


def load(synthetic: bool):
    folder = Path(__file__).resolve().parents[2] / "shared" / "referentiels"
    if not synthetic and (folder / "cae").exists():
        from cae_data.referentiel.loader import read_referentiel

        ref = read_referentiel(folder / "cae", nom="cae", personnalisations=folder / "personnalisations",
                               questions=folder / "questions")
        profile = read_profile(demo.demo_profile_yaml(ref).encode("utf-8"), "capso.yaml", ref.questions)
        return "CAE officiel", ref, profile
    from bench_scoring import synthetic_referentiel

    ref = synthetic_referentiel()
    return "synthétique", ref, Profile(nom="CAPSO", type="EPCI", population=105000, localisation="Metropole")


def timed(function, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", action="store_true", help="référentiel synthétique même si le CAE est là")
    args = parser.parse_args()
    kind, ref, profile = load(args.synthetic)
    nodes = ref.nodes
    print(f"Référentiel {kind} : {len(nodes)} nœuds, {int((nodes.niveau == 'sous-action').sum())} sous-actions")
    by_date = demo.demo_statuses(ref)
    first = next(iter(by_date.values()))
    simulation.smallest_completion_set(ref, profile, first)  # warm-up (personnalisation cache)
    print(f"{'date':<12}{'programmées':>12}{'simulate':>16}{'prochaine étoile':>20}{'ensemble':>10}  étoiles")
    worst = 0.0
    for when, rows in by_date.items():
        sous_action = rows["action_id"].str.split(".").str[:4].str.join(".")
        programmed = sous_action[rows["statut"] == "programme"].nunique()
        change = {sous_action[rows["statut"] == "programme"].iloc[0]: "fait"} if programmed else {}
        best_sim, median_sim, _ = timed(lambda: simulation.simulate(ref, profile, rows, change), args.repeat)
        best, median, plan = timed(lambda: simulation.smallest_completion_set(ref, profile, rows), args.repeat)
        worst = max(worst, median)
        target = "—" if plan.etoile_visee is None else f"{plan.etoiles} → {plan.etoile_visee}"
        reach = "" if plan.etoile_visee is None else (" atteignable" if plan.atteignable else " hors d'atteinte")
        print(f"{when.isoformat():<12}{programmed:>12}{median_sim * 1000:>11.0f} ms{median * 1000:>15.0f} ms"
              f"{len(plan.action_ids):>10}  {target}{reach}  (meilleur {best * 1000:.0f} ms)")
    print(f"Pire médiane de smallest_completion_set : {worst * 1000:.0f} ms")


if __name__ == "__main__":
    main()
