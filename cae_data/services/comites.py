"""Weekly steering committees: recording them, « depuis le dernier comité » (comites.py) and
the committee's PDF and XLSX reports (rapports/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from .. import auth, store
from ..comites import ComiteHistory, ComiteResult, check_comite, comite_at, comite_diff, evaluation_in_force
from ..errors import Refused
from ..rapports import ReportError, build_report
from ..scoring.etoiles import etoiles, referentiel_complet
from .common import require_referentiel
from .scores import ETOILES_COLUMNS, SCORE_FIELDS, only_collectivite, score_subjects


def add_comite(db_path: Path, comite, user: str | None = None, today: date | None = None):
    """Check and record a committee (`comites.Comite`; its date may be given as text); returns a
    `comites.ComiteResult` whose messages say when the committee is planned (future date).
    Refused with InvalidInput (file « saisie », the field as column) when the title is missing
    or a committee already exists on that date."""
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        checked, messages = check_comite(comite.date, comite.titre, comite.participants, comite.notes,
                                         store.load_comites(con), today)
        checked.comite_id = store.save_comite(con, checked, user)
        checked.created_by = user
        store.record_journal(con, user, "comite", f"Comité du {checked.date.strftime('%d/%m/%Y')}",
                       f"comité créé : « {checked.titre} »")
    return ComiteResult(checked, "créé", [f"Comité du {checked.date.strftime('%d/%m/%Y')} enregistré : "
                                          f"« {checked.titre} »."] + messages)


def update_comite(db_path: Path, date_initiale: date, comite, user: str | None = None,
                  today: date | None = None):
    """Replace the committee of `date_initiale` (title, participants, notes, even its date) with
    the same checks as `add_comite`; its id and creation are kept."""
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        existing = store.load_comites(con)
        if not any(c.date == date_initiale for c in existing):
            raise Refused(f"Aucun comité le {date_initiale.strftime('%d/%m/%Y')}.")
        checked, messages = check_comite(comite.date, comite.titre, comite.participants, comite.notes,
                                         existing, today, replacing=date_initiale)
        checked.comite_id = store.replace_comite(con, date_initiale, checked)
        moved = (f" (déplacé du {date_initiale.strftime('%d/%m/%Y')})" if checked.date != date_initiale else "")
        store.record_journal(con, user, "comite", f"Comité du {checked.date.strftime('%d/%m/%Y')}",
                       f"comité modifié{moved} : « {checked.titre} »")
    return ComiteResult(checked, "modifié", [f"Comité du {checked.date.strftime('%d/%m/%Y')} modifié : "
                                             f"« {checked.titre} »."] + messages)


def list_comites(db_path: Path) -> list:
    """Every committee (`comites.Comite`), oldest first."""
    with store.reading(db_path) as con:
        return store.load_comites(con)


def comite_history(db_path: Path, comite_date: date | None = None, collectivite: str | None = None,
                      referentiel: str = "cae"):
    """Everything « depuis le dernier comité » and the reports read, in one read-only connection:
    a `comites.ComiteHistory` for the committee of `comite_date` (the latest when None), the
    committee before it and the collectivity (the only one when None), with the scores and
    stars of the evaluations in force at both committees."""
    with store.reading(db_path) as con:
        try:
            comite, precedent = comite_at(store.load_comites(con), comite_date)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        ref = require_referentiel(con, referentiel)
        profiles = store.load_profiles(con)
        evaluated = store.evaluation_keys(con, referentiel)
        collectivite = only_collectivite(sorted(set(evaluated["collectivite"])) or sorted(profiles), collectivite,
                                         set(profiles) | set(evaluated["collectivite"]))
        own = evaluated[(evaluated["collectivite"] == collectivite).to_numpy()]
        dates = sorted(pd.to_datetime(own["date"]).dt.date) if len(own) else []
        wanted = {evaluation_in_force(dates, comite.date),
                  evaluation_in_force(dates, precedent.date) if precedent else None} - {None}
        keys = own[pd.to_datetime(own["date"]).dt.date.isin(wanted).to_numpy()].reset_index(drop=True) \
            if len(own) else own.reset_index(drop=True)
        keys["subject"] = range(len(keys))
        engine_statuses = store.statuses_for(con, referentiel, keys) if len(keys) else None
        statuses = store.statuses_on_days(con, collectivite, referentiel, sorted(wanted))
        indicators = store.indicateur_table(con)
        # the indicators of this collectivity's fiches (and of fiches that name none)
        owners = store.fiche_collectivites(con)
        indicators = indicators[[owners.get(f) in (None, collectivite) for f in indicators["fiche_id"]]]
        indicators = indicators.reset_index(drop=True)
        values = store.indicateur_values(con)
        targets = store.indicateur_targets(con)
        uploads = store.list_uploads(con)[["filename", "kind", "uploaded_at", "uploaded_by", "summary"]]
    score_columns = ["collectivite", "date", *SCORE_FIELDS]
    if len(keys):
        scores = score_subjects(ref, profiles, keys, engine_statuses)
        etoile_table = keys.merge(etoiles(ref, scores, engine_statuses), on="subject", how="left")
    else:
        scores = pd.DataFrame(columns=score_columns)
        etoile_table = pd.DataFrame(columns=ETOILES_COLUMNS)
    return ComiteHistory(
        collectivite=collectivite, comite=comite, precedent=precedent, nodes=ref.nodes, evaluation_dates=dates,
        scores=scores, statuses=statuses, stars=etoile_table, indicators=indicators, values=values,
        targets=targets, uploads=uploads, referentiel_complet=referentiel_complet(ref),
    )


def comite_changes(db_path: Path, comite_date: date | None = None, collectivite: str | None = None,
                      referentiel: str = "cae"):
    """« Depuis le dernier comité » (`comites.ComiteChanges`) of the committee of
    `comite_date` (the latest when None) against the one before it."""
    return comite_diff(comite_history(db_path, comite_date, collectivite, referentiel))


REPORT_FORMATS = ("pdf", "xlsx")


def comite_report(db_path: Path, fmt: str, comite_date: date | None = None, collectivite: str | None = None,
                     referentiel: str = "cae") -> bytes:
    """The committee's report as a file's bytes: `pdf` (one A4 landscape slide a page) or
    `xlsx` (sheets Scores, Statuts, Indicateurs, Évolutions, Comité)."""
    if fmt not in REPORT_FORMATS:
        raise Refused(f"Format de rapport inconnu « {fmt} » (attendu : {', '.join(REPORT_FORMATS)}).")
    history = comite_history(db_path, comite_date, collectivite, referentiel)
    try:
        return build_report(fmt, history, comite_diff(history))
    except ReportError as exc:
        raise Refused(str(exc)) from None
