"""Scores and stars of evaluations, computed by the engine on whole tables (scoring/)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .. import store
from ..errors import Refused
from ..personnalisation.profile import Profile
from ..referentiel.model import Referentiel
from ..scoring.csv_writer import (
    JsonNumbers,
    NotInline,
    Numbers,
    Pieces,
    csv_text,
    field_text,
    iter_lines,
    piece_table,
)
from ..scoring.engine import POINT_FIELDS as ENGINE_POINTS
from ..scoring.engine import StatusRows, long_frame, personnalisation_matrices, score_evaluations, scored_chunks
from ..scoring.etoiles import CRITERES, etoiles, referentiel_complet
from ..scoring.rounding import round_exact
from ..scoring.tree import tree_of
from ..store.evaluations import (
    evaluation_keys_of,
    profiles_named,
    scoring_referentiel,
    status_codes_for,
    statuses_of_collectivite,
)
from .common import require_referentiel

SCORE_FIELDS = [
    "referentiel", "action_id", "niveau", "point_referentiel", "point_potentiel", "point_fait",
    "point_programme", "point_pas_fait", "point_non_renseigne", "desactive", "concerne",
]
POINT_FIELDS = [f for f in SCORE_FIELDS if f.startswith("point_")]
ETOILES_COLUMNS = ["collectivite", "date", "score_realise", "score_programme", "etoiles", "prochaine_etoile",
                 "points_manquants", "criteres_manquants", "actions_manquantes", "referentiel_complet"]
STATUS_FIELDS = ["subject", "action_id", "statut", "fait", "programme", "pas_fait"]


def score_subjects(ref: Referentiel, profiles: dict, keys: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """Score many evaluations at once; `keys` has collectivite, date, subject."""
    names = sorted(set(keys["collectivite"]))
    profile_list = [profiles.get(n) or Profile(nom=n) for n in names]
    subjects = keys.copy()
    subjects["profile"] = subjects["collectivite"].map({n: i for i, n in enumerate(names)})
    scores = score_evaluations(ref, profile_list, subjects[["subject", "profile"]], statuses)
    # The engine's rows go subject by subject in the order of `subjects`, every node each time:
    # the keys are spread by position (what a merge on `subject` gave, without its hashing).
    n_nodes = len(scores) // len(subjects) if len(subjects) else 0
    spread = np.repeat(np.arange(len(subjects)), n_nodes)
    for column in ("collectivite", "date"):
        scores[column] = subjects[column].array.take(spread)
    scores.insert(0, "referentiel", pd.array([ref.nom], dtype="str").take(np.zeros(len(scores), dtype=np.intp)))
    return scores


def _numbered(keys: pd.DataFrame) -> pd.DataFrame:
    keys = keys.reset_index(drop=True)
    keys["subject"] = range(len(keys))
    return keys


def _statuses(con, referentiel: str, keys: pd.DataFrame) -> pd.DataFrame:
    if len(keys):
        return store.statuses_for(con, referentiel, keys)
    return pd.DataFrame(columns=STATUS_FIELDS)


def only_collectivite(names: list[str], collectivite: str | None, known: set[str]) -> str:
    """The collectivity a command is about: the one given (it must exist), else the only one."""
    if collectivite is not None:
        if collectivite not in known:
            raise Refused(f"Collectivité inconnue « {collectivite} ».")
        return collectivite
    if not names:
        raise Refused("Aucune collectivité dans la base : créez-la avec pcaet collectivite set.")
    if len(names) > 1:
        raise Refused("Plusieurs collectivités dans la base (" + ", ".join(names) + ") : précisez --collectivite.")
    return names[0]


def _score_keys(con, referentiel: str, profiles: dict, collectivite: str | None, on_date: date | None,
                toutes: bool) -> pd.DataFrame:
    """collectivite, date, subject of the evaluations `pcaet scores` is about: every one
    (`toutes`), or one collectivity's at `on_date` (its latest when None; a collectivity without
    evaluation gets one row dated NaT, scored as wholly non renseigné)."""
    evaluated = store.evaluation_keys(con, referentiel)
    if toutes:
        keys = evaluated
    else:
        names = sorted(set(evaluated["collectivite"])) or sorted(profiles)
        collectivite = only_collectivite(names, collectivite, set(profiles) | set(evaluated["collectivite"]))
        own = evaluated[evaluated["collectivite"] == collectivite]
        if on_date is not None:
            own = own[own["date"].dt.date == on_date] if len(own) else own
            if own.empty:
                raise Refused(f"Aucune évaluation de « {collectivite} » au {on_date.strftime('%d/%m/%Y')}.")
        keys = pd.DataFrame({"collectivite": [collectivite], "date": [pd.NaT]}) if own.empty else own.tail(1)
    return _numbered(keys)


def compute_scores(db_path: Path, referentiel: str = "cae", collectivite: str | None = None,
                   on_date: date | None = None, toutes: bool = False) -> pd.DataFrame:
    """Scores of every node, unrounded, with `collectivite` and `date` columns: every evaluation
    (`toutes`), or one collectivity's evaluation at `on_date` (its latest when None)."""
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
        profiles = store.load_profiles(con)
        keys = _score_keys(con, referentiel, profiles, collectivite, on_date, toutes)
        statuses = _statuses(con, referentiel, keys)
    if keys.empty:
        return pd.DataFrame(columns=["collectivite", "date"] + SCORE_FIELDS)
    return score_subjects(ref, profiles, keys, statuses)


