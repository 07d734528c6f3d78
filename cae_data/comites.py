"""Weekly steering committees (comités de pilotage): the model, the checks of a committee typed
in a form or on the command line, and « depuis le dernier comité », the changes between one
committee and the one before it.

Everything here is pure: `services` reads the database into a `ComiteHistory` and
`comite_diff` turns it into `ComiteChanges`, so the diff is tested on hand-made histories.

Rules of the diff (docs/comites.md):
- the evaluation in force at a committee is the collectivity's latest evaluation dated on or
  before the committee's date;
- the period of a committee C whose previous committee is P is (P, C]: an indicator value dated
  the day of a committee, or a file imported that day, belongs to that committee;
- a node's points gained or lost are its `point_fait` in the evaluation in force at C minus the
  one in force at P; with no evaluation in force at P, everything is compared with an empty
  evaluation (every point 0, every status « non renseigné »);
- the first committee (no previous one) is compared with nothing: no change is computed and
  every section says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import analyses, clock
from .errors import InvalidInput, Problem
from .fiches.indicateurs import as_values, indicateur_status, value_at
from .formatting import date_fr, ecart_points, pourcentage
from .tabular import parse_date_text

SOURCE = "saisie"
MAX_TITRE = 200
MAX_PARTICIPANT = 120
MAX_PARTICIPANTS = 100
MAX_NOTES = 20_000
EPSILON = 1e-9  # below this a difference of points is float noise

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Comite:
    """One steering committee. `notes` holds the decisions and notes, free text."""

    date: dt.date
    titre: str
    participants: list[str] = field(default_factory=list)
    notes: str = ""
    comite_id: int | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None

    @property
    def libelle(self) -> str:
        """« comité du 12/11/2026 »."""
        return f"comité du {date_fr(self.date)}"


@dataclass
class ComiteResult:
    """A committee written, with French notes for the user (a planned committee says so)."""

    comite: Comite
    action: str  # « créé » or « modifié »
    messages: list[str]


# ---------------------------------------------------------------------------------------------
# checks


def parse_participants(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """« A, B ; C » or a list → ['A', 'B', 'C']: trimmed, empty names dropped, a name given twice
    (case aside) kept once."""
    if value is None:
        return []
    items = re.split(r"[,;\n]", value) if isinstance(value, str) else [str(v) for v in value]
    names: list[str] = []
    seen: set[str] = set()
    for item in items:
        name = " ".join(_CONTROL_CHARS.sub("", item).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def clean_text(value: str | None) -> str:
    """Free text as stored: line breaks normalised, control characters removed, trimmed."""
    text = "" if value is None else str(value)
    return _CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_date(value) -> dt.date | None:
    """A date object, or `AAAA-MM-JJ` / `JJ/MM/AAAA` text; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return None if value is None else parse_date_text(str(value))


def check_comite(date, titre, participants=None, notes=None, existing: list[Comite] = (),
                 today: dt.date | None = None, replacing: dt.date | None = None) -> tuple[Comite, list[str]]:
    """Check a committee as typed: (Comite, French notes) or InvalidInput naming every problem
    (file « saisie », the field as column). A date in the future is allowed (a planned
    committee) and said in the notes; a second committee on a date already taken is refused.
    `replacing` is the date of the committee being edited (its own date is not a clash)."""
    today = today or clock.today()
    problems: list[Problem] = []
    notes_out: list[str] = []
    when = parse_date(date)
    if date is None or str(date).strip() == "":
        problems.append(Problem(SOURCE, None, "date", "date du comité manquante (AAAA-MM-JJ ou JJ/MM/AAAA)"))
    elif when is None:
        problems.append(Problem(SOURCE, None, "date",
                                f"date non reconnue « {str(date)[:40]} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"))
    else:
        clash = [c for c in existing if c.date == when and c.date != replacing]
        if clash:
            problems.append(Problem(SOURCE, None, "date",
                                    f"un comité existe déjà le {date_fr(when)} (« {clash[0].titre} ») : "
                                    "un seul comité par jour"))
        if when > today:
            notes_out.append(f"Comité prévu : le {date_fr(when)} est dans le futur (nous sommes le {date_fr(today)}).")
    title = " ".join(clean_text(titre).split())
    if not title:
        problems.append(Problem(SOURCE, None, "titre", "titre du comité obligatoire"))
    elif len(title) > MAX_TITRE:
        problems.append(Problem(SOURCE, None, "titre",
                                f"titre trop long ({len(title)} caractères ; maximum {MAX_TITRE})"))
    names = parse_participants(participants)
    long_names = [n for n in names if len(n) > MAX_PARTICIPANT]
    if long_names:
        problems.append(Problem(SOURCE, None, "participants",
                                f"nom de participant trop long « {long_names[0][:40]}… » (maximum {MAX_PARTICIPANT} "
                                "caractères ; séparez les participants par des virgules)"))
    if len(names) > MAX_PARTICIPANTS:
        problems.append(Problem(SOURCE, None, "participants",
                                f"trop de participants ({len(names)} ; maximum {MAX_PARTICIPANTS})"))
    text = clean_text(notes)
    if len(text) > MAX_NOTES:
        problems.append(Problem(SOURCE, None, "notes", f"notes trop longues ({len(text)} caractères ; maximum {MAX_NOTES})"))
    if problems:
        raise InvalidInput(problems)
    return Comite(date=when, titre=title, participants=names, notes=text), notes_out


