"""Collectivities: their profiles (type, population, answers to the referentials' questions)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import auth, store
from ..errors import InvalidInput
from ..personnalisation.profile import read_profile
from ..referentiel.model import empty_questions


def known_questions(db_path: Path) -> pd.DataFrame:
    """The questions of every loaded referential (a question asked by several, as the platform's
    files do, once): what a profile's answers are checked against."""
    if not db_path.exists():
        return empty_questions()
    with store.reading(db_path) as con:
        refs = [store.load_referentiel(con, nom) for nom in store.referentiel_names(con)]
    frames = [ref.questions for ref in refs if ref is not None and len(ref.questions)]
    if not frames:
        return empty_questions()
    return pd.concat(frames, ignore_index=True).drop_duplicates("question_id").reset_index(drop=True)


def set_collectivites(db_path: Path, files: list[tuple[bytes, str]], user: str | None = None) -> list:
    """Validate every profile against the questions of the loaded referentials, then store them
    all in one transaction (each replaces the collectivity's previous profile). An answer to a
    question no loaded referential asks is kept, with a warning on the profile
    (`Profile.warnings`); a wrong answer to a known question refuses the file."""
    auth.require_role(db_path, user, auth.EDITION)
    questions = known_questions(db_path)
    profiles, problems = [], []
    for data, filename in files:
        try:
            profiles.append(read_profile(data, filename, questions))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        for profile, (_, filename) in zip(profiles, files):
            store.save_profile(con, profile)
            store.record_journal(con, user, "profil", profile.nom, f"profil enregistré (depuis {filename})")
    return profiles


def load_profiles(db_path: Path) -> dict:
    """Every collectivity's profile by name."""
    with store.reading(db_path) as con:
        return store.load_profiles(con)


def collectivite_names(db_path: Path) -> list[str]:
    with store.reading(db_path) as con:
        return store.collectivite_names(con)