# Evaluations scored and written at a time by write_scores_csv: small enough for its arrays
# to stay in memory already touched (about 15 MB a matrix of 1 471 nodes), large enough for
# numpy to work on long columns.
CSV_CHUNK = 128


def _scored_stream(db_path: Path, referentiel: str, collectivite: str | None, on_date: date | None, toutes: bool):
    """What write_scores_csv and write_scores_json share: (ref, tree, keys, chunks), where
    chunks yields (start, stop, ScoreMatrices) for CSV_CHUNK evaluations at a time; keys is
    empty (and chunks None) when there is nothing to score. Refusals are raised here, before
    anything is written."""
    with store.reading(db_path) as con:
        ref = scoring_referentiel(con, referentiel)
        if ref is None:
            require_referentiel(con, referentiel)  # refused with the usual message
        profiles = store.load_profiles(con)
        keys = _score_keys(con, referentiel, profiles, collectivite, on_date, toutes)
        codes = status_codes_for(con, referentiel, keys) if len(keys) else None
    tree = tree_of(ref)
    if keys.empty:
        return ref, tree, keys, None
    names = sorted(set(keys["collectivite"]))
    profile_list = [profiles.get(n) or Profile(nom=n) for n in names]
    subjects = keys.assign(profile=keys["collectivite"].map({n: i for i, n in enumerate(names)}))
    rows = StatusRows.from_codes(tree, codes["subject"], codes["position"], codes["code"], codes["fait"],
                                 codes["programme"], codes["pas_fait"])
    reduction, desactive = personnalisation_matrices(ref, tree, profile_list)
    return ref, tree, keys, scored_chunks(ref, profile_list, subjects, rows, reduction, desactive, CSV_CHUNK)


def _chunk_frame(ref, tree, keys: pd.DataFrame, start: int, stop: int, result) -> pd.DataFrame:
    """The long table of one chunk, for the general writers (numbers the fast ones refuse)."""
    frame = long_frame(tree, keys["subject"].to_numpy()[start:stop], {
        "point_potentiel": result.potential, **result.points, "desactive": result.desactive,
        "concerne": ~result.non_concerne})
    frame = frame.merge(keys[["subject", "collectivite", "date"]], on="subject", how="left")
    frame.insert(0, "referentiel", ref.nom)
    return frame