def comite_at(comites: list[Comite], when: dt.date | None) -> tuple[Comite, Comite | None]:
    """The committee of that date (the latest when None) and the one before it; ValueError with a
    French message when there is none."""
    ordered = sorted(comites, key=lambda c: c.date)
    if not ordered:
        raise ValueError("Aucun comité enregistré : ajoutez-en un avec pcaet comite add.")
    if when is None:
        index = len(ordered) - 1
    else:
        matches = [i for i, c in enumerate(ordered) if c.date == when]
        if not matches:
            known = ", ".join(date_fr(c.date) for c in ordered)
            raise ValueError(f"Aucun comité le {date_fr(when)} (comités enregistrés : {known}).")
        index = matches[0]
    return ordered[index], ordered[index - 1] if index > 0 else None


def evaluation_in_force(evaluation_dates, when: dt.date | None) -> dt.date | None:
    """The latest evaluation dated on or before `when` (None when there is none)."""
    if when is None:
        return None
    dates = sorted(_as_date(d) for d in evaluation_dates)
    before = [d for d in dates if d <= when]
    return before[-1] if before else None


def _as_date(value) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# ---------------------------------------------------------------------------------------------
# history → changes


@dataclass
class ComiteHistory:
    """What the diff reads, for one collectivity (any extra rows are ignored):

    nodes       the referential's nodes (action_id, nom, niveau, …, in referential order)
    evaluation_dates  dates of the collectivity's evaluations
    scores      the engine's long frame (date, action_id, niveau, point_potentiel, point_fait,
                point_programme, point_pas_fait, point_non_renseigne, …) of at least the
                evaluations in force at both committees
    statuses    status rows (date, action_id, statut, fait, programme, pas_fait, commentaire)
    stars       one row per evaluation date: date and services.ETOILES_COLUMNS' fields
    indicators  indicateur_id, fiche_id, fiche_titre, nom, unite, sens
    values      indicateur_id, date, valeur, commentaire, saisi_par
    targets     indicateur_id, annee, valeur
    uploads     filename, kind, uploaded_at, uploaded_by, summary
    """

    collectivite: str
    comite: Comite
    precedent: Comite | None
    nodes: pd.DataFrame
    evaluation_dates: list[dt.date]
    scores: pd.DataFrame
    statuses: pd.DataFrame
    stars: pd.DataFrame
    indicators: pd.DataFrame
    values: pd.DataFrame
    targets: pd.DataFrame
    uploads: pd.DataFrame
    referentiel_complet: bool = True


@dataclass
class ScoreSnapshot:
    """The root's score of one evaluation, and its stars."""

    date: dt.date
    point_potentiel: float
    point_fait: float
    point_programme: float
    part_fait: float  # the score réalisé
    part_programme: float
    etoiles: int | None
    prochaine_etoile: int | None
    points_manquants: float | None
    criteres_manquants: int | None


LEVEL_COLUMNS = ["action_id", "nom", "point_potentiel_avant", "point_potentiel_apres", "point_fait_avant",
                 "point_fait_apres", "delta_point_fait", "part_fait_avant", "part_fait_apres", "delta_part_fait",
                 "point_programme_avant", "point_programme_apres", "delta_point_programme"]
STATUS_CHANGE_COLUMNS = ["action_id", "nom", "niveau", "statut_avant", "statut_apres", "code_avant", "code_apres",
                         "fait_avant", "programme_avant", "fait_apres", "programme_apres", "commentaire_apres",
                         "delta_point_fait", "delta_point_programme"]
