"""Projecting a collectivity's CAE (and ECI) evaluation onto the 2026 referential « Climat
Ressources » (TE), as the official platform does when a collectivity switches
(referentiel-te.md § Switching; the platform's `score-from-origines.rules.ts`,
`merge-statuts.rules.ts`, `action-cible.ts`, `origine.rules.ts`). Pure and set-based: whole
tables, the only loops are over depth levels (in avancement.py and the engine).

For each TE « cible » — a sous-mesure or a tâche that names origins, as the platform's
`listSousActionsEtTachesCibles` — with P its TE potential after TE personnalisation and, for each
of its concerné origins o, pts(o) its referential points, w(o) its weighting and fait(o),
programme(o), pas_fait(o) its shares counted on its tâches (avancement.py):

    ratio = P / Σ pts(o)·w(o)                      (0 when the sum is 0)
    point_fait = ratio · Σ fait(o)·pts(o)·w(o)     (likewise programmé, pas fait)
    point_non_renseigne = P − the three

Two results come out of the same projection (docs/bascule.md says why):
- `scores`: these points, exactly, at every cible, summed up the tree by the engine's own rules
  (a cible scored like a node with its own status); what `pcaet bascule simuler` prints;
- `statuts`: the statuses the platform writes when it switches (a pure result within 0.001 is
  fait / programmé / pas fait, a mixed one détaillé with shares rounded down to 5 %), and
  `scores_statuts`, the engine's scores of them: what `pcaet bascule appliquer` writes and
  what every page then shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..personnalisation.profile import Profile
from ..referentiel.model import Referentiel
from ..scoring.engine import POINT_FIELDS, score_one, sum_children_unless_own
from ..scoring.etoiles import etoiles
from ..scoring.tree import tree_of
from .avancement import avancement_taches

# États d'une cible
PROJETEE, NON_RENSEIGNEE, NON_CONCERNEE, DESACTIVEE = "projetee", "non_renseignee", "non_concernee", "desactivee"
# États d'une origine
CONCERNEE, ORIGINE_NON_CONCERNEE, IGNOREE = "concernee", "non_concernee", "ignoree"
EPSILON_DISCRET = 1e-3  # merge-statuts.rules.ts: MERGE_STATUTS_STATUT_DISCRET_EPSILON
CHIFFRES = 3  # the platform's SCORE_ROUNDING_DIGITS
STATUS_COLUMNS = ["action_id", "statut", "fait", "programme", "pas_fait", "commentaire"]
CIBLE_COLUMNS = [
    "action_id", "niveau", "point_referentiel", "potentiel", "etat", "origines", "origines_concernees",
    "origines_non_concernees", "origines_ignorees", "points_origines", "ratio", *POINT_FIELDS,
    "point_fait_origines", "statut", "fait", "programme", "pas_fait", "commentaire", "libelle_origines",
]
ORIGINE_COLUMNS = [
    "action_id", "origine_referentiel", "origine_action_id", "ponderation", "etat", "ignoree_car",
    "point_referentiel", "point_fait", "total_taches", "taches_non_concernees", "sous_statut_parent",
    "fait", "programme", "pas_fait", "libelle",
]


@dataclass
class SourceOrigine:
    """An origin referential the collectivity follows (CAE, ECI) and its evaluation of it (the
    platform's « pre-switch » snapshot of a referential in `write` mode)."""

    referentiel: Referentiel
    statuses: pd.DataFrame  # action_id, statut, fait, programme, pas_fait (shares 0–1)
    date: date | None = None


@dataclass
class Projection:
    """Everything the switch computes for one collectivity (see the module docstring)."""

    referentiel: Referentiel  # TE
    profile: Profile
    base: pd.DataFrame  # TE scores without any status: P of every node (TE personnalisation only)
    scores: pd.DataFrame  # exact projection, the engine's columns (action_id as str)
    etoiles: pd.Series  # etoiles(…) row of `scores`: score_realise, etoiles, prochaine_etoile, …
    statuts: pd.DataFrame  # STATUS_COLUMNS, what appliquer writes
    scores_statuts: pd.DataFrame  # the engine's scores of `statuts`
    etoiles_statuts: pd.Series
    cibles: pd.DataFrame  # CIBLE_COLUMNS, one row per cible, TE order
    origines: pd.DataFrame  # ORIGINE_COLUMNS, one row per (cible, origin)
    sources_scores: dict[str, pd.DataFrame]  # origin referential → the engine's scores of its evaluation
    sources: dict[str, SourceOrigine]


def round_js(values, digits: int = CHIFFRES) -> np.ndarray:
    """The platform's rounding (`Math.round(x · 10^d) / 10^d`, halves up), kept where the
    platform's own rounded numbers decide a status."""
    magnitude = 10.0 ** digits
    return np.floor(np.asarray(values, dtype=np.float64) * magnitude + 0.5) / magnitude


def arrondi_cinq_pourcent(share) -> np.ndarray:
    """merge-statuts.rules.ts `arrondiCinqPourcent`: a share 0–1 to whole percents rounded DOWN
    to a multiple of 5 (same float steps: × 100, / 5, floor, × 5)."""
    return np.floor(np.asarray(share, dtype=np.float64) * 100 / 5) * 5


def _scores(referentiel: Referentiel, profile: Profile, statuses: pd.DataFrame) -> pd.DataFrame:
    scores = score_one(referentiel, profile, statuses)
    return scores.assign(action_id=scores["action_id"].astype(str), niveau=scores["niveau"].astype(str))


def _empty_statuses() -> pd.DataFrame:
    return pd.DataFrame({"action_id": pd.Series(dtype=object), "statut": pd.Series(dtype=object),
                         "fait": pd.Series(dtype="float64"), "programme": pd.Series(dtype="float64"),
                         "pas_fait": pd.Series(dtype="float64")})


def _ponderation_text(weights: pd.Series) -> pd.Series:
    """« » for 1, « (× 0,5) » otherwise; formatted once per distinct weighting."""
    from ..formatting import french_number

    distinct = {w: ("" if w == 1 else f" (× {french_number(w)})") for w in pd.unique(weights)}
    return weights.map(distinct).astype(object).fillna("").astype(str)


def origin_rows(te: Referentiel, sources: dict[str, SourceOrigine],
                avancements: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (TE node, origin) with the origin's state and its tâche shares."""
    origines = te.origines[["action_id", "origine_referentiel", "origine_action_id", "ponderation"]].copy()
    origines["action_id"] = origines["action_id"].astype(str)
    origines["origine_referentiel"] = origines["origine_referentiel"].astype(str).str.lower()
    origines["origine_action_id"] = origines["origine_action_id"].astype(str)
    # `ponderation || 1` in the platform: none or 0 weighs 1
    weight = origines["ponderation"].astype(float)
    origines["ponderation"] = weight.where(weight.notna() & (weight != 0), 1.0)
    origines = origines.drop_duplicates(["action_id", "origine_referentiel", "origine_action_id"])
    frames = [avancement.assign(origine_referentiel=nom).rename(columns={"action_id": "origine_action_id"})
              for nom, avancement in avancements.items()]
    columns = ["origine_referentiel", "origine_action_id", "point_referentiel", "point_fait", "concerne",
               "total_taches", "taches_non_concernees", "sous_statut_parent", "fait", "programme", "pas_fait"]
    known = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    rows = origines.merge(known, on=["origine_referentiel", "origine_action_id"], how="left", indicator=True)
    found = (rows.pop("_merge") == "both").to_numpy()
    concerne = rows["concerne"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    rows["etat"] = np.where(~found, IGNOREE, np.where(concerne, CONCERNEE, ORIGINE_NON_CONCERNEE))
    loaded = rows["origine_referentiel"].isin(list(sources)).to_numpy()
    rows["ignoree_car"] = np.where(found, "", np.where(loaded, "identifiant", "referentiel"))
    rows["sous_statut_parent"] = rows["sous_statut_parent"].astype("boolean").fillna(False).astype(bool)
    for column in ("point_referentiel", "point_fait", "total_taches", "taches_non_concernees", "fait", "programme",
                   "pas_fait"):
        rows[column] = rows[column].astype(float).fillna(0.0)
    rows["libelle"] = (rows["origine_referentiel"] + " " + rows["origine_action_id"]
                       + _ponderation_text(rows["ponderation"]))
    return rows[ORIGINE_COLUMNS].reset_index(drop=True)


def projeter(te: Referentiel, profile: Profile, sources: dict[str, SourceOrigine]) -> Projection:
    """The projection of the sources' evaluations onto `te` for `profile` (module docstring).
    `sources`: origin referential name as the TE file writes it (« cae », « eci ») → its
    referential and evaluation: the referentials the collectivity follows. As on the platform,
    an origin of another referential, or an id its referential lacks, is left out (« ignoree »),
    like a non concerné one."""
    tree = tree_of(te)
    base = _scores(te, profile, _empty_statuses())
    sources_scores = {nom: _scores(s.referentiel, profile, s.statuses) for nom, s in sources.items()}
    avancements = {nom: avancement_taches(s.referentiel, sources_scores[nom], s.statuses)
                   for nom, s in sources.items()}
    origines = origin_rows(te, sources, avancements)
    cibles = _cibles(te, base, origines)

    # Exact projection: the engine scores the cibles' shares (détaillé, or non concerné) for the
    # potentials, then every cible takes its exact points and its ancestors are summed again.
    projected = cibles["etat"].eq(PROJETEE).to_numpy()
    potentiel = cibles["potentiel"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        engine_statuses = pd.DataFrame({
            "action_id": cibles["action_id"],
            "statut": np.where(projected, "detaille", "non_concerne"),
            **{share: np.where(projected, cibles[field].to_numpy(dtype=np.float64) / potentiel, np.nan)
               for share, field in (("fait", "point_fait"), ("programme", "point_programme"),
                                    ("pas_fait", "point_pas_fait"))},
        })[projected | cibles["etat"].eq(NON_CONCERNEE).to_numpy()]
    scores = _scores(te, profile, engine_statuses)
    positions = tree.positions(cibles.loc[projected, "action_id"])
    own = tree.is_leaf | ~scores["concerne"].to_numpy(dtype=bool)
    own[tree.positions(engine_statuses["action_id"])] = True
    for field in POINT_FIELDS:
        values = scores[field].to_numpy(dtype=np.float64).copy()[None, :]
        values[0, positions] = cibles.loc[projected, field].to_numpy(dtype=np.float64)
        sum_children_unless_own(tree, values, own[None, :])
        scores[field] = values[0]

    statuts = cibles.loc[cibles["statut"].notna(), ["action_id", "statut", "fait", "programme", "pas_fait",
                                                    "commentaire"]].reset_index(drop=True)
    scores_statuts = _scores(te, profile, statuts)
    return Projection(
        referentiel=te, profile=profile, base=base, scores=scores,
        etoiles=etoiles(te, scores, engine_statuses).iloc[0],
        statuts=statuts, scores_statuts=scores_statuts,
        etoiles_statuts=etoiles(te, scores_statuts, statuts).iloc[0],
        cibles=cibles, origines=origines, sources_scores=sources_scores, sources=sources,
    )


def _cibles(te: Referentiel, base: pd.DataFrame, origines: pd.DataFrame) -> pd.DataFrame:
    """One row per cible: its origins counted by state, the exact projected points and the
    status the platform would write."""
    w = origines["ponderation"].to_numpy(dtype=np.float64)
    concerned = origines["etat"].eq(CONCERNEE).to_numpy()
    pts_w = np.where(concerned, origines["point_referentiel"].to_numpy(dtype=np.float64) * w, 0.0)
    parts = origines.assign(
        _pts=pts_w,
        _fait=pts_w * origines["fait"].to_numpy(dtype=np.float64),
        _programme=pts_w * origines["programme"].to_numpy(dtype=np.float64),
        _pas_fait=pts_w * origines["pas_fait"].to_numpy(dtype=np.float64),
        _fait_origine=origines["point_fait"].to_numpy(dtype=np.float64) * w,
        _c=concerned, _nc=origines["etat"].eq(ORIGINE_NON_CONCERNEE).to_numpy(),
        _abs=origines["etat"].eq(IGNOREE).to_numpy(),
    )
    grouped = parts.groupby("action_id", sort=False)
    sums = grouped[["_pts", "_fait", "_programme", "_pas_fait", "_fait_origine", "_c", "_nc", "_abs"]].sum()
    sums["libelle_origines"] = grouped["libelle"].agg(", ".join)
    sums["origines"] = grouped.size()

    nodes = base.set_index("action_id")
    niveau = nodes["niveau"].reindex(sums.index)
    sums = sums[niveau.isin(["sous-action", "tache"]).to_numpy()]  # the platform's cibles
    order = pd.Index(base["action_id"]).get_indexer(sums.index)
    sums = sums.iloc[np.argsort(order, kind="stable")]
    ids = sums.index.to_numpy(dtype=object)
    at = nodes.reindex(ids)
    potentiel = at["point_potentiel"].to_numpy(dtype=np.float64)
    total = sums["_pts"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total != 0, potentiel / total, 0.0)
    fait, programme, pas_fait = (ratio * sums[c].to_numpy(dtype=np.float64) for c in ("_fait", "_programme", "_pas_fait"))
    n_c, n_nc, n_abs = (sums[c].to_numpy(dtype=np.int64) for c in ("_c", "_nc", "_abs"))
    desactivee = ~at["concerne"].to_numpy(dtype=bool)
    zero = (fait == 0) & (programme == 0) & (pas_fait == 0)
    etat = np.select([desactivee, n_c == 0, zero], [DESACTIVEE, NON_CONCERNEE, NON_RENSEIGNEE], default=PROJETEE)
    keep = etat == PROJETEE
    cibles = pd.DataFrame({
        "action_id": ids, "niveau": at["niveau"].to_numpy(dtype=object),
        "point_referentiel": at["point_referentiel"].to_numpy(dtype=np.float64),
        "potentiel": np.where(desactivee, 0.0, potentiel), "etat": etat,
        "origines": sums["origines"].to_numpy(dtype=np.int64), "origines_concernees": n_c,
        "origines_non_concernees": n_nc, "origines_ignorees": n_abs, "points_origines": total, "ratio": ratio,
        "point_fait": np.where(keep, fait, 0.0), "point_programme": np.where(keep, programme, 0.0),
        "point_pas_fait": np.where(keep, pas_fait, 0.0),
        "point_non_renseigne": np.where(keep, potentiel - fait - programme - pas_fait,
                                        np.where(etat == NON_RENSEIGNEE, potentiel, 0.0)),
        # a désactivé cible does not count (one of an `alter` pair): neither do the points it maps
        "point_fait_origines": np.where(desactivee, 0.0, sums["_fait_origine"].to_numpy(dtype=np.float64)),
        "libelle_origines": sums["libelle_origines"].to_numpy(dtype=object),
    })
    statut, shares = _statuts_plateforme(cibles, sums)
    cibles["statut"] = statut
    cibles["fait"], cibles["programme"], cibles["pas_fait"] = shares
    cibles["commentaire"] = np.where(
        pd.isna(statut), None,
        np.where(etat == NON_CONCERNEE, "Bascule Climat Ressources : aucune origine concernée (",
                 "Bascule Climat Ressources : projeté depuis ") + cibles["libelle_origines"]
        + np.where(etat == NON_CONCERNEE, ")", ""))
    return cibles[CIBLE_COLUMNS]


def statuts_depuis_points(point_fait, point_programme, point_pas_fait, potentiel):
    """merge-statuts.rules.ts `deriveStatutFromProjection` for cibles with concerné origins, on
    whole arrays: all three points 0 → no status (None: non renseigné); shares point / potentiel
    pure within 0.001 → « fait », « programme » or « pas_fait »; otherwise « detaille » with
    fait and programmé rounded DOWN to 5 % and pas fait the rest to 100 (so a non renseigné
    part becomes pas fait, as on the platform). Returns (statut, fait, programme, pas_fait), the
    shares 0–1 of a détaillé status (NaN otherwise)."""
    points = [np.asarray(v, dtype=np.float64) for v in (point_fait, point_programme, point_pas_fait)]
    potentiel = np.asarray(potentiel, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        f, p, pf = (np.where(potentiel == 0, 0.0, v / potentiel) for v in points)
    eps = EPSILON_DISCRET
    all_zero = (points[0] == 0) & (points[1] == 0) & (points[2] == 0)
    pure_fait = (f >= 1 - eps) & (p <= eps) & (pf <= eps)
    pure_prog = (p >= 1 - eps) & (f <= eps) & (pf <= eps)
    pure_pas_fait = (pf >= 1 - eps) & (f <= eps) & (p <= eps)
    statut = np.select(
        [all_zero, pure_fait, pure_prog, pure_pas_fait],
        [np.array(None, dtype=object), np.array("fait", dtype=object), np.array("programme", dtype=object),
         np.array("pas_fait", dtype=object)],
        default=np.array("detaille", dtype=object))
    detaille = statut == "detaille"
    fait_pct, prog_pct = arrondi_cinq_pourcent(f), arrondi_cinq_pourcent(p)
    return (statut, np.where(detaille, fait_pct / 100, np.nan), np.where(detaille, prog_pct / 100, np.nan),
            np.where(detaille, (100 - fait_pct - prog_pct) / 100, np.nan))


def _statuts_plateforme(cibles: pd.DataFrame, sums: pd.DataFrame):
    """The status each cible gets when the platform switches, on the platform's own rounded
    numbers (P of its TE score snapshot and the projected points, both to 3 decimals). Decisions
    (docs/bascule.md): a désactivé cible and a non renseigné one get no row (no status means
    non renseigné here, and a désactivation stays the profile's to decide)."""
    potentiel = round_js(cibles["potentiel"].to_numpy(dtype=np.float64))
    total = sums["_pts"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total != 0, potentiel / total, 0.0)
    points = [round_js(ratio * sums[c].to_numpy(dtype=np.float64)) for c in ("_fait", "_programme", "_pas_fait")]
    statut, fait, programme, pas_fait = statuts_depuis_points(*points, potentiel)
    etat = cibles["etat"].to_numpy(dtype=object)
    statut = np.where(etat == NON_CONCERNEE, "non_concerne", np.where(etat == PROJETEE, statut, None))
    projected = etat == PROJETEE
    return statut, tuple(np.where(projected, share, np.nan) for share in (fait, programme, pas_fait))