def write_scores_csv(db_path: Path, out: BinaryIO, referentiel: str = "cae", collectivite: str | None = None,
                     on_date: date | None = None, toutes: bool = False) -> None:
    """`pcaet scores --format csv` written to the binary stream `out`, chunk of evaluations by
    chunk: the same bytes as scores_csv(compute_scores(…), with_keys=toutes), without the long
    table in between. Statuses are read from DuckDB as numbers (status_codes_for), the engine
    scores CSV_CHUNK evaluations at a time (scoring.engine.scored_chunks) and each chunk is
    written by scoring.csv_writer; memory stays that of one chunk whatever the number of
    evaluations. Nothing is written when the arguments are refused."""
    ref, tree, keys, chunks = _scored_stream(db_path, referentiel, collectivite, on_date, toutes)
    fields = (["collectivite", "date"] if toutes else []) + SCORE_FIELDS
    out.write((",".join(fields) + "\n").encode("utf-8"))
    if chunks is None:
        return
    node_texts = [
        ",".join(field_text(v) for v in (ref.nom, action_id, niveau, _point_text(points))).encode("utf-8") + b","
        for action_id, niveau, points in zip(tree.ids, tree.niveau, tree.point_referentiel)
    ]
    node_table = piece_table(node_texts)
    flag_table = piece_table([f"{a},{b}\n".encode() for a in ("false", "true") for b in ("false", "true")])
    if toutes:
        dates = pd.to_datetime(keys["date"])
        eval_texts = [f"{field_text(c)},{'' if pd.isna(d) else d.strftime('%Y-%m-%d')},".encode("utf-8")
                      for c, d in zip(keys["collectivite"], dates)]
    n_nodes = tree.size
    for start, stop, result in chunks:
        count = stop - start
        chunk_fields = []
        if toutes:
            chunk_fields.append(Pieces(np.repeat(np.arange(count), n_nodes), eval_texts[start:stop]))
        chunk_fields.append(Pieces(np.tile(np.arange(n_nodes), count), node_table))
        matrices = [result.potential] + [result.points[name] for name in ENGINE_POINTS]
        chunk_fields += [Numbers(m.reshape(-1), 3, b",") for m in matrices]
        flags = result.desactive.astype(np.int64) * 2 + (~result.non_concerne).astype(np.int64)
        chunk_fields.append(Pieces(flags.reshape(-1), flag_table))
        try:
            for block in iter_lines(chunk_fields, count * n_nodes):
                out.write(block)
        except NotInline:  # a number too long for the fast writer (not CAE's nor TE's): the general one
            text = scores_csv(_chunk_frame(ref, tree, keys, start, stop, result), with_keys=toutes)
            out.write(text[text.index(b"\n") + 1:])


