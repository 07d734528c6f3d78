"""The seed documents shipped in `seeds/` (the built-in default data): where they are and how
each one is recognised."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InvalidInput

# What tells each seed document apart (its file names are opaque).
FICHE_MARKER = "Indicateurs de suivi"
OUTILS_MARKER = "déclencheurs"


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    """`seeds/` of the project, or `PCAET_SEEDS`."""
    env = os.environ.get("PCAET_SEEDS")
    return Path(env) if env else project_root() / "seeds"


def seed_document(folder: Path, marker: str) -> Path:
    """The seed file that contains `marker`."""
    for path in sorted(Path(folder).glob("*.txt")) + sorted(Path(folder).glob("*.md")):
        if marker in path.read_text(encoding="utf-8", errors="replace"):
            return path
    raise InvalidInput.single(str(folder), None, None,
                              f"document de départ introuvable (aucun fichier ne contient « {marker} »)")
