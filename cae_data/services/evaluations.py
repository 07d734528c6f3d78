"""Evaluations: validate a file, import it (archived, one transaction), read them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import auth, clock, store
from ..archive import archive_upload, sha256_of
from ..errors import NoChange, Refused
from ..evaluation import mise_a_jour
from ..evaluation.reader import read_evaluation
from ..evaluation.templates import template_csv, template_xlsx
from ..formatting import points
from ..referentiel.model import regles_for
from ..scoring.etoiles import etoiles, referentiel_complet
from .common import check_size, record_archived, require_referentiel
from .scores import compute_scores, score_subjects


@dataclass
class EvaluationOutcome:
    collectivite: str
    date: date
    referentiel: str
    rows: int
    action: str  # "créée", "remplacée" or "identique"


@dataclass
class ImportResult:
    filename: str
    sha256: str
    upload_id: int | None
    outcomes: list[EvaluationOutcome]
    messages: list[str]
    complet: bool = False

    @property
    def changed(self) -> bool:
        return any(o.action != "identique" for o in self.outcomes)


def read_evaluation_file(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                         on_date: date | None = None, today: date | None = None, referentiel: str | None = None):
    """Validate a whole evaluation file against the database's referentials; writes nothing.
    `referentiel`: the referential of rows whose file names none (default: cae)."""
    check_size(data, filename)
    with store.reading(db_path) as con:
        ids = store.referentiel_levels(con)
        regles = {nom: regles_for(kind) for nom, kind in store.referentiel_source_kinds(con).items()}
        known = store.collectivite_names(con)
    today = today or clock.today()
    return read_evaluation(
        data, filename, ids, collectivite=collectivite, date=on_date, fallback_date=today,
        known_collectivites=known, today=today, referentiel=referentiel, regles=regles,
    )


@dataclass
class Bilan:
    """One evaluation of a file, before → after: score réalisé (0–1), points fait, potentiel and
    stars of the collectivity's state at that date as it stands, then with the file; `axes`:
    action_id, nom, avant, apres (score réalisé of each axe); counts of the preview's natures."""

    collectivite: str
    date: date
    referentiel: str
    base_date: date | None
    score_avant: float
    score_apres: float
    points_avant: float
    points_apres: float
    potentiel_avant: float
    potentiel_apres: float
    etoiles_avant: int
    etoiles_apres: int
    etoiles_significatives: bool  # the referential is complete enough for stars (scoring.etoiles.referentiel_complet)
    axes: pd.DataFrame
    natures: dict[str, int]

    @property
    def baisse(self) -> float:
        """Drop of the score réalisé in percentage points (0 when it rises)."""
        return max(0.0, (self.score_avant - self.score_apres) * 100)


@dataclass
class ImportPlan:
    """What importing a file would do, computed before anything is written."""

    evaluation: object  # evaluation.reader.EvaluationFile
    complet: bool
    rows: pd.DataFrame  # statuses to write
    changes: pd.DataFrame  # mise_a_jour.CHANGE_COLUMNS
    bilans: list[Bilan]

    @property
    def baisse(self) -> float:
        return max((b.baisse for b in self.bilans), default=0.0)

    def needs_confirmation(self, seuil: float = 5.0) -> bool:
        """A drop of more than `seuil` points of score réalisé asks for confirmation."""
        return self.baisse > seuil


SEUIL_CONFIRMATION = 5.0  # percentage points of score réalisé


def _row_counts(rows: pd.DataFrame, columns: list[str]) -> dict[tuple, int]:
    """Number of rows of each key (one grouping, not one scan of the file per evaluation)."""
    sizes = rows.groupby(columns, sort=False, dropna=False).size()
    return {key: int(count) for key, count in sizes.items()}


def _keys(rows: pd.DataFrame) -> list[tuple]:
    return [tuple(k) for k in rows[["collectivite", "date", "referentiel"]].drop_duplicates().itertuples(index=False)]


