"""What the command line and the dashboard do, as plain functions over a database path.

Each write validates its whole input first, then writes in one transaction (db.writing), so a
refused file or a crash leaves the database as it was. Each write takes the acting user
(`user`): it is checked against the accounts (auth.require_role, inside the transaction) and
recorded in the journal (journal.record, same transaction). The caller authenticates: `user` is
an account name whose password was checked, or any label in open mode (no account)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from . import auth, clock, db, journal, store
from .archive import archive_upload, sha256_of
from .errors import InvalidInput, Refused  # noqa: F401  (Refused re-exported)
from .referentiel.model import Referentiel


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    env = os.environ.get("PCAET_SEEDS")
    return Path(env) if env else project_root() / "seeds"


# --- referentials -------------------------------------------------------------------------

def import_referentiel(db_path: Path, path: Path, nom: str | None = None,
                       personnalisations: Path | None = None, questions: Path | None = None,
                       user: str | None = None) -> Referentiel:
    from .personnalisation.rules import parse_rules
    from .referentiel.loader import read_referentiel

    auth.require_role(db_path, user, auth.EDITION)
    if not Path(path).exists():
        raise InvalidInput.single(str(path), None, None, "fichier ou dossier introuvable")
    ref = read_referentiel(Path(path), nom=nom, personnalisations=personnalisations, questions=questions)
    parse_rules(ref.rules)  # a rule that does not parse refuses the whole referential
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        store.save_referentiel(con, ref)
        counts = ref.nodes["niveau"].value_counts()
        journal.record(con, user, "referentiel", ref.nom,
                       f"{counts.get('mesure', 0)} mesures, {len(ref.nodes)} nœuds, {len(ref.rules)} règles, "
                       f"{len(ref.questions)} questions (depuis {Path(path).name})")
    return ref


def load_referentiel(db_path: Path, nom: str = "cae") -> Referentiel | None:
    with db.reading(db_path) as con:
        return store.load_referentiel(con, nom)


NIVEAU_LABELS_PLURAL = {
    "referentiel": "racine", "axe": "axes", "sous-axe": "sous-axes", "mesure": "mesures",
    "sous-action": "sous-actions", "tache": "tâches",
}


# --- collectivities -----------------------------------------------------------------------

def set_collectivites(db_path: Path, files: list[tuple[bytes, str]], referentiel: str = "cae",
                      user: str | None = None) -> list:
    """Validate every profile against the loaded questions, then store them all in one
    transaction (each replaces the collectivity's previous profile)."""
    from .personnalisation.profile import read_profile
    from .referentiel.model import empty_questions

    auth.require_role(db_path, user, auth.EDITION)
    questions = empty_questions()
    if db_path.exists():
        ref = load_referentiel(db_path, referentiel)
        if ref is not None:
            questions = ref.questions
    profiles, problems = [], []
    for data, filename in files:
        try:
            profiles.append(read_profile(data, filename, questions))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        for profile, (_, filename) in zip(profiles, files):
            store.save_profile(con, profile)
            journal.record(con, user, "profil", profile.nom, f"profil enregistré (depuis {filename})")
    return profiles


# --- evaluations --------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


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

    @property
    def changed(self) -> bool:
        return any(o.action != "identique" for o in self.outcomes)


def _check_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput.single(
            filename, None, None,
            f"fichier trop volumineux ({len(data) / 1024 / 1024:.0f} Mo ; maximum {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo)",
        )


def read_evaluation_file(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                         on_date: date | None = None, today: date | None = None):
    """Validate a whole evaluation file against the database's referentials; writes nothing."""
    from .evaluation.reader import read_evaluation

    _check_size(data, filename)
    with db.reading(db_path) as con:
        ids = store.referentiel_levels(con)
        known = store.collectivite_names(con)
    today = today or clock.today()
    return read_evaluation(
        data, filename, ids, collectivite=collectivite, date=on_date, fallback_date=today,
        known_collectivites=known, today=today,
    )


def import_evaluation(db_path: Path, data: bytes, filename: str, collectivite: str | None = None,
                      on_date: date | None = None, user: str | None = None,
                      today: date | None = None, auteur: str | None = None) -> ImportResult:
    """Validate, archive the raw file, then replace the evaluations it holds in one transaction.
    The same file imported again changes nothing. `auteur` is who the file is recorded as
    brought by (default: `user`; the demo's « démo »)."""
    auth.require_role(db_path, user, auth.EDITION)
    evaluation = read_evaluation_file(db_path, data, filename, collectivite, on_date, today)
    rows = evaluation.rows
    digest = sha256_of(data)
    keys = rows[["collectivite", "date", "referentiel"]].drop_duplicates().itertuples(index=False)
    keys = [tuple(k) for k in keys]
    archived = archive_upload(db_path, data, filename)
    messages: list[str] = [str(w) for w in evaluation.warnings]
    unchanged: ImportResult | None = None
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        previous = {
            (c, d, r): sha
            for c, d, r, sha in con.execute(
                "SELECT e.collectivite, e.date, e.referentiel, u.sha256 FROM evaluations e "
                "LEFT JOIN uploads u USING (upload_id)"
            ).fetchall()
        }
        if keys and all(previous.get(k) == digest for k in keys):
            outcomes = [EvaluationOutcome(c, d, r, int(((rows.collectivite == c) & (rows.date == d)).sum()), "identique")
                        for c, d, r in keys]
            unchanged = ImportResult(filename, digest, None, outcomes, messages + ["Fichier déjà importé : rien n'a changé."])
            raise db.NoChange
        upload_id = con.execute(
            "INSERT INTO uploads (kind, filename, sha256, stored_path, size_bytes, rows, uploaded_at, uploaded_by, summary) "
            "VALUES ('evaluation', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
            [filename, digest, str(archived.stored_path.relative_to(db_path.parent)), archived.size_bytes,
             len(rows), clock.now(), auteur or user, evaluation.kind],
        ).fetchone()[0]
        for nom in sorted({k[0] for k in keys}):
            if store.ensure_collectivite(con, nom):
                messages.append(f"Collectivité « {nom} » créée : complétez son profil avec pcaet collectivite set.")
        outcomes = []
        for c, d, r in keys:
            existed = (c, d, r) in previous
            con.execute("DELETE FROM evaluation_statuses WHERE collectivite = ? AND date = ? AND referentiel = ?", [c, d, r])
            con.execute("DELETE FROM evaluations WHERE collectivite = ? AND date = ? AND referentiel = ?", [c, d, r])
            con.execute("INSERT INTO evaluations VALUES (?, ?, ?, ?, ?)", [c, d, r, upload_id, clock.now()])
            count = int(((rows.collectivite == c) & (rows.date == d) & (rows.referentiel == r)).sum())
            outcomes.append(EvaluationOutcome(c, d, r, count, "remplacée" if existed else "créée"))
        statuses = rows[["collectivite", "date", "referentiel", "action_id", "statut", "fait", "programme",
                         "pas_fait", "commentaire"]]
        con.register("incoming_statuses", statuses)
        con.execute("INSERT INTO evaluation_statuses BY NAME SELECT * FROM incoming_statuses")
        con.unregister("incoming_statuses")
        journal.record(con, user, "evaluation", filename, " ; ".join(
            f"{o.collectivite} au {o.date.strftime('%d/%m/%Y')} : {o.rows} ligne{'s' if o.rows > 1 else ''}, "
            f"évaluation {o.action}"
            for o in outcomes), upload_id=int(upload_id))
    if unchanged is not None:
        return unchanged
    if evaluation.expected_points is not None:
        messages.extend(compare_with_file_points(db_path, evaluation))
    return ImportResult(filename, digest, int(upload_id), outcomes, messages)


def compare_with_file_points(db_path: Path, evaluation, tolerance: float = 0.0015) -> list[str]:
    """An export of the official platform carries its points: recompute the imported
    evaluation here and say whether they match, node for node (mesures and below, since an
    export may cover only some mesures), naming the first differences."""
    from .formatting import points

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


# --- scores -------------------------------------------------------------------------------

SCORE_FIELDS = [
    "referentiel", "action_id", "niveau", "point_referentiel", "point_potentiel", "point_fait",
    "point_programme", "point_pas_fait", "point_non_renseigne", "desactive", "concerne",
]
POINT_FIELDS = [f for f in SCORE_FIELDS if f.startswith("point_")]


def _evaluation_keys(con, referentiel: str) -> pd.DataFrame:
    return con.execute(
        "SELECT collectivite, date FROM evaluations WHERE referentiel = ? ORDER BY collectivite, date",
        [referentiel],
    ).df()


def _statuses_for(con, referentiel: str, keys: pd.DataFrame) -> pd.DataFrame:
    con.register("wanted_keys", keys[["collectivite", "date", "subject"]])
    statuses = con.execute(
        "SELECT k.subject, s.action_id, s.statut, s.fait, s.programme, s.pas_fait "
        "FROM evaluation_statuses s JOIN wanted_keys k "
        "ON s.collectivite = k.collectivite AND s.date = k.date "
        "JOIN referentiel_nodes n ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
        "WHERE s.referentiel = ?",
        [referentiel],
    ).df()
    con.unregister("wanted_keys")
    return statuses


def score_subjects(ref: Referentiel, profiles: dict, keys: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """Score many evaluations at once; `keys` has collectivite, date, subject."""
    from .personnalisation.profile import Profile
    from .scoring.engine import score_evaluations

    names = sorted(set(keys["collectivite"]))
    profile_list = [profiles.get(n) or Profile(nom=n) for n in names]
    subjects = keys.copy()
    subjects["profile"] = subjects["collectivite"].map({n: i for i, n in enumerate(names)})
    scores = score_evaluations(ref, profile_list, subjects[["subject", "profile"]], statuses)
    scores = scores.merge(subjects[["subject", "collectivite", "date"]], on="subject", how="left")
    scores.insert(0, "referentiel", ref.nom)
    return scores


def compute_scores(db_path: Path, referentiel: str = "cae", collectivite: str | None = None,
                   on_date: date | None = None, toutes: bool = False) -> pd.DataFrame:
    """Scores of every node, unrounded, with `collectivite` and `date` columns."""
    with db.reading(db_path) as con:
        ref = store.load_referentiel(con, referentiel)
        if ref is None:
            raise Refused(f"Aucun référentiel « {referentiel} » dans la base : chargez-le avec pcaet referentiel import.")
        profiles = store.load_profiles(con)
        evaluated = _evaluation_keys(con, referentiel)
        if toutes:
            keys = evaluated
        else:
            if collectivite is None:
                candidates = sorted(set(evaluated["collectivite"])) or sorted(profiles)
                if not candidates:
                    raise Refused("Aucune collectivité dans la base : créez-la avec pcaet collectivite set.")
                if len(candidates) > 1:
                    raise Refused("Plusieurs collectivités dans la base (" + ", ".join(candidates)
                                  + ") : précisez --collectivite.")
                collectivite = candidates[0]
            elif collectivite not in profiles and collectivite not in set(evaluated["collectivite"]):
                raise Refused(f"Collectivité inconnue « {collectivite} ».")
            own = evaluated[evaluated["collectivite"] == collectivite]
            if on_date is not None:
                own = own[own["date"].dt.date == on_date] if len(own) else own
                if own.empty:
                    raise Refused(f"Aucune évaluation de « {collectivite} » au {on_date.strftime('%d/%m/%Y')}.")
            if own.empty:
                keys = pd.DataFrame({"collectivite": [collectivite], "date": [pd.NaT]})
            else:
                keys = own.tail(1)
        keys = keys.reset_index(drop=True)
        keys["subject"] = range(len(keys))
        statuses = _statuses_for(con, referentiel, keys) if len(keys) else pd.DataFrame(
            columns=["subject", "action_id", "statut", "fait", "programme", "pas_fait"])
    if keys.empty:
        return pd.DataFrame(columns=["collectivite", "date"] + SCORE_FIELDS)
    return score_subjects(ref, profiles, keys, statuses)


def scores_for_output(scores: pd.DataFrame, with_keys: bool) -> pd.DataFrame:
    """Fields of cli.md, points rounded to 3 decimals at the very end."""
    from .scoring.rounding import round_exact

    out = scores.copy()
    for column in POINT_FIELDS:
        out[column] = round_exact(out[column].astype(float).to_numpy(), 3)
    fields = (["collectivite", "date"] if with_keys else []) + SCORE_FIELDS
    out = out[fields]
    if with_keys:
        out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out


# --- init ---------------------------------------------------------------------------------

# The seed fiche is about partnership and concertation: these are the measures it serves,
# reviewed by hand (tests/fixtures/fiches/capso-instance-climat-energie.yaml); editable in
# the fiche's YAML afterwards.
SEED_FICHE_MESURES = ["6.1.1", "6.1.2", "6.5.1"]
SEED_FICHE_COLLECTIVITE = "CAPSO"


def _seed_document(folder: Path, marker: str) -> Path:
    for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.md")):
        if marker in path.read_text(encoding="utf-8", errors="replace"):
            return path
    raise InvalidInput.single(str(folder), None, None, f"document de départ introuvable (aucun fichier ne contient « {marker} »)")


def init_database(db_path: Path, demo: bool = True, today: date | None = None,
                  user: str | None = None) -> list[str]:
    """Create or refresh the database from seeds/ (idempotent). The seed measures are loaded as
    referential `cae` unless an official referential of that name was imported, which is kept."""
    from .fiches.cooperation import read_cooperation_tools
    from .fiches.seed_text import read_fiche_seed_text
    from .referentiel.seed_markdown import read_seed_referentiel

    folder = seeds_dir()
    seed_ref = read_seed_referentiel(folder, nom="cae")
    fiche_path = _seed_document(folder, "Indicateurs de suivi")
    fiche = read_fiche_seed_text(fiche_path.read_bytes(), fiche_path.name,
                                 collectivite=SEED_FICHE_COLLECTIVITE, mesures=SEED_FICHE_MESURES)
    outils_path = _seed_document(folder, "déclencheurs")
    outils = read_cooperation_tools(outils_path.read_bytes(), outils_path.name)
    auth.require_role(db_path, user, auth.EDITION)
    report = []
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        info = store.referentiel_info(con, "cae")
        if info is None or info["source_kind"] == "seed":
            store.save_referentiel(con, seed_ref)
            report.append(f"Référentiel « cae » : {len(seed_ref.nodes[seed_ref.nodes.niveau == 'mesure'])} mesures "
                          "des documents de départ.")
        else:
            report.append(f"Référentiel « cae » officiel conservé (chargé depuis {info['source']}).")
        if not con.execute("SELECT 1 FROM fiches WHERE fiche_id = ?", [fiche.fiche_id]).fetchone():
            store.save_fiche(con, fiche)
        store.save_outils(con, outils)
        report.append(f"Fiche-action « {fiche.titre} » et {len(outils)} outils de coopération.")
        journal.record(con, user, "initialisation", "documents de départ", " ".join(report))
    if demo:
        report.extend(install_demo(db_path, today=today, user=user))
    report.append(f"Base prête : {db_path}")
    return report


def install_demo(db_path: Path, today: date | None = None, user: str | None = None) -> list[str]:
    """The demo collectivity, evaluations, indicator values and committees, each written (and
    journaled) as `user`; the files are recorded as brought by « démo »."""
    from . import demo as demo_data

    ref = load_referentiel(db_path, "cae")
    set_collectivites(db_path, [(demo_data.demo_profile_yaml(ref).encode("utf-8"), "capso-demo.yaml")], user=user)
    imported = 0
    for when, frame in demo_data.demo_statuses(ref).items():
        data = demo_data.evaluation_csv(frame, when)
        result = import_evaluation(db_path, data, f"evaluation-capso-{when.isoformat()}.csv",
                                   demo_data.DEMO_COLLECTIVITE, when, user=user, today=today,
                                   auteur=demo_data.DEMO_USER)
        imported += result.changed
    from .demo_indicateurs import install_demo_indicators

    report = [f"Démonstration : collectivité {demo_data.DEMO_COLLECTIVITE}, "
              f"{len(demo_data.EVALUATION_DATES)} évaluations ({imported} nouvelles ou mises à jour)."]
    report.extend(install_demo_indicators(db_path, today, user=user))
    from .demo_comites import install_demo_comites

    report.extend(install_demo_comites(db_path, user=user))
    return report


# --- score views
# Reads for the score pages: one short read-only connection each, scoring outside it.

def _all_evaluations(db_path: Path, referentiel: str):
    """Referential, profiles, evaluation keys (with `subject`) and their statuses, in one read."""
    with db.reading(db_path) as con:
        ref = store.load_referentiel(con, referentiel)
        if ref is None:
            raise Refused(f"Aucun référentiel « {referentiel} » dans la base : chargez-le avec pcaet referentiel import.")
        profiles = store.load_profiles(con)
        keys = _evaluation_keys(con, referentiel).reset_index(drop=True)
        keys["subject"] = range(len(keys))
        statuses = _statuses_for(con, referentiel, keys) if len(keys) else None
    return ref, profiles, keys, statuses


def all_scores(db_path: Path, referentiel: str = "cae") -> pd.DataFrame:
    """Scores of every node of every evaluation of the referential (unrounded), as
    compute_scores(toutes=True), plus the nodes' `nom` and `categorie` (categoricals)."""
    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel)
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


def evaluation_dates(db_path: Path, collectivite: str, referentiel: str = "cae") -> list[date]:
    """Dates of the collectivity's evaluations, oldest first."""
    with db.reading(db_path) as con:
        rows = con.execute(
            "SELECT date FROM evaluations WHERE collectivite = ? AND referentiel = ? ORDER BY date",
            [collectivite, referentiel],
        ).fetchall()
    return [r[0] for r in rows]


def statuses_at(db_path: Path, collectivite: str, on_date: date, referentiel: str = "cae") -> pd.DataFrame:
    """The status rows of one evaluation with their comments: action_id, statut, fait,
    programme, pas_fait, commentaire (empty frame when there is no such evaluation)."""
    with db.reading(db_path) as con:
        return con.execute(
            "SELECT s.action_id, s.statut, s.fait, s.programme, s.pas_fait, coalesce(s.commentaire, '') AS commentaire "
            "FROM evaluation_statuses s LEFT JOIN referentiel_nodes n "
            "ON n.referentiel = s.referentiel AND n.action_id = s.action_id "
            "WHERE s.collectivite = ? AND s.date = ? AND s.referentiel = ? "
            "ORDER BY n.position NULLS LAST, s.action_id",
            [collectivite, on_date, referentiel],
        ).df()


def list_uploads(db_path: Path) -> pd.DataFrame:
    """Every archived upload, newest first: upload_id, kind, filename, sha256, uploaded_at,
    rows, uploaded_by, summary, size_bytes, stored_path."""
    with db.reading(db_path) as con:
        return con.execute(
            "SELECT upload_id, kind, filename, sha256, uploaded_at, rows, uploaded_by, summary, size_bytes, "
            "stored_path FROM uploads ORDER BY uploaded_at DESC, upload_id DESC"
        ).df()


# --- indicators
# Values of the fiches' indicators: import of a file (docs/import-indicateurs.md), one value
# typed in a form, export, and the reads of the indicator pages.

@dataclass
class IndicatorImportResult:
    filename: str
    sha256: str
    upload_id: int | None
    rows: int
    created: int  # values new to the database
    replaced: int  # values that replaced another one (or its comment) at the same date
    unchanged: int  # values already there, identical
    targets: int  # targets created or changed
    messages: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.targets)