INDICATEUR_COLUMNS = ["indicateur_id", "fiche_titre", "nom", "unite", "sens", "nouvelles_valeurs", "date_avant",
                     "valeur_avant", "date_apres", "valeur_apres", "evolution", "jours_sans_valeur", "ancienne",
                     "cible_annee", "cible", "statut"]
NEW_VALUE_COLUMNS = ["indicateur_id", "nom", "unite", "date", "valeur", "commentaire", "saisi_par"]
UPLOAD_COLUMNS = ["filename", "kind", "uploaded_at", "uploaded_by", "summary"]
SECTIONS = ("evaluation", "score", "etoiles", "statuts", "mesures", "indicateurs", "imports")


@dataclass
class ComiteChanges:
    """« Depuis le dernier comité »: what changed between the previous committee and this one.

    `avant` / `apres` are the evaluations in force at the previous committee and at this one
    (None when there is none). Tables keep referential order; `axes` lists every axe, `mesures`
    only those whose points or share changed. `phrases` holds one plain French sentence per
    section (SECTIONS), saying so when nothing changed or when there is nothing to compare."""

    collectivite: str
    comite: Comite
    precedent: Comite | None
    evaluation_avant: dt.date | None
    evaluation_apres: dt.date | None
    avant: ScoreSnapshot | None
    apres: ScoreSnapshot | None
    axes: pd.DataFrame
    mesures: pd.DataFrame
    statuts: pd.DataFrame
    indicateurs: pd.DataFrame
    valeurs: pd.DataFrame
    imports: pd.DataFrame
    referentiel_complet: bool
    phrases: dict[str, str]

    @property
    def premier_comite(self) -> bool:
        return self.precedent is None

    @property
    def nouvelle_evaluation(self) -> bool:
        return (not self.premier_comite and self.evaluation_apres is not None
                and self.evaluation_apres != self.evaluation_avant)

    @property
    def delta_points_fait(self) -> float | None:
        if self.premier_comite or self.apres is None:
            return None
        return _clean_delta(self.apres.point_fait - (self.avant.point_fait if self.avant else 0.0))

    @property
    def delta_part_fait(self) -> float | None:
        if self.premier_comite or self.apres is None:
            return None
        return _clean_delta(self.apres.part_fait - (self.avant.part_fait if self.avant else 0.0))

    @property
    def delta_etoiles(self) -> int | None:
        if self.premier_comite or self.apres is None or self.apres.etoiles is None:
            return None
        before = self.avant.etoiles if self.avant and self.avant.etoiles is not None else 0
        return int(self.apres.etoiles) - int(before)


def _clean_delta(value: float) -> float:
    return 0.0 if abs(value) <= EPSILON else float(value)


def _dated(frame: pd.DataFrame, column: str = "date") -> pd.Series:
    """A frame's date column as datetime.date objects."""
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    return pd.to_datetime(frame[column]).dt.date


def evaluation_rows(frame: pd.DataFrame, when: dt.date | None) -> pd.DataFrame:
    """The rows of `frame` (scores, statuses, stars) of the evaluation dated `when` (none for None)."""
    if when is None or frame.empty:
        return frame.iloc[0:0]
    return frame[(_dated(frame) == when).to_numpy()]


def _snapshot(history: ComiteHistory, when: dt.date | None) -> ScoreSnapshot | None:
    if when is None:
        return None
    rows = evaluation_rows(history.scores, when)
    root = rows[(rows["niveau"].astype(str) == "referentiel").to_numpy()]
    if root.empty:
        return None
    root = root.iloc[0]
    potential = float(root["point_potentiel"])
    star = evaluation_rows(history.stars, when)
    star = star.iloc[0] if len(star) else None

    def etoile_field(name, cast):
        if star is None or name not in star.index or pd.isna(star[name]):
            return None
        return cast(star[name])

    return ScoreSnapshot(
        date=when, point_potentiel=potential, point_fait=float(root["point_fait"]),
        point_programme=float(root["point_programme"]),
        part_fait=float(root["point_fait"]) / potential if potential > 0 else 0.0,
        part_programme=float(root["point_programme"]) / potential if potential > 0 else 0.0,
        etoiles=etoile_field("etoiles", int), prochaine_etoile=etoile_field("prochaine_etoile", int),
        points_manquants=etoile_field("points_manquants", float),
        criteres_manquants=etoile_field("criteres_manquants", int),
    )


