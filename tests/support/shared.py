"""Where the tests find `../shared` (ADEME's referentials, the formats' examples), and the one way
a test that needs it is skipped when it is absent: `shared_path()` in code, or the marker
`@pytest.mark.shared("referentiels/cae", ...)` handled in conftest.py. The files are read in
place, never copied into the project. `PCAET_SHARED` points elsewhere (an empty folder simulates
a machine without them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PCAET_SHARED") or PROJECT_ROOT.parent / "shared")
REFERENTIELS = SHARED / "referentiels"
FORMATS = SHARED / "formats"
EXAMPLES = FORMATS / "scoring-examples"


def missing(*relative: str) -> list[str]:
    """The paths under ../shared, among `relative`, that do not exist."""
    return [r for r in relative if not (SHARED / r).exists()]


def skip_reason(absent: list[str]) -> str:
    return "fichiers de ../shared absents : " + ", ".join(f"../shared/{r}" for r in absent)


def shared_path(relative: str) -> Path:
    """`../shared/<relative>`, or skip the calling test with a visible reason."""
    absent = missing(relative)
    if absent:
        pytest.skip(skip_reason(absent))
    return SHARED / relative


def shared_names(relative: str) -> list[str]:
    """Names in a folder of ../shared, for parametrize at collection ([] when absent: the
    test is then marked `shared(relative)` and skipped with its reason)."""
    folder = SHARED / relative
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