@dataclass
class _IndicatorPlan:
    values: pd.DataFrame  # rows to write: indicateur_id, date, valeur, commentaire
    targets: pd.DataFrame  # indicateur_id, annee, valeur
    created: int
    replaced: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(len(self.values) or len(self.targets))


def _plan_indicator_rows(con, rows: pd.DataFrame) -> _IndicatorPlan:
    """What a validated file changes: values new or different (value or comment) and targets
    new or different. A file without a commentaire column keeps the stored comments."""
    measured = rows[rows["valeur"].notna()]
    incoming = pd.DataFrame({
        "indicateur_id": measured["indicateur_id"].astype(str),
        "date": pd.to_datetime(measured["date"]).astype("datetime64[ns]"),
        "valeur": measured["valeur"].astype("float64"),
        "commentaire": measured["commentaire"].astype(object),
    })
    stored = store.indicator_values(con)
    stored = pd.DataFrame({
        "indicateur_id": stored["indicateur_id"].astype(str),
        "date": pd.to_datetime(stored["date"]).astype("datetime64[ns]"),
        "valeur_avant": stored["valeur"].astype("float64"),
        "commentaire_avant": stored["commentaire"].astype(object),
    })
    merged = incoming.merge(stored, on=["indicateur_id", "date"], how="left", indicator=True)
    existed = merged["_merge"].eq("both").to_numpy()
    merged["commentaire"] = merged["commentaire"].where(
        merged["commentaire"].notna(), merged["commentaire_avant"].where(merged["commentaire_avant"].notna(), ""))
    same = existed & merged["valeur"].eq(merged["valeur_avant"]).to_numpy() & (
        merged["commentaire"].astype(str) == merged["commentaire_avant"].fillna("").astype(str)).to_numpy()
    to_write = merged.loc[~same, ["indicateur_id", "date", "valeur", "commentaire"]].reset_index(drop=True)

    goals = rows[rows["cible"].notna()]
    goals = pd.DataFrame({
        "indicateur_id": goals["indicateur_id"].astype(str),
        "annee": goals["date"].map(lambda d: d.year).astype("int64"),
        "valeur": goals["cible"].astype("float64"),
    }).drop_duplicates(["indicateur_id", "annee"])
    stored_goals = store.indicator_targets(con).rename(columns={"valeur": "valeur_avant"})
    stored_goals = stored_goals.astype({"indicateur_id": str, "annee": "int64"})
    goals = goals.merge(stored_goals, on=["indicateur_id", "annee"], how="left")
    goals = goals.loc[goals["valeur"].ne(goals["valeur_avant"]), ["indicateur_id", "annee", "valeur"]]
    return _IndicatorPlan(to_write, goals.reset_index(drop=True), created=int((~existed).sum()),
                          replaced=int((existed & ~same).sum()), unchanged=int(same.sum()))