def _json_value(value) -> str:
    """A text as pandas' to_json writes it (its own encoder, one distinct value at a time)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "null"
    text = pd.Series([str(value)], dtype=object).to_json(force_ascii=False)
    return text[len('{"0":'):-1]


def _json_point(value: float) -> str:
    """A rounded point value as to_json writes it (up to 10 decimals, trailing zeros dropped)."""
    if value != value:
        return "null"
    text = f"{round(float(value), 3) + 0.0:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def write_scores_json(db_path: Path, out: BinaryIO, referentiel: str = "cae", collectivite: str | None = None,
                      on_date: date | None = None, toutes: bool = False) -> None:
    """`pcaet scores --format json` written to `out` chunk by chunk: the bytes of
    `scores_for_output(compute_scores(…), toutes).to_json(orient="records", force_ascii=False,
    indent=1)` and a line end (what the command printed), built like write_scores_csv: texts from
    tables of distinct values (encoded by pandas' own JSON encoder), numbers formatted by numpy,
    concatenated by Arrow. A chunk with a number the fast path does not write (negative, or
    1 000 points and more) goes through pandas' to_json."""
    ref, tree, keys, chunks = _scored_stream(db_path, referentiel, collectivite, on_date, toutes)
    if chunks is None:
        out.write(b"[]\n")
        return
    if np.nanmax(np.abs(tree.point_referentiel), initial=0.0) >= 1e5:  # _json_point's exact range
        frame = scores_for_output(compute_scores(db_path, referentiel, collectivite, on_date, toutes), toutes)
        out.write((frame.to_json(orient="records", force_ascii=False, indent=1) + "\n").encode("utf-8"))
        return
    node_table = piece_table([
        (f'  "referentiel":{_json_value(ref.nom)},\n  "action_id":{_json_value(action_id)},\n'
         f'  "niveau":{_json_value(niveau)},\n  "point_referentiel":{_json_point(points)},\n').encode("utf-8")
        for action_id, niveau, points in zip(tree.ids, tree.niveau, tree.point_referentiel)])
    labels = [piece_table([f'  "{name}":'.encode()]) for name in ["point_potentiel", *ENGINE_POINTS]]
    flag_table = piece_table([f'  "desactive":{a},\n  "concerne":{b}\n }},\n'.encode()
                              for a in ("false", "true") for b in ("false", "true")])
    if toutes:
        dates = pd.to_datetime(keys["date"])
        eval_texts = [(f' {{\n  "collectivite":{_json_value(c)},\n  "date":'
                       f'{"null" if pd.isna(d) else _json_value(d.strftime("%Y-%m-%d"))},\n').encode("utf-8")
                      for c, d in zip(keys["collectivite"], dates)]
    else:
        eval_texts = [b" {\n"] * len(keys)
    n_nodes = tree.size
    out.write(b"[\n")
    pending = b""  # the last bytes written are held back: the final ",\n" becomes "\n]"
    for start, stop, result in chunks:
        count = stop - start
        rows = count * n_nodes
        chunk_fields = [Pieces(np.repeat(np.arange(count), n_nodes), eval_texts[start:stop]),
                        Pieces(np.tile(np.arange(n_nodes), count), node_table)]
        matrices = [result.potential] + [result.points[name] for name in ENGINE_POINTS]
        zeros = np.zeros(rows, dtype=np.int64)
        for label, matrix in zip(labels, matrices):
            chunk_fields += [Pieces(zeros, label), JsonNumbers(matrix.reshape(-1), b",\n")]
        flags = result.desactive.astype(np.int64) * 2 + (~result.non_concerne).astype(np.int64)
        chunk_fields.append(Pieces(flags.reshape(-1), flag_table))
        try:
            blocks = list(iter_lines(chunk_fields, rows))
        except NotInline:
            frame = scores_for_output(_chunk_frame(ref, tree, keys, start, stop, result), toutes)
            text = frame.to_json(orient="records", force_ascii=False, indent=1)
            blocks = [(text[2:-2] + ",\n").encode("utf-8")]
        for block in blocks:
            if pending:
                out.write(pending)
            pending = block
    out.write(bytes(pending)[:-2] + b"\n]\n")


def _point_text(value: float) -> str:
    """A point value as scores_csv writes it: rounded as Python's round, then %.3f."""
    return "" if value != value else f"{round(float(value), 3) + 0.0:.3f}"


def scores_for_output(scores: pd.DataFrame, with_keys: bool) -> pd.DataFrame:
    """Fields of cli.md, points rounded to 3 decimals at the very end."""
    out = scores.copy()
    for column in POINT_FIELDS:
        out[column] = round_exact(out[column].astype(float).to_numpy(), 3) + 0.0  # + 0.0: no « -0.000 »
    fields = (["collectivite", "date"] if with_keys else []) + SCORE_FIELDS
    out = out[fields]
    if with_keys:
        out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out


def scores_csv(scores: pd.DataFrame, with_keys: bool) -> bytes:
    """`pcaet scores --format csv` (cli.md): the fields of `scores_for_output`, points with 3
    decimals, booleans as true/false; written by scoring.csv_writer from the unrounded scores
    (it rounds as scores_for_output does), else by DuckDB in one pass."""
    fields = (["collectivite", "date"] if with_keys else []) + SCORE_FIELDS
    if set(fields) <= set(scores.columns):
        text = csv_text(scores[fields], {column: 3 for column in POINT_FIELDS}, "%Y-%m-%d")
        if text is not None:
            return text
    return store.export.csv_bytes(scores_for_output(scores, with_keys), {column: 3 for column in POINT_FIELDS})


# The referential read for the score services, kept while the database file is unchanged
# (store.data_version: its size and modification time): a page of one collectivity then does not
# decode every node's texts again at each call. Referentials are never modified once read.
_REFERENTIELS: OrderedDict[tuple, Referentiel] = OrderedDict()
_REFERENTIELS_LOCK = threading.Lock()


def _referentiel(con, db_path: Path, nom: str) -> Referentiel:
    key = (str(Path(db_path).resolve()), store.data_version(Path(db_path)), nom)
    with _REFERENTIELS_LOCK:
        hit = _REFERENTIELS.get(key)
        if hit is not None:
            _REFERENTIELS.move_to_end(key)
            return hit
    ref = require_referentiel(con, nom)
    with _REFERENTIELS_LOCK:
        _REFERENTIELS[key] = ref
        while len(_REFERENTIELS) > 4:
            _REFERENTIELS.popitem(last=False)
    return ref


def _all_evaluations(db_path: Path, referentiel: str, collectivite: str | None = None, as_codes: bool = False):
    """Referential, profiles, evaluation keys (with `subject`) and their statuses, in one read:
    every evaluation of the referential, or only those of `collectivite` (only its statuses are
    read then). `as_codes`: the statuses as the engine's StatusRows (read as numbers), for a
    caller that only scores them."""
    with store.reading(db_path) as con:
        ref = _referentiel(con, db_path, referentiel)
        profiles = store.load_profiles(con) if collectivite is None else profiles_named(con, [collectivite])
        if collectivite is None:
            keys = _numbered(store.evaluation_keys(con, referentiel))
        else:
            keys = _numbered(evaluation_keys_of(con, referentiel, collectivite))
        if not len(keys):
            statuses = None
        elif as_codes:
            codes = status_codes_for(con, referentiel, keys, collectivite=collectivite)
            statuses = StatusRows.from_codes(tree_of(ref), codes["subject"], codes["position"], codes["code"],
                                             codes["fait"], codes["programme"], codes["pas_fait"])
        elif collectivite is None:
            statuses = _statuses(con, referentiel, keys)
        else:
            statuses = statuses_of_collectivite(con, referentiel, collectivite, keys)
    return ref, profiles, keys, statuses


def evaluation_list(db_path: Path, referentiel: str = "cae", collectivite: str | None = None) -> pd.DataFrame:
    """collectivite, date (datetime64) of the referential's evaluations, by collectivity then
    date (only `collectivite`'s when given): what a page needs to offer its choice of
    collectivity and date, read without scoring anything."""
    with store.reading(db_path) as con:
        if collectivite is None:
            return store.evaluation_keys(con, referentiel)
        return evaluation_keys_of(con, referentiel, collectivite)


def all_scores(db_path: Path, referentiel: str = "cae", collectivite: str | None = None) -> pd.DataFrame:
    """Scores of every node of every evaluation of the referential (unrounded), as
    compute_scores(toutes=True), plus the nodes' `nom` and `categorie` (categoricals). With
    `collectivite`, only that collectivity's evaluations are read and scored (a page of one
    collectivity then costs the same whatever the size of the database)."""
    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel, collectivite, as_codes=True)
    if keys.empty:
        return pd.DataFrame(columns=["collectivite", "date", *SCORE_FIELDS, "nom", "categorie"])
    scores = score_subjects(ref, profiles, keys, statuses)
    # Node attributes through the categorical codes of action_id: no per-row object array.
    codes = scores["action_id"].cat.codes.to_numpy()
    by_id = ref.nodes.assign(action_id=ref.nodes["action_id"].astype(str)).set_index("action_id")
    for column in ("nom", "categorie"):
        values = by_id[column].reindex(scores["action_id"].cat.categories.astype(str))
        value_codes, uniques = pd.factorize(values)
        scores[column] = pd.Categorical.from_codes(value_codes[codes], categories=uniques)
    return scores