def _new_state(con, evaluation, complet: bool) -> tuple[mise_a_jour.Mise, pd.DataFrame]:
    """The statuses the file's evaluations will hold, and the earlier ones they are built on."""
    rows = evaluation.rows
    base = store.statuses_before(con, rows, inclusive=False)
    return mise_a_jour.merge(rows, base, complet), base


def plan_import(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                on_date: date | None = None, complet: bool = False, today: date | None = None,
                user: str | None = None, referentiel: str | None = None) -> ImportPlan:
    """Validate the file and say what importing it would change, writing nothing: the statuses
    changed, carried over and cleared, and for each evaluation the score, stars and axis scores
    before → after. An export of the official platform lists every node: it is always complete.
    Only who may import may preview (`user` checked like the import)."""
    auth.require_role(db_path, user, auth.EDITION)
    evaluation = read_evaluation_file(db_path, data, filename, collectivite, on_date, today, referentiel)
    complet = complet or evaluation.kind == "export-tet"
    with store.reading(db_path) as con:
        mise, _ = _new_state(con, evaluation, complet)
        before = store.statuses_before(con, evaluation.rows, inclusive=True)
        refs = {r: require_referentiel(con, r) for r in sorted(set(evaluation.rows["referentiel"]))}
        profiles = store.load_profiles(con)
    changes = mise_a_jour.changes(before, mise, evaluation.rows)
    return ImportPlan(evaluation, complet, mise.rows, changes, _bilans(refs, profiles, before, mise.rows, changes))


def _bilans(refs: dict, profiles: dict, before: pd.DataFrame, after: pd.DataFrame, changes: pd.DataFrame) -> list[Bilan]:
    """Score both states of every evaluation of the file in one engine call per referential.
    Set-based: the statuses of both sides are attached to their subjects by one merge each, the
    axis scores pivoted once; only the small Bilan of each evaluation is built one by one."""
    bilans = []
    fields = ["action_id", "statut", "fait", "programme", "pas_fait"]
    key_columns = ["collectivite", "date", "referentiel"]
    natures = {key: group["nature"].value_counts().to_dict()
               for key, group in changes.groupby(key_columns, sort=False)} if len(changes) else {}
    base_dates = {}
    if len(before):
        firsts = before.assign(date=pd.to_datetime(before["date"])).groupby(["collectivite", "date"], sort=False)
        base_dates = {(c, d.date()): b for (c, d), b in firsts["base_date"].first().items()}
    for referentiel, ref in refs.items():
        keys = [k for k in _keys(after) if k[2] == referentiel]
        key_frame = pd.DataFrame(keys, columns=key_columns).assign(index=range(len(keys)))
        key_frame["date"] = pd.to_datetime(key_frame["date"])
        subjects = pd.DataFrame([(c, d, 2 * i + side) for i, (c, d, _) in enumerate(keys) for side in (0, 1)],
                                columns=["collectivite", "date", "subject"])
        parts = []
        for side, frame in ((0, before), (1, after)):
            if len(frame):
                rows = frame[[*key_columns, *fields]].assign(date=pd.to_datetime(frame["date"]))
                rows = rows.merge(key_frame, on=key_columns)
                parts.append(rows[fields].assign(subject=2 * rows["index"].to_numpy() + side))
        statuses = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*fields, "subject"])
        scores = score_subjects(ref, profiles, subjects, statuses)
        table = etoiles(ref, scores, statuses).set_index("subject")
        root = scores[scores["niveau"].astype(str) == "referentiel"].set_index("subject")
        axes = scores[scores["niveau"].astype(str) == "axe"]
        axes = axes.assign(part=np.where(axes["point_potentiel"] > 0, axes["point_fait"] / axes["point_potentiel"].where(
            axes["point_potentiel"] > 0, 1), 0.0))
        wide = axes.pivot_table(index="action_id", columns="subject", values="part", observed=True)
        complete = referentiel_complet(ref)
        noms = ref.nodes.assign(action_id=ref.nodes["action_id"].astype(str)).set_index("action_id")["nom"]
        for i, (c, d, r) in enumerate(keys):  # one small Bilan per evaluation of the file
            a, b = 2 * i, 2 * i + 1
            axis = wide.reindex(columns=[a, b]).fillna(0.0).set_axis(["avant", "apres"], axis=1).reset_index()
            axis["action_id"] = axis["action_id"].astype(str)
            axis.insert(1, "nom", axis["action_id"].map(noms))
            base_date = base_dates.get((c, d))
            bilans.append(Bilan(
                collectivite=c, date=d, referentiel=r,
                base_date=None if base_date is None else pd.Timestamp(base_date).date(),
                score_avant=float(table.loc[a, "score_realise"]), score_apres=float(table.loc[b, "score_realise"]),
                points_avant=float(root.loc[a, "point_fait"]), points_apres=float(root.loc[b, "point_fait"]),
                potentiel_avant=float(root.loc[a, "point_potentiel"]),
                potentiel_apres=float(root.loc[b, "point_potentiel"]),
                etoiles_avant=int(table.loc[a, "etoiles"]), etoiles_apres=int(table.loc[b, "etoiles"]),
                etoiles_significatives=complete,
                axes=axis, natures=natures.get((c, d, r), {}),
            ))
    return bilans