def _level_pair(history: ComiteHistory, niveau: str, avant: dt.date | None, apres: dt.date | None,
                compare: bool) -> pd.DataFrame:
    """Every node of one level in force at this committee, with its points before (0 when there
    was no evaluation; NaN when there is nothing to compare with) and after."""
    order = analyses.order_of(history.nodes)
    names = dict(zip(history.nodes["action_id"].astype(str), history.nodes["nom"].astype(str)))
    fields = ["point_potentiel", "point_fait", "point_programme"]

    def level(when):
        rows = evaluation_rows(history.scores, when)
        rows = rows[(rows["niveau"].astype(str) == niveau).to_numpy()]
        out = pd.DataFrame({"action_id": rows["action_id"].astype(str).to_numpy()})
        for name in fields:
            out[name] = rows[name].astype(float).to_numpy()
        out["part_fait"] = analyses.ratio(out["point_fait"], out["point_potentiel"]) if len(out) else []
        return out

    after = level(apres)
    before = level(avant)
    pair = after.merge(before, on="action_id", how="left", suffixes=("_apres", "_avant"))
    if not compare:
        for name in [*fields, "part_fait"]:
            pair[f"{name}_avant"] = np.nan
    elif avant is None:
        for name in [*fields, "part_fait"]:
            pair[f"{name}_avant"] = 0.0
    for name in ("point_fait", "part_fait", "point_programme"):
        delta = pair[f"{name}_apres"] - pair[f"{name}_avant"]
        pair[f"delta_{name}"] = delta.where(delta.abs() > EPSILON, 0.0) if compare else np.nan
    pair["nom"] = pair["action_id"].map(names).fillna("")
    pair = analyses.in_order(pair, order, []) if len(pair) else pair
    return pair.reindex(columns=LEVEL_COLUMNS).reset_index(drop=True)


def _status_changes(history: ComiteHistory, avant: dt.date | None, apres: dt.date | None,
                    points: pd.DataFrame) -> pd.DataFrame:
    columns = analyses.STATUS_COLUMNS
    before = evaluation_rows(history.statuses, avant).reindex(columns=columns)
    after = evaluation_rows(history.statuses, apres).reindex(columns=columns)
    changed = analyses.compare_statuses(before, after, history.nodes)
    for side, rows in (("avant", before), ("apres", after)):
        ids = rows["action_id"].astype(str)
        for share in ("fait", "programme"):
            changed[f"{share}_{side}"] = changed["action_id"].map(dict(zip(ids, rows[share].astype(float))))
    for column in ("point_fait", "point_programme"):
        gained = dict(zip(points["action_id"], points[column]))
        changed[f"delta_{column}"] = changed["action_id"].map(gained).astype(float).fillna(0.0)
    return changed.reindex(columns=STATUS_CHANGE_COLUMNS).reset_index(drop=True)


def _node_deltas(history: ComiteHistory, avant: dt.date | None, apres: dt.date | None) -> pd.DataFrame:
    """point_fait and point_programme after minus before of every node (0 before when there was
    no evaluation): action_id, point_fait, point_programme."""
    after = evaluation_rows(history.scores, apres)
    before = evaluation_rows(history.scores, avant)
    out = {}
    for column in ("point_fait", "point_programme"):
        a = pd.Series(after[column].astype(float).to_numpy(), index=after["action_id"].astype(str).to_numpy())
        b = pd.Series(before[column].astype(float).to_numpy(), index=before["action_id"].astype(str).to_numpy())
        ids = a.index.union(b.index)
        delta = a.reindex(ids, fill_value=0.0) - b.reindex(ids, fill_value=0.0)
        out[column] = delta.where(delta.abs() > EPSILON, 0.0)
    frame = pd.DataFrame(out)
    return frame.rename_axis("action_id").reset_index().assign(action_id=lambda f: f["action_id"].astype(str))