def etoiles_for_all(db_path: Path, referentiel: str = "cae", collectivite: str | None = None) -> pd.DataFrame:
    """Stars of every evaluation (scoring.md §5), one row per (collectivite, date), oldest
    first: score réalisé and programmé at the root, etoiles, prochaine_etoile, points_manquants
    and criteres_manquants for the next star, and whether the referential is complete enough
    for stars to mean anything (the seed measures alone are not). With `collectivite`, only
    that collectivity's evaluations."""
    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel, collectivite, as_codes=True)
    if keys.empty:
        return pd.DataFrame(columns=ETOILES_COLUMNS)
    scores = score_subjects(ref, profiles, keys, statuses)
    # The star rules read only the root, the criterion nodes and their parents (a tâche may be
    # judged on its sous-action): passing just those rows keeps this fast for hundreds of dates.
    wanted = {"", *(c.action_id for c in CRITERES)}
    wanted |= {a.rsplit(".", 1)[0] for a in wanted if "." in a}
    table = etoiles(ref, scores[scores["action_id"].astype(str).isin(wanted)], statuses)
    out = keys.merge(table, on="subject", how="left")
    out["prochaine_etoile"] = out["prochaine_etoile"].astype("Int64")
    out["referentiel_complet"] = referentiel_complet(ref)
    return out[ETOILES_COLUMNS]


@dataclass
class SimulationInputs:
    referentiel: Referentiel
    profile: Profile
    statuses: pd.DataFrame  # action_id, statut, fait, programme, pas_fait, commentaire
    date: date | None


def simulation_inputs(db_path: Path, collectivite: str, on_date: date | None = None,
                      referentiel: str = "cae") -> SimulationInputs:
    """What the simulator needs for one evaluation (the latest when `on_date` is None), read in
    one connection; an unknown collectivity gets a bare profile and no statuses."""
    with store.reading(db_path) as con:
        ref = _referentiel(con, db_path, referentiel)
        profile = profiles_named(con, [collectivite]).get(collectivite) or Profile(nom=collectivite)
        if on_date is None:
            on_date = store.latest_evaluation_date(con, collectivite, referentiel)
        statuses = store.statuses_at(con, collectivite, on_date, referentiel, in_referentiel_order=False)
    return SimulationInputs(ref, profile, statuses, on_date)