def import_evaluation(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                      on_date: date | None = None, user: str | None = None,
                      today: date | None = None, auteur: str | None = None, complet: bool = False,
                      plan: ImportPlan | None = None, referentiel: str | None = None) -> ImportResult:
    """Validate, archive the raw file, then write the evaluations it holds in one transaction.
    By default the file UPDATES the collectivity's state: actions absent from it keep their
    status from the latest earlier evaluation; `complet` (always for an export of the official
    platform) makes it REPLACE the state (evaluation-csv.md). The same file imported again
    changes nothing. `auteur` is who the file is recorded as brought by (default: `user`; the
    demo's « démo »). `plan`: the preview of this very file (`plan_import`), not validated again."""
    auth.require_role(db_path, user, auth.EDITION)
    if plan is not None:
        evaluation, complet = plan.evaluation, plan.complet
    else:
        evaluation = read_evaluation_file(db_path, data, filename, collectivite, on_date, today, referentiel)
    complet = complet or evaluation.kind == "export-tet"
    digest = sha256_of(data)
    keys = _keys(evaluation.rows)
    archived = archive_upload(db_path, data, filename)
    messages: list[str] = [str(w) for w in evaluation.warnings]
    unchanged: ImportResult | None = None
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        previous = store.evaluation_digests(con)
        if keys and all(previous.get(k) == digest for k in keys):
            per_pair = _row_counts(evaluation.rows, ["collectivite", "date"])
            outcomes = [EvaluationOutcome(c, d, r, per_pair.get((c, d), 0), "identique") for c, d, r in keys]
            unchanged = ImportResult(filename, digest, None, outcomes, messages + ["Fichier déjà importé : rien n'a changé."],
                                     complet)
            raise NoChange
        mise, _ = _new_state(con, evaluation, complet)  # under the write lock: the state it is built on
        rows = mise.rows
        upload_id = record_archived(con, db_path, archived, "evaluation", len(evaluation.rows), auteur or user,
                                    evaluation.kind)
        for nom in sorted({k[0] for k in keys}):
            if store.ensure_collectivite(con, nom):
                messages.append(f"Collectivité « {nom} » créée : complétez son profil avec pcaet collectivite set.")
        store.replace_evaluations(con, keys, upload_id, rows)
        per_key = _row_counts(evaluation.rows, ["collectivite", "date", "referentiel"])
        outcomes = [EvaluationOutcome(c, d, r, per_key.get((c, d, r), 0), "remplacée" if (c, d, r) in previous else "créée")
                    for c, d, r in keys]
        carried = len(mise.carried)
        if carried:
            messages.append(f"{carried} statut{'s' if carried > 1 else ''} repris de l'évaluation précédente "
                            f"(actions absentes du fichier).")
        store.record_journal(con, user, "evaluation", filename, " ; ".join(
            f"{o.collectivite} au {o.date.strftime('%d/%m/%Y')} : {o.rows} ligne{'s' if o.rows > 1 else ''}, "
            f"évaluation {o.action}" + (" (fichier complet)" if complet else "")
            for o in outcomes), upload_id=upload_id)
    if unchanged is not None:
        return unchanged
    if evaluation.expected_points is not None:
        messages.extend(compare_with_file_points(db_path, evaluation))
    return ImportResult(filename, digest, upload_id, outcomes, messages, complet)