def read_indicator_file(db_path: Path, data: bytes, filename: str, today: date | None = None) -> pd.DataFrame:
    """Validate a whole file of indicator values against the database's indicators; writes
    nothing. Rows as `fiches.indicateurs.VALUE_COLUMNS`."""
    from .fiches.indicateurs import read_indicator_values

    _check_size(data, filename)
    with db.reading(db_path) as con:
        known = store.indicator_table(con)
    return read_indicator_values(data, filename, known, today or clock.today())


def _indicator_summary(plan: _IndicatorPlan) -> str:
    parts = [f"{plan.created} valeur(s) nouvelle(s)", f"{plan.replaced} remplacée(s)",
             f"{plan.unchanged} inchangée(s)", f"{len(plan.targets)} cible(s) fixée(s)"]
    return ", ".join(parts)


def import_indicator_values(db_path: Path, data: bytes, filename: str, user: str | None = None,
                            today: date | None = None, auteur: str | None = None) -> IndicatorImportResult:
    """Validate the whole file, archive it, then write its values (a value replaces the one of the
    same indicator and date) and targets in one transaction. A file that changes nothing (the
    same file again) writes nothing, not even an upload row. `auteur` is who the values are
    recorded as brought by (default: `user`)."""
    auth.require_role(db_path, user, auth.EDITION)
    auteur = auteur or user
    rows = read_indicator_file(db_path, data, filename, today)
    digest = sha256_of(data)
    with db.reading(db_path) as con:
        plan = _plan_indicator_rows(con, rows)
    unchanged = IndicatorImportResult(filename, digest, None, len(rows), 0, 0, plan.unchanged, 0,
                                      ["Rien n'a changé : toutes les valeurs et cibles du fichier sont déjà enregistrées."])
    if not plan.changed:
        return unchanged
    archived = archive_upload(db_path, data, filename)
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        plan = _plan_indicator_rows(con, rows)  # again under the write lock: another import may have run
        if not plan.changed:
            return unchanged
        summary = _indicator_summary(plan)
        upload_id = con.execute(
            "INSERT INTO uploads (kind, filename, sha256, stored_path, size_bytes, rows, uploaded_at, uploaded_by, summary) "
            "VALUES ('indicateurs', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
            [filename, digest, str(archived.stored_path.relative_to(db_path.parent)), archived.size_bytes,
             len(rows), clock.now(), auteur, summary],
        ).fetchone()[0]
        store.save_indicator_values(con, plan.values, int(upload_id), auteur, clock.now())
        store.set_indicator_targets(con, plan.targets)
        journal.record(con, user, "indicateurs", filename, summary, upload_id=int(upload_id))
    return IndicatorImportResult(filename, digest, int(upload_id), len(rows), plan.created, plan.replaced,
                                 plan.unchanged, len(plan.targets), [summary[0].upper() + summary[1:] + "."])