def _indicateur_changes(history: ComiteHistory) -> tuple[pd.DataFrame, pd.DataFrame]:
    comite, precedent = history.comite.date, history.precedent.date if history.precedent else None
    values = history.values.copy()
    values["day"] = _dated(values)
    values = values[(values["day"] <= comite).to_numpy()] if len(values) else values
    rows, new_rows = [], []
    for indicator in history.indicators.itertuples(index=False):
        own = values[(values["indicateur_id"] == indicator.indicateur_id).to_numpy()]
        targets = history.targets[(history.targets["indicateur_id"] == indicator.indicateur_id).to_numpy()]
        status = indicateur_status(own[["date", "valeur"]], targets, indicator.sens, comite, precedent)
        fresh = own[(own["day"] > precedent).to_numpy()] if precedent is not None else own.iloc[0:0]
        before = value_at(as_values(own[["date", "valeur"]]), precedent) if precedent is not None else None
        rows.append({
            "indicateur_id": indicator.indicateur_id, "fiche_titre": indicator.fiche_titre, "nom": indicator.nom,
            "unite": indicator.unite, "sens": indicator.sens, "nouvelles_valeurs": len(fresh),
            "date_avant": before[0].date() if before else None, "valeur_avant": status.comite_value,
            "date_apres": status.last_date, "valeur_apres": status.last_value,
            "evolution": status.change, "jours_sans_valeur": status.days_since_last, "ancienne": status.stale,
            "cible_annee": status.target_year, "cible": status.target,
            "statut": status.status,
        })
        for value in fresh.sort_values("day").itertuples(index=False):
            new_rows.append({
                "indicateur_id": indicator.indicateur_id, "nom": indicator.nom, "unite": indicator.unite,
                "date": value.day, "valeur": float(value.valeur), "commentaire": getattr(value, "commentaire", "") or "",
                "saisi_par": getattr(value, "saisi_par", None),
            })
    table = pd.DataFrame(rows, columns=INDICATEUR_COLUMNS).astype(
        {"nouvelles_valeurs": "int64", "valeur_avant": "float64", "valeur_apres": "float64", "evolution": "float64",
         "jours_sans_valeur": "Int64", "ancienne": "bool", "cible": "float64", "cible_annee": "Int64"})
    return table, pd.DataFrame(new_rows, columns=NEW_VALUE_COLUMNS).astype({"valeur": "float64"})


def _uploads_between(uploads: pd.DataFrame, precedent: dt.date | None, comite: dt.date) -> pd.DataFrame:
    if precedent is None or uploads.empty:
        return pd.DataFrame(columns=UPLOAD_COLUMNS)
    day = _dated(uploads, "uploaded_at")
    inside = ((day > precedent) & (day <= comite)).to_numpy()
    out = uploads[inside].sort_values("uploaded_at", kind="stable")
    return out.reindex(columns=UPLOAD_COLUMNS).reset_index(drop=True)


