"""Fiches-actions (YAML, docs/fiche-action-yaml.md) and the cooperation tools."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import auth, store
from ..archive import archive_upload
from ..errors import InvalidInput, Problem
from ..fiches.cooperation import read_cooperation_intro
from ..fiches.yaml_format import read_fiche_yaml
from ..seeds import OUTILS_MARKER, seed_document
from ..tabular import decode_bytes
from .common import check_size, record_archived
from .referentiels import load_referentiel


def save_fiche_yaml(db_path: Path, data: bytes, filename: str, user: str | None = None,
                    referentiel: str = "cae"):
    """Validate a fiche YAML (all problems at once), check that every measure it serves exists in
    the loaded referential, archive the raw file, then store the fiche in one transaction.
    Returns the stored `fiches.model.FicheAction`. A fiche with the same id is replaced (its
    indicators' values are kept)."""
    auth.require_role(db_path, user, auth.EDITION)
    check_size(data, filename)
    fiche = read_fiche_yaml(data, filename)
    if fiche.mesures:
        ref = load_referentiel(db_path, referentiel)
        known = set() if ref is None else set(ref.nodes["action_id"].astype(str))
        unknown = [m for m in fiche.mesures if m not in known]
        if unknown:
            lines = decode_bytes(data, filename).splitlines()
            raise InvalidInput([
                Problem(filename, next((n for n, content in enumerate(lines, start=1) if action_id in content), None),
                        None, f"mesure « {action_id} » absente du référentiel chargé")
                for action_id in unknown
            ])
    archived = archive_upload(db_path, data, filename)
    with store.writing(db_path) as con:
        auth.require_role(con, user, auth.EDITION)
        replaced = store.fiche_exists(con, fiche.fiche_id)
        upload_id = record_archived(con, db_path, archived, "fiche", 1, user, f"Fiche-action « {fiche.titre} »")
        store.save_fiche(con, fiche, referentiel)
        store.record_journal(con, user, "fiche", fiche.fiche_id,
                             f"fiche « {fiche.titre} » {'remplacée' if replaced else 'créée'}", upload_id=upload_id)
    return fiche


def load_fiches(db_path: Path) -> list:
    """Every fiche-action (`fiches.model.FicheAction`), by title."""
    with store.reading(db_path) as con:
        return store.load_fiches(con)


def fiches_for_mesure(db_path: Path, action_id: str, referentiel: str = "cae") -> pd.DataFrame:
    """fiche_id, titre, etat of the fiches that serve a mesure."""
    with store.reading(db_path) as con:
        return store.fiches_for_mesure(con, action_id, referentiel)


def load_outils(db_path: Path) -> list:
    """The cooperation tools (`fiches.cooperation.OutilCooperation`), in the deck's order."""
    with store.reading(db_path) as con:
        return store.load_outils(con)


def cooperation_intro(seeds_folder: Path) -> str:
    """The cooperation deck's introduction as markdown, read from its seed document (the one
    `init_database` reads the tools from). Not stored in the database: it is fixed text of the
    deck, and the seeds ship with the project."""
    path = seed_document(Path(seeds_folder), OUTILS_MARKER)
    return read_cooperation_intro(path.read_bytes(), path.name)