def add_indicator_value(db_path: Path, indicateur_id: str, on_date, valeur, commentaire: str = "",
                        user: str | None = None, today: date | None = None) -> str:
    """Record one value typed in a form (same checks as a file row; problems name the field,
    file « saisie »). Returns « créée », « remplacée » or « identique » (nothing written)."""
    from .fiches.indicateurs import check_single_value, clean_comment

    auth.require_role(db_path, user, auth.EDITION)
    with db.reading(db_path) as con:
        known = store.indicator_table(con)
    indicateur_id, when, number = check_single_value(known, indicateur_id, on_date, valeur, today or clock.today())
    commentaire = clean_comment(commentaire)
    row = pd.DataFrame({"indicateur_id": [indicateur_id], "date": [when], "valeur": [number],
                        "commentaire": [commentaire]})
    with db.reading(db_path) as con:
        before = con.execute(
            "SELECT valeur, coalesce(commentaire, '') FROM indicateur_valeurs WHERE indicateur_id = ? AND date = ?",
            [indicateur_id, when],
        ).fetchone()
    if before is not None and float(before[0]) == number and before[1] == commentaire:
        return "identique"
    outcome = "créée" if before is None else "remplacée"
    nom = known.loc[known["indicateur_id"] == indicateur_id, "nom"]
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        store.save_indicator_values(con, row, None, user, clock.now())
        journal.record(con, user, "valeur_indicateur", indicateur_id,
                       f"{nom.iloc[0] + ' : ' if len(nom) else ''}{number:g} au {when.strftime('%d/%m/%Y')} "
                       f"(valeur {outcome})")
    return outcome


