"""Collectivities: their profiles (type, population, answers to the referentials' questions)."""

from __future__ import annotations

from pathlib import Path

from .. import auth, store
from ..errors import InvalidInput
from ..personnalisation.profile import read_profile
from ..referentiel.model import empty_questions
from .referentiels import load_referentiel


def set_collectivites(db_path: Path, files: list[tuple[bytes, str]], referentiel: str = "cae",
                      user: str | None = None) -> list:
    """Validate every profile against the loaded questions, then store them all in one
    transaction (each replaces the collectivity's previous profile)."""
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