def _plural(count: int, singular: str, plural: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{count} {singular if abs(count) < 2 else plural}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def points_text(delta: float) -> str:
    """Signed points with agreement: « +2,5 points faits », « −1 point fait », « 0 point fait »."""
    plural = abs(round(float(delta), 1)) >= 2
    return f"{ecart_points(delta)} {'points faits' if plural else 'point fait'}"


def comite_diff(history: ComiteHistory) -> ComiteChanges:
    """« Depuis le dernier comité » of `history.comite` (see the module's rules)."""
    comite, precedent = history.comite, history.precedent
    compare = precedent is not None
    apres = evaluation_in_force(history.evaluation_dates, comite.date)
    avant = evaluation_in_force(history.evaluation_dates, precedent.date) if compare else None
    snap_apres, snap_avant = _snapshot(history, apres), _snapshot(history, avant)

    axes = _level_pair(history, "axe", avant, apres, compare)
    mesures = _level_pair(history, "mesure", avant, apres, compare)
    if compare:
        mesures = mesures[((mesures["delta_point_fait"] != 0) | (mesures["delta_part_fait"] != 0)
                           | (mesures["delta_point_programme"] != 0)).to_numpy()].reset_index(drop=True)
        statuts = _status_changes(history, avant, apres, _node_deltas(history, avant, apres))
    else:
        mesures = mesures.iloc[0:0]
        statuts = pd.DataFrame(columns=STATUS_CHANGE_COLUMNS)
    indicateurs, valeurs = _indicateur_changes(history)
    imports = _uploads_between(history.uploads, precedent.date if compare else None, comite.date)

    changes = ComiteChanges(
        collectivite=history.collectivite, comite=comite, precedent=precedent,
        evaluation_avant=avant, evaluation_apres=apres, avant=snap_avant, apres=snap_apres,
        axes=axes, mesures=mesures, statuts=statuts, indicateurs=indicateurs, valeurs=valeurs, imports=imports,
        referentiel_complet=history.referentiel_complet, phrases={},
    )
    changes.phrases = _phrases(changes)
    return changes


def _phrases(c: ComiteChanges) -> dict[str, str]:
    first = "Premier comité : aucun comité précédent auquel comparer."
    since = f"depuis le {c.precedent.libelle}" if c.precedent else ""
    out: dict[str, str] = {}

    # evaluation
    if c.evaluation_apres is None:
        out["evaluation"] = f"Aucune évaluation en vigueur au {c.comite.libelle}."
    elif c.premier_comite:
        out["evaluation"] = f"{first} Évaluation en vigueur : évaluation du {date_fr(c.evaluation_apres)}."
    elif not c.nouvelle_evaluation:
        out["evaluation"] = (f"Aucune évaluation nouvelle {since} (évaluation en vigueur : "
                             f"évaluation du {date_fr(c.evaluation_apres)}).")
    elif c.evaluation_avant is None:
        out["evaluation"] = (f"Première évaluation {since} : évaluation du {date_fr(c.evaluation_apres)} "
                             "(aucune évaluation n'était en vigueur au comité précédent).")
    else:
        out["evaluation"] = (f"Nouvelle évaluation {since} : évaluation du {date_fr(c.evaluation_apres)} "
                             f"(au comité précédent : évaluation du {date_fr(c.evaluation_avant)}).")

    # score
    if c.apres is None:
        out["score"] = "Pas de score : aucune évaluation en vigueur."
    elif c.premier_comite:
        out["score"] = f"Score réalisé : {pourcentage(c.apres.part_fait)}. {first}"
    elif c.delta_points_fait == 0 and c.delta_part_fait == 0:
        out["score"] = f"Score réalisé inchangé {since} : {pourcentage(c.apres.part_fait)}."
    else:
        before = c.avant.part_fait if c.avant else 0.0
        out["score"] = (f"Score réalisé : {pourcentage(c.apres.part_fait)} ({pourcentage(before)} au comité "
                        f"précédent), {points_text(c.delta_points_fait)}.")

    # stars
    if c.apres is None or c.apres.etoiles is None:
        out["etoiles"] = "Étoiles : aucune évaluation en vigueur."
    elif c.premier_comite:
        out["etoiles"] = f"{_cap(_plural(c.apres.etoiles, 'étoile', 'étoiles'))}. {first}"
    elif c.delta_etoiles == 0:
        out["etoiles"] = f"Étoiles inchangées {since} : {_plural(c.apres.etoiles, 'étoile', 'étoiles')}."
    else:
        verb = "gagnée" if c.delta_etoiles > 0 else "perdue"
        count = abs(c.delta_etoiles)
        out["etoiles"] = (f"{_cap(_plural(count, 'étoile ' + verb, 'étoiles ' + verb + 's'))} {since} : "
                          f"{_plural(c.apres.etoiles, 'étoile', 'étoiles')}.")
    if not c.referentiel_complet and "étoiles" in out["etoiles"].lower():
        out["etoiles"] += " (Indicatif : le référentiel chargé ne contient pas tous les critères des étoiles.)"

    # statuses and measures
    if c.premier_comite:
        out["statuts"] = first
        out["mesures"] = first
    else:
        n = len(c.statuts)
        out["statuts"] = (f"{_plural(n, 'statut a changé', 'statuts ont changé')} {since}." if n
                          else f"Aucun statut n'a changé {since}.")
        m = len(c.mesures)
        out["mesures"] = (f"{_plural(m, 'mesure a bougé', 'mesures ont bougé')} {since}." if m
                          else f"Aucune mesure n'a bougé {since}.")

    # indicators
    if c.premier_comite:
        out["indicateurs"] = first
    elif c.indicateurs.empty:
        out["indicateurs"] = f"Aucun indicateur dans les fiches-actions de {c.collectivite}."
    else:
        n = len(c.valeurs)
        out["indicateurs"] = (f"{_plural(n, 'nouvelle valeur', 'nouvelles valeurs')} d'indicateur {since}." if n
                              else f"Aucune nouvelle valeur d'indicateur {since}.")

    # uploads
    if c.premier_comite:
        out["imports"] = first
    else:
        n = len(c.imports)
        out["imports"] = (f"{_plural(n, 'fichier importé', 'fichiers importés')} {since}." if n
                          else f"Aucun fichier importé {since}.")
    return out