def export_indicators(db_path: Path) -> pd.DataFrame:
    """Every indicator with its values and targets: fiche, indicateur, date, valeur, cible (see
    `fiches.indicateurs.export_frame` for the rows)."""
    from .fiches.indicateurs import export_frame

    with db.reading(db_path) as con:
        indicators = store.indicator_table(con)
        values = store.indicator_values(con)
        targets = store.indicator_targets(con)
    return export_frame(indicators, values, targets)


def indicator_overview(db_path: Path, today: date | None = None, committee_date: date | None = None) -> pd.DataFrame:
    """Every indicator (indicateur_id, fiche_id, fiche_titre, nom, unite, sens) with its status:
    the fields of `fiches.indicateurs.IndicatorStatus` (last value and date, change since the
    previous committee `committee_date`, staleness, next target, trajectory, projection, status)."""
    from .fiches.indicateurs import indicator_statuses

    with db.reading(db_path) as con:
        indicators = store.indicator_table(con)
        values = store.indicator_values(con)
        targets = store.indicator_targets(con)
    indicators = indicators[["indicateur_id", "fiche_id", "fiche_titre", "nom", "unite", "sens"]]
    return indicator_statuses(indicators, values, targets, today or clock.today(), committee_date)


def indicator_values(db_path: Path, indicateur_id: str) -> pd.DataFrame:
    """Values of one indicator by date: date, valeur, commentaire, saisi_par, saisi_le, upload_id."""
    with db.reading(db_path) as con:
        return store.indicator_values(con, indicateur_id).drop(columns="indicateur_id")


