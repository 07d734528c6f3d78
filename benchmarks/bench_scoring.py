"""Benchmark of the scoring engine on a synthetic referential of the full CAE size.

The referential is generated here (nothing is read from ADEME's files): 6 axes, 19 sous-axes,
60 mesures, about 320 sous-actions and 1,060 tâches, and about 100 personnalisation rules of
the real kinds (reductions on identity and answers, nested reductions, désactivations, one
score rule). N random evaluations with random profiles are scored; the times of the
personnalisation rules and of the scoring are printed separately, then together.

    .venv/bin/python benchmarks/bench_scoring.py            # N = 1, 100, 1 000, 10 000
    .venv/bin/python benchmarks/bench_scoring.py --n 1000   # one size only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cae_data.personnalisation.profile import Profile  # noqa: E402
from cae_data.referentiel.model import NODE_COLUMNS, RULE_COLUMNS, Referentiel, niveau_for_depth  # noqa: E402
from cae_data.scoring import engine  # noqa: E402

SOUS_AXES = (3, 3, 3, 4, 3, 3)  # per axe: 19
MESURE_POINTS = (4, 6, 8, 10, 12, 16)
BINARY_QUESTIONS = tuple(f"q{i}" for i in range(1, 13))
CHOICE_QUESTIONS = {"c1": ("c1_a", "c1_b", "c1_c"), "c2": ("c2_a", "c2_b"), "c3": ("c3_a", "c3_b", "c3_c")}
PROPORTION_QUESTIONS = ("p1", "p2", "p3")


def _shares(rng: np.random.Generator, n: int) -> list[int]:
    """n shares in multiples of 5 adding up to 100 (one may be 0, as 1.1.2.0 in CAE)."""
    cuts = np.sort(rng.choice(np.arange(1, 20), size=n - 1, replace=False)) if n > 1 else np.array([], int)
    parts = np.diff(np.r_[0, cuts, 20]) * 5
    if n > 3 and rng.random() < 0.05:
        parts[0], parts[1] = 0, parts[0] + parts[1]
    return parts.tolist()


def synthetic_referentiel(seed: int = 7) -> Referentiel:
    rng = np.random.default_rng(seed)
    rows = [dict(action_id="", parent_id=None, depth=0, points=np.nan, pct=np.nan)]
    mesures, sous_actions, taches = [], [], []
    mesures_per_sous_axe = rng.permutation([3] * 16 + [4] * 3)  # 60 over 19
    k = 0
    for a, n_sous_axes in enumerate(SOUS_AXES, start=1):
        rows.append(dict(action_id=f"{a}", parent_id="", depth=1, points=np.nan, pct=np.nan))
        for b in range(1, n_sous_axes + 1):
            sa_id = f"{a}.{b}"
            rows.append(dict(action_id=sa_id, parent_id=f"{a}", depth=2, points=np.nan, pct=np.nan))
            for c in range(1, mesures_per_sous_axe[k] + 1):
                m_id = f"{sa_id}.{c}"
                mesures.append(m_id)
                rows.append(dict(action_id=m_id, parent_id=sa_id, depth=3,
                                 points=float(rng.choice(MESURE_POINTS)), pct=np.nan))
                n_sa = int(rng.choice([4, 5, 5, 6, 6, 7]))
                for d, share in enumerate(_shares(rng, n_sa), start=1):
                    s_id = f"{m_id}.{d}"
                    sous_actions.append(s_id)
                    rows.append(dict(action_id=s_id, parent_id=m_id, depth=4, points=np.nan, pct=float(share)))
                    n_t = int(rng.choice([0, 2, 3, 3, 4, 4, 5, 5]))
                    for e in range(1, n_t + 1):
                        t_id = f"{s_id}.{e}"
                        taches.append(t_id)
                        rows.append(dict(action_id=t_id, parent_id=s_id, depth=5, points=np.nan, pct=np.nan))
            k += 1
    frame = pd.DataFrame(rows)
    frame["point_referentiel"] = _points(frame)
    nodes = pd.DataFrame({
        "action_id": frame["action_id"], "parent_id": frame["parent_id"].astype(object),
        "depth": frame["depth"], "niveau": [niveau_for_depth(d, 3) for d in frame["depth"]],
        "ordre": 0, "nom": "Action " + frame["action_id"], "description": "", "textes": [{}] * len(frame),
        "categorie": None, "points_declares": frame["points"], "pourcentage": frame["pct"],
        "point_referentiel": frame["point_referentiel"], "collectivite_type": None,
        "climat_pratic_id": None, "source_file": "synthetique", "source_line": np.arange(1, len(frame) + 1),
    })[NODE_COLUMNS]
    rules = pd.DataFrame(_rules(rng, mesures, sous_actions, taches), columns=RULE_COLUMNS)
    return Referentiel(nom="synthetique", titre="Référentiel synthétique", nodes=nodes, rules=rules,
                       source_kind="csv", source="synthetique")


def _points(frame: pd.DataFrame) -> np.ndarray:
    """Points per scoring.md §1, level by level (mesures given, shares, equal split, sums)."""
    points = frame["points"].to_numpy(dtype=float).copy()
    parent_pos = pd.Index(frame["action_id"]).get_indexer(frame["parent_id"].fillna("\0"))
    depth = frame["depth"].to_numpy()
    pct = frame["pct"].to_numpy()
    for d in (4, 5):
        at = np.flatnonzero(depth == d)
        parents = parent_pos[at]
        if d == 4:
            points[at] = pct[at] / 100.0 * points[parents]
        else:
            counts = pd.Series(parents).value_counts()
            points[at] = points[parents] / counts.reindex(parents).to_numpy()
    for d in (2, 1, 0):
        at = np.flatnonzero(depth == d + 1)
        sums = pd.Series(points[at]).groupby(parent_pos[at]).sum()
        points[sums.index.to_numpy()] = sums.to_numpy()
    return points


def _rules(rng, mesures, sous_actions, taches) -> list[dict]:
    rules = []

    def add(action_id, kind, expression):
        rules.append(dict(action_id=action_id, kind=kind, expression=expression, description="",
                          source_file="synthetique", source_line=len(rules) + 1))

    chosen_m = rng.choice(mesures, size=45, replace=False)
    for i, m in enumerate(chosen_m):
        q, q2 = rng.choice(BINARY_QUESTIONS, size=2, replace=False)
        p = PROPORTION_QUESTIONS[i % 3]
        c, choices = list(CHOICE_QUESTIONS.items())[i % 3]
        form = i % 5
        if form == 0:
            add(m, "reduction", f"si reponse({q}, NON) et reponse({q2}, NON) alors 2/12\n"
                                f"sinon si reponse({q}, NON) alors 6/12")
        elif form == 1:
            add(m, "reduction", f"si identite(type, commune) alors max(reponse({p}), 0.5)\n"
                                f"sinon si identite(type, EPCI) et reponse({c}, {choices[1]}) alors 0.5")
        elif form == 2:
            add(m, "reduction", "si identite(localisation, DOM) alors 10/12")
        elif form == 3:
            add(m, "reduction", f"si reponse({c}, {choices[-1]}) alors 0\n"
                                f"sinon si identite(population, moins_de_10000) alors 0.25")
            add(m, "desactivation", f"reponse({c}, {choices[-1]})")
        else:
            add(m, "reduction", f"si reponse({q}, OUI) et reponse({q2}, OUI) alors 1.0\n"
                                f"sinon si reponse({q}, NON) ou reponse({q2}, NON) alors 0.75")
    chosen_s = rng.choice(sous_actions, size=35, replace=False)
    for i, s in enumerate(chosen_s):
        q = BINARY_QUESTIONS[i % len(BINARY_QUESTIONS)]
        form = i % 4
        if form == 0:
            add(s, "desactivation", "identite(type, EPCI) et identite(population, moins_de_20000)")
        elif form == 1:
            add(s, "reduction", "si identite(localisation, DOM) alors 3/2")  # nested in a mesure's
        elif form == 2:
            add(s, "reduction", f"si reponse({q}, OUI) et identite(population, plus_de_100000) alors 0.0")
            add(s, "desactivation", f"reponse({q}, OUI) et identite(population, plus_de_100000)")
        else:
            add(s, "desactivation", f"reponse({q}, NON)")
    for t in rng.choice(taches, size=15, replace=False):
        add(t, "desactivation", "si identite(type, commune) alors VRAI")
    first, second = rng.choice(mesures, size=2, replace=False)
    add(second, "score", f"min(score(cae_{first}), score(cae_{second}))")
    return rules


def random_profiles(n: int, seed: int = 11) -> list[Profile]:
    rng = np.random.default_rng(seed)
    types = rng.choice(["EPCI", "commune", "syndicat"], size=n, p=[0.6, 0.35, 0.05])
    populations = np.exp(rng.uniform(np.log(1500), np.log(900_000), size=n)).astype(int)
    dom = rng.random(n) < 0.1
    answered = rng.random((n, len(BINARY_QUESTIONS))) < 0.8
    yes = rng.random((n, len(BINARY_QUESTIONS))) < 0.6
    proportions = rng.random((n, len(PROPORTION_QUESTIONS)))
    choices = {q: rng.choice(values, size=n) for q, values in CHOICE_QUESTIONS.items()}
    profiles = []
    for i in range(n):  # building the inputs, not part of the timings
        reponses: dict[str, str | float] = {
            q: ("OUI" if yes[i, j] else "NON") for j, q in enumerate(BINARY_QUESTIONS) if answered[i, j]}
        reponses.update({q: float(proportions[i, j]) for j, q in enumerate(PROPORTION_QUESTIONS)})
        reponses.update({q: str(values[i]) for q, values in choices.items()})
        profiles.append(Profile(nom=f"Collectivité {i}", type=str(types[i]), population=int(populations[i]),
                                localisation="DOM" if dom[i] else "Metropole", reponses=reponses))
    return profiles


def random_statuses(referentiel: Referentiel, n: int, seed: int = 13) -> pd.DataFrame:
    """Every sous-action gets its own status (70 %) or statuses on its tâches; a few
    non concerné, détaillé and explicit non renseigné among them."""
    rng = np.random.default_rng(seed)
    nodes = referentiel.nodes
    sous_actions = nodes.loc[nodes["niveau"] == "sous-action", "action_id"].to_numpy()
    taches = nodes.loc[nodes["niveau"] == "tache", ["action_id", "parent_id"]]
    statuts = np.array(engine.STATUTS, dtype=object)
    weights = [0.35, 0.15, 0.25, 0.1, 0.05, 0.1]

    own = rng.random((n, len(sous_actions))) < 0.7
    subj, col = np.nonzero(own)
    sa_rows = pd.DataFrame({"subject": subj, "action_id": sous_actions[col],
                            "statut": statuts[rng.choice(6, size=len(subj), p=weights)]})
    by_tache = pd.Index(sous_actions).get_indexer(taches["parent_id"])
    subj_t, col_t = np.nonzero(~own[:, by_tache])
    t_rows = pd.DataFrame({"subject": subj_t, "action_id": taches["action_id"].to_numpy()[col_t],
                           "statut": statuts[rng.choice(6, size=len(subj_t), p=weights)]})
    rows = pd.concat([sa_rows, t_rows], ignore_index=True)
    detail = (rows["statut"] == "detaille").to_numpy()
    f = rng.random(len(rows))
    p = (1 - f) * rng.random(len(rows))
    rows["fait"] = np.where(detail, f, np.nan)
    rows["programme"] = np.where(detail, p, np.nan)
    rows["pas_fait"] = np.where(detail, 1 - f - p, np.nan)
    return rows


def best_of(repeats: int, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        engine._PERSONNALISATION.clear()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="number of evaluations (repeatable)")
    args = parser.parse_args(argv)
    sizes = args.n or [1, 100, 1000, 10000]

    referentiel = synthetic_referentiel()
    counts = referentiel.nodes["niveau"].value_counts()
    kinds = referentiel.rules["kind"].value_counts()
    print(f"référentiel synthétique : {len(referentiel.nodes)} nœuds ("
          + ", ".join(f"{counts.get(n, 0)} {n}" for n in ("axe", "sous-axe", "mesure", "sous-action", "tache"))
          + f"), {len(referentiel.rules)} règles ("
          + ", ".join(f"{v} {k}" for k, v in kinds.items()) + ")")
    tree = engine.tree_of(referentiel)
    print(f"{'N':>7} {'statuts':>9} {'personnalisation':>17} {'calcul':>9} {'total':>9} {'par éval.':>10}")
    for n in sizes:
        profiles = random_profiles(n)
        statuses = random_statuses(referentiel, n)
        subjects = pd.DataFrame({"subject": np.arange(n), "profile": np.arange(n)})
        repeats = 3 if n <= 1000 else 2
        t_perso, (reduction, desactive) = best_of(
            repeats, lambda: engine.personnalisation_matrices(referentiel, tree, profiles))
        t_score, scores = best_of(
            repeats, lambda: engine.score_personalised(referentiel, profiles, subjects, statuses,
                                                       reduction, desactive))
        t_total, total = best_of(
            repeats, lambda: engine.score_evaluations(referentiel, profiles, subjects, statuses))
        assert len(total) == n * len(referentiel.nodes)
        assert np.allclose(total["point_fait"].to_numpy(), scores["point_fait"].to_numpy())
        print(f"{n:>7} {len(statuses):>9} {t_perso:>15.3f} s {t_score:>7.3f} s {t_total:>7.3f} s "
              f"{1000 * t_total / n:>7.2f} ms")


if __name__ == "__main__":
    main()
