"""Status codes of an evaluation and the spellings users and the official platform write.

Codes are what the database stores; labels are what a French user reads and writes."""

from __future__ import annotations

import re

import pandas as pd

from ..tabular import strip_accents

FAIT, PROGRAMME, PAS_FAIT = "fait", "programme", "pas_fait"
DETAILLE, NON_CONCERNE, NON_RENSEIGNE = "detaille", "non_concerne", "non_renseigne"
STATUTS = (FAIT, PROGRAMME, PAS_FAIT, DETAILLE, NON_CONCERNE, NON_RENSEIGNE)

# Display order of the labels (the order of evaluation-csv.md).
LABELS = {
    FAIT: "fait",
    PROGRAMME: "programmé",
    PAS_FAIT: "pas fait",
    NON_CONCERNE: "non concerné",
    NON_RENSEIGNE: "non renseigné",
    DETAILLE: "détaillé",
}
EXPECTED_TEXT = ", ".join(LABELS.values())

# Markers used by the official platform's exports only (never stored).
TET_DETAILLE_TACHE = "detaille_a_la_tache"  # the tâches carry the statuses: no row for the node
TET_INDISPONIBLE = "non_disponible"  # snapshot saved without details: no row

_SPELLINGS = {
    "fait": FAIT,
    "programme": PROGRAMME,
    "pas fait": PAS_FAIT,
    "non concerne": NON_CONCERNE,
    "non renseigne": NON_RENSEIGNE,
    "detaille": DETAILLE,
    "detaille au %": DETAILLE,
    "detaille au pourcentage": DETAILLE,
}
_TET_SPELLINGS = {
    **_SPELLINGS,
    "detaille a la tache": TET_DETAILLE_TACHE,
    "non disponible": TET_INDISPONIBLE,
}
_SPACES = re.compile(r"[\s_\-]+")


def status_key(text: str) -> str:
    """`Programmé`, `PROGRAMME`, `programme` → `programme`; `PAS_FAIT`, `pas-fait` → `pas fait`."""
    text = strip_accents(str(text)).lower().replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip()


def normalize_statut(text: str, *, tet: bool = False) -> str | None:
    """The code of one spelling, or None when it is not a status."""
    return (_TET_SPELLINGS if tet else _SPELLINGS).get(status_key(text))


def normalize_statuts(values: pd.Series, *, tet: bool = False) -> pd.Series:
    """Vectorised `normalize_statut`: every distinct spelling is looked up once."""
    uniques = values.unique()
    mapping = {v: normalize_statut(v, tet=tet) for v in uniques}
    return values.map(mapping)


def label(code: str) -> str:
    return LABELS.get(code, code)
