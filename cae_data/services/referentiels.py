"""Referentials: import from a markdown folder or a CSV structure file, and read back."""

from __future__ import annotations

from pathlib import Path

from .. import auth, store
from ..errors import InvalidInput
from ..personnalisation.rules import parse_rules
from ..referentiel.loader import read_referentiel
from ..referentiel.model import Referentiel


def import_referentiel(db_path: Path, path: Path, nom: str | None = None,
                       personnalisations: Path | None = None, questions: Path | None = None,
                       user: str | None = None) -> Referentiel:
    auth.require_role(db_path, user, auth.EDITION)
    if not Path(path).exists():
        raise InvalidInput.single(str(path), None, None, "fichier ou dossier introuvable")
    ref = read_referentiel(Path(path), nom=nom, personnalisations=personnalisations, questions=questions)
    parse_rules(ref.rules)  # a rule that does not parse refuses the whole referential
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        store.save_referentiel(con, ref)
        counts = ref.nodes["niveau"].value_counts()
        store.record_journal(con, user, "referentiel", ref.nom,
                             f"{counts.get('mesure', 0)} mesures, {len(ref.nodes)} nœuds, {len(ref.rules)} règles, "
                             f"{len(ref.questions)} questions (depuis {Path(path).name})")
    return ref


def load_referentiel(db_path: Path, nom: str = "cae") -> Referentiel | None:
    with store.reading(db_path) as con:
        return store.load_referentiel(con, nom)


def referentiel_names(db_path: Path) -> list[str]:
    with store.reading(db_path) as con:
        return store.referentiel_names(con)