def indicator_targets(db_path: Path, indicateur_id: str) -> pd.DataFrame:
    """Targets of one indicator by year: annee, valeur."""
    with db.reading(db_path) as con:
        return store.indicator_targets(con, indicateur_id).drop(columns="indicateur_id")


STARS_COLUMNS = ["collectivite", "date", "score_realise", "score_programme", "etoiles", "prochaine_etoile",
                 "points_manquants", "criteres_manquants", "referentiel_complet"]


def stars_for_all(db_path: Path, referentiel: str = "cae") -> pd.DataFrame:
    """Stars of every evaluation (scoring.md §5), one row per (collectivite, date), oldest
    first: score réalisé and programmé at the root, etoiles, prochaine_etoile, points_manquants
    and criteres_manquants for the next star, and whether the referential is complete enough
    for stars to mean anything (the seed measures alone are not)."""
    from .scoring.stars import CRITERES, referentiel_complet, stars

    ref, profiles, keys, statuses = _all_evaluations(db_path, referentiel)
    if keys.empty:
        return pd.DataFrame(columns=STARS_COLUMNS)
    scores = score_subjects(ref, profiles, keys, statuses)
    # The star rules read only the root, the criterion nodes and their parents (a tâche may be
    # judged on its sous-action): passing just those rows keeps this fast for hundreds of dates.
    wanted = {"", *(c.action_id for c in CRITERES)}
    wanted |= {a.rsplit(".", 1)[0] for a in wanted if "." in a}
    table = stars(ref, scores[scores["action_id"].astype(str).isin(wanted)], statuses)
    out = keys.merge(table, on="subject", how="left")
    out["prochaine_etoile"] = out["prochaine_etoile"].astype("Int64")
    out["referentiel_complet"] = referentiel_complet(ref)
    return out[STARS_COLUMNS]


@dataclass
class SimulationInputs:
    referentiel: Referentiel
    profile: object  # personnalisation.profile.Profile
    statuses: pd.DataFrame  # action_id, statut, fait, programme, pas_fait, commentaire
    date: date | None


def simulation_inputs(db_path: Path, collectivite: str, on_date: date | None = None,
                      referentiel: str = "cae") -> SimulationInputs:
    """What the simulator needs for one evaluation (the latest when `on_date` is None), read in
    one connection; an unknown collectivity gets a bare profile and no statuses."""
    from .personnalisation.profile import Profile

    with db.reading(db_path) as con:
        ref = store.load_referentiel(con, referentiel)
        if ref is None:
            raise Refused(f"Aucun référentiel « {referentiel} » dans la base : chargez-le avec pcaet referentiel import.")
        profile = store.load_profiles(con).get(collectivite) or Profile(nom=collectivite)
        if on_date is None:
            row = con.execute("SELECT max(date) FROM evaluations WHERE collectivite = ? AND referentiel = ?",
                              [collectivite, referentiel]).fetchone()
            on_date = row[0] if row else None
        statuses = con.execute(
            "SELECT action_id, statut, fait, programme, pas_fait, coalesce(commentaire, '') AS commentaire "
            "FROM evaluation_statuses WHERE collectivite = ? AND date = ? AND referentiel = ? ORDER BY action_id",
            [collectivite, on_date, referentiel],
        ).df()
    return SimulationInputs(ref, profile, statuses, on_date)


# --- uploads (pages)

@dataclass
class ArchivedUpload:
    filename: str
    sha256: str
    data: bytes


def read_upload(db_path: Path, upload_id: int) -> ArchivedUpload:
    """The raw bytes of an archived upload, exactly as they were brought, checked against the
    recorded sha256 (a missing or altered archive file is refused in French)."""
    with db.reading(db_path) as con:
        row = con.execute("SELECT filename, sha256, stored_path FROM uploads WHERE upload_id = ?",
                          [int(upload_id)]).fetchone()
    if row is None:
        raise Refused(f"Aucun fichier importé n° {upload_id}.")
    filename, digest, stored = row
    folder = db.uploads_dir(db_path).resolve()
    path = (db_path.parent / stored).resolve()
    if folder not in path.parents:
        raise Refused(f"Le fichier archivé de « {filename} » n'est pas dans le dossier des imports ({folder}).")
    try:
        data = path.read_bytes()
    except OSError:
        raise Refused(f"Le fichier archivé de « {filename} » est introuvable ({path}).") from None
    if sha256_of(data) != digest:
        raise Refused(f"Le fichier archivé de « {filename} » a été modifié depuis son import (empreinte différente).")
    return ArchivedUpload(filename, digest, data)


# --- committees
# Weekly steering committees: recording them, « depuis le dernier comité » (comites.py) and
# the committee's PDF and XLSX reports (rapports/).

def add_comite(db_path: Path, comite, user: str | None = None, today: date | None = None):
    """Check and record a committee (`comites.Comite`; its date may be given as text); returns a
    `comites.ComiteResult` whose messages say when the committee is planned (future date).
    Refused with InvalidInput (file « saisie », the field as column) when the title is missing
    or a committee already exists on that date."""
    from .comites import ComiteResult, check_comite

    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        checked, messages = check_comite(comite.date, comite.titre, comite.participants, comite.notes,
                                         store.load_comites(con), today)
        checked.comite_id = store.save_comite(con, checked, user)
        checked.created_by = user
        journal.record(con, user, "comite", f"Comité du {checked.date.strftime('%d/%m/%Y')}",
                       f"comité créé : « {checked.titre} »")
    return ComiteResult(checked, "créé", [f"Comité du {checked.date.strftime('%d/%m/%Y')} enregistré : "
                                          f"« {checked.titre} »."] + messages)