def compare_with_file_points(db_path: Path, evaluation, tolerance: float = 0.0015) -> list[str]:
    """An export of the official platform carries its points: recompute the imported
    evaluation here and say whether they match, node for node (mesures and below, since an
    export may cover only some mesures), naming the first differences."""
    collectivite, on_date = evaluation.collectivites[0], evaluation.dates[0]
    scores = compute_scores(db_path, collectivite=collectivite, on_date=on_date)
    scores = scores[scores["niveau"].astype(str).isin(["mesure", "sous-action", "tache"])]
    merged = evaluation.expected_points.merge(scores.assign(action_id=scores["action_id"].astype(str)),
                                              on="action_id", suffixes=("_fichier", ""))
    labels = {"point_potentiel": "potentiel", "point_fait": "points faits",
              "point_programme": "points programmés", "point_pas_fait": "points pas faits"}
    differences = []
    for column, label in labels.items():
        off = merged[(merged[f"{column}_fichier"] - merged[column]).abs() > tolerance]
        differences += [f"{r.action_id} : {label} {points(getattr(r, column + '_fichier'))} dans le fichier, "
                        f"{points(getattr(r, column))} recalculés" for r in off.itertuples()]
    if not differences:
        return [f"Points recalculés identiques à ceux du fichier ({len(merged)} mesures, sous-actions et tâches)."]
    shown = "\n  ".join(differences[:10])
    more = f"\n  … et {len(differences) - 10} autres écarts" if len(differences) > 10 else ""
    count = len(differences)
    return [f"Attention : {count} écart{'s' if count > 1 else ''} entre les points du fichier et le calcul (profil de la "
            f"collectivité à compléter ?) :\n  {shown}{more}"]


def evaluation_dates(db_path: Path, collectivite: str, referentiel: str = "cae") -> list[date]:
    """Dates of the collectivity's evaluations, oldest first."""
    with store.reading(db_path) as con:
        return store.evaluation_dates(con, collectivite, referentiel)


def statuses_at(db_path: Path, collectivite: str, on_date: date, referentiel: str = "cae") -> pd.DataFrame:
    """The status rows of one evaluation with their comments: action_id, statut, fait,
    programme, pas_fait, commentaire (empty frame when there is no such evaluation)."""
    with store.reading(db_path) as con:
        return store.statuses_at(con, collectivite, on_date, referentiel)


TEMPLATE_KINDS = ("csv", "xlsx")


def evaluation_template(db_path: Path, kind: str, referentiel: str = "cae") -> bytes:
    """A blank evaluation file of a loaded referential: one row per node that takes a status
    (TE: its sous-mesures), ids prefixed with the referential's name unless it is cae."""
    if kind not in TEMPLATE_KINDS:
        raise Refused(f"Format de modèle inconnu « {kind} » (attendu : {', '.join(TEMPLATE_KINDS)}).")
    with store.reading(db_path) as con:
        ref = require_referentiel(con, referentiel)
    levels = ("sous-action", "tache") if ref.regles.detaille_a_la_tache else ("sous-action",)
    prefix = "" if ref.nom == "cae" else f"{ref.nom}_"
    return (template_csv if kind == "csv" else template_xlsx)(ref.nodes, prefix, levels)