def update_comite(db_path: Path, date_initiale: date, comite, user: str | None = None,
                  today: date | None = None):
    """Replace the committee of `date_initiale` (title, participants, notes, even its date) with
    the same checks as `add_comite`; its id and creation are kept."""
    from .comites import ComiteResult, check_comite

    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        existing = store.load_comites(con)
        if not any(c.date == date_initiale for c in existing):
            raise Refused(f"Aucun comité le {date_initiale.strftime('%d/%m/%Y')}.")
        checked, messages = check_comite(comite.date, comite.titre, comite.participants, comite.notes,
                                         existing, today, replacing=date_initiale)
        checked.comite_id = store.replace_comite(con, date_initiale, checked)
        moved = (f" (déplacé du {date_initiale.strftime('%d/%m/%Y')})" if checked.date != date_initiale else "")
        journal.record(con, user, "comite", f"Comité du {checked.date.strftime('%d/%m/%Y')}",
                       f"comité modifié{moved} : « {checked.titre} »")
    return ComiteResult(checked, "modifié", [f"Comité du {checked.date.strftime('%d/%m/%Y')} modifié : "
                                             f"« {checked.titre} »."] + messages)


def list_comites(db_path: Path) -> list:
    """Every committee (`comites.Comite`), oldest first."""
    with db.reading(db_path) as con:
        return store.load_comites(con)


def _committee_collectivite(evaluated: pd.DataFrame, profiles: dict, collectivite: str | None) -> str:
    names = sorted(set(evaluated["collectivite"])) or sorted(profiles)
    if collectivite is not None:
        if collectivite not in names and collectivite not in profiles:
            raise Refused(f"Collectivité inconnue « {collectivite} ».")
        return collectivite
    if not names:
        raise Refused("Aucune collectivité dans la base : créez-la avec pcaet collectivite set.")
    if len(names) > 1:
        raise Refused("Plusieurs collectivités dans la base (" + ", ".join(names) + ") : précisez --collectivite.")
    return names[0]


def committee_history(db_path: Path, comite_date: date | None = None, collectivite: str | None = None,
                      referentiel: str = "cae"):
    """Everything « depuis le dernier comité » and the reports read, in one read-only connection:
    a `comites.CommitteeHistory` for the committee of `comite_date` (the latest when None), the
    committee before it and the collectivity (the only one when None), with the scores and
    stars of the evaluations in force at both committees."""
    from .comites import CommitteeHistory, comite_at, evaluation_in_force
    from .scoring.stars import referentiel_complet, stars

    with db.reading(db_path) as con:
        try:
            comite, precedent = comite_at(store.load_comites(con), comite_date)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        ref = store.load_referentiel(con, referentiel)
        if ref is None:
            raise Refused(f"Aucun référentiel « {referentiel} » dans la base : chargez-le avec pcaet referentiel import.")
        profiles = store.load_profiles(con)
        evaluated = _evaluation_keys(con, referentiel)
        collectivite = _committee_collectivite(evaluated, profiles, collectivite)
        own = evaluated[(evaluated["collectivite"] == collectivite).to_numpy()]
        dates = sorted(pd.to_datetime(own["date"]).dt.date) if len(own) else []
        wanted = {evaluation_in_force(dates, comite.date),
                  evaluation_in_force(dates, precedent.date) if precedent else None} - {None}
        keys = own[pd.to_datetime(own["date"]).dt.date.isin(wanted).to_numpy()].reset_index(drop=True) \
            if len(own) else own.reset_index(drop=True)
        keys["subject"] = range(len(keys))
        engine_statuses = _statuses_for(con, referentiel, keys) if len(keys) else None
        day_list = sorted(wanted)
        statuses = con.execute(
            "SELECT date, action_id, statut, fait, programme, pas_fait, coalesce(commentaire, '') AS commentaire "
            "FROM evaluation_statuses WHERE collectivite = ? AND referentiel = ? AND list_contains(?, date)",
            [collectivite, referentiel, day_list],
        ).df()
        indicators = store.indicator_table(con)
        # the indicators of this collectivity's fiches (and of fiches that name none)
        owners = dict(con.execute("SELECT fiche_id, collectivite FROM fiches").fetchall())
        indicators = indicators[[owners.get(f) in (None, collectivite) for f in indicators["fiche_id"]]]
        indicators = indicators.reset_index(drop=True)
        values = store.indicator_values(con)
        targets = store.indicator_targets(con)
        uploads = con.execute("SELECT filename, kind, uploaded_at, uploaded_by, summary FROM uploads").df()
    score_columns = ["collectivite", "date", *SCORE_FIELDS]
    if len(keys):
        scores = score_subjects(ref, profiles, keys, engine_statuses)
        star_table = keys.merge(stars(ref, scores, engine_statuses), on="subject", how="left")
    else:
        scores = pd.DataFrame(columns=score_columns)
        star_table = pd.DataFrame(columns=STARS_COLUMNS)
    return CommitteeHistory(
        collectivite=collectivite, comite=comite, precedent=precedent, nodes=ref.nodes, evaluation_dates=dates,
        scores=scores, statuses=statuses, stars=star_table, indicators=indicators, values=values,
        targets=targets, uploads=uploads, referentiel_complet=referentiel_complet(ref),
    )


def committee_changes(db_path: Path, comite_date: date | None = None, collectivite: str | None = None,
                      referentiel: str = "cae"):
    """« Depuis le dernier comité » (`comites.CommitteeChanges`) of the committee of
    `comite_date` (the latest when None) against the one before it."""
    from .comites import committee_diff

    return committee_diff(committee_history(db_path, comite_date, collectivite, referentiel))


REPORT_FORMATS = ("pdf", "xlsx")


def committee_report(db_path: Path, fmt: str, comite_date: date | None = None, collectivite: str | None = None,
                     referentiel: str = "cae") -> bytes:
    """The committee's report as a file's bytes: `pdf` (one A4 landscape slide a page) or
    `xlsx` (sheets Scores, Statuts, Indicateurs, Évolutions, Comité)."""
    from .comites import committee_diff
    from .rapports import ReportError, build_report

    if fmt not in REPORT_FORMATS:
        raise Refused(f"Format de rapport inconnu « {fmt} » (attendu : {', '.join(REPORT_FORMATS)}).")
    history = committee_history(db_path, comite_date, collectivite, referentiel)
    try:
        return build_report(fmt, history, committee_diff(history))
    except ReportError as exc:
        raise Refused(str(exc)) from None


# --- fiches (pages)
# A fiche-action brought as YAML (docs/fiche-action-yaml.md) from the « Nouvelle fiche-action » page.

def save_fiche_yaml(db_path: Path, data: bytes, filename: str, user: str | None = None,
                    referentiel: str = "cae"):
    """Validate a fiche YAML (all problems at once), check that every measure it serves exists in
    the loaded referential, archive the raw file, then store the fiche in one transaction.
    Returns the stored `fiches.model.FicheAction`. A fiche with the same id is replaced (its
    indicators' values are kept)."""
    from .errors import Problem
    from .fiches.yaml_format import read_fiche_yaml

    auth.require_role(db_path, user, auth.EDITION)
    _check_size(data, filename)
    fiche = read_fiche_yaml(data, filename)
    if fiche.mesures:
        ref = load_referentiel(db_path, referentiel)
        known = set() if ref is None else set(ref.nodes["action_id"].astype(str))
        unknown = [m for m in fiche.mesures if m not in known]
        if unknown:
            from .tabular import decode_bytes

            text = decode_bytes(data, filename)
            problems = []
            for action_id in unknown:
                line = next((n for n, content in enumerate(text.splitlines(), start=1)
                             if action_id in content), None)
                problems.append(Problem(filename, line, None,
                                        f"mesure « {action_id} » absente du référentiel chargé"))
            raise InvalidInput(problems)
    digest = sha256_of(data)
    archived = archive_upload(db_path, data, filename)
    with db.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        replaced = db.first_row(con.execute("SELECT 1 FROM fiches WHERE fiche_id = ?", [fiche.fiche_id])) is not None
        upload_id = db.first_row(con.execute(
            "INSERT INTO uploads (kind, filename, sha256, stored_path, size_bytes, rows, uploaded_at, uploaded_by, summary) "
            "VALUES ('fiche', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
            [filename, digest, str(archived.stored_path.relative_to(db_path.parent)), archived.size_bytes,
             1, clock.now(), user, f"Fiche-action « {fiche.titre} »"],
        ))[0]
        store.save_fiche(con, fiche, referentiel)
        journal.record(con, user, "fiche", fiche.fiche_id,
                       f"fiche « {fiche.titre} » {'remplacée' if replaced else 'créée'}", upload_id=int(upload_id))
    return fiche


# --- presentation
# The slide order of the dashboard's presentation mode (docs/comites.md), kept per database in
# a small JSON file beside it: `pcaet.duckdb` → `pcaet.presentation.json`. Not in DuckDB on
# purpose: reordering slides during a committee must not lock the database nor change its data
# version (which would make every page recompute its scores).

PRESENTATION_SLIDES = {
    "score": "Score global et étoiles",
    "radar": "Score par catégorie",
    "mesures": "Mesures qui ont bougé",
    "indicateurs": "Indicateurs des fiches-actions",
    "decisions": "Décisions du comité précédent",
}


def presentation_settings_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).stem + ".presentation.json")


def slide_order(db_path: Path) -> list[str]:
    """The saved slide order (keys of PRESENTATION_SLIDES); the default order when nothing is
    saved or the file is unreadable. Unknown or repeated keys in the file are dropped."""
    import json

    try:
        saved = json.loads(presentation_settings_path(db_path).read_text(encoding="utf-8")).get("ordre")
    except (OSError, ValueError, AttributeError):
        return list(PRESENTATION_SLIDES)
    if not isinstance(saved, list):
        return list(PRESENTATION_SLIDES)
    order = list(dict.fromkeys(s for s in saved if isinstance(s, str) and s in PRESENTATION_SLIDES))
    return order or list(PRESENTATION_SLIDES)


def save_slide_order(db_path: Path, order: list[str], user: str | None = None) -> list[str]:
    """Save the slides to show, in order (a slide left out is not shown). Refused in French when
    the list is empty, names an unknown slide or repeats one. Written to a temporary file, then
    renamed: a reader never sees half a file."""
    import json

    auth.require_role(db_path, user, auth.EDITION)  # not journaled: no database write (docs/securite.md)
    order = [str(s) for s in order]
    if not order:
        raise Refused("Choisissez au moins une diapositive.")
    unknown = [s for s in order if s not in PRESENTATION_SLIDES]
    if unknown:
        raise Refused(f"Diapositive inconnue « {unknown[0]} » (attendu : {', '.join(PRESENTATION_SLIDES)}).")
    repeated = sorted({s for s in order if order.count(s) > 1})
    if repeated:
        raise Refused(f"La diapositive « {PRESENTATION_SLIDES[repeated[0]]} » est choisie deux fois.")
    path = presentation_settings_path(db_path)
    if not path.parent.is_dir():
        raise Refused(f"Dossier de la base introuvable : {path.parent}.")
    document = {"ordre": order, "modifie_le": clock.now().isoformat(timespec="seconds"), "modifie_par": user}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    return order
