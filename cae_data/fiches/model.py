"""Fiches-actions of a PCAET: the plan's actions, their sous-actions, steering, indicators and
the CAE measures they serve. Both readers (seed PDF text, hand-written YAML) produce this model.

`source_file` / `source_line` fields are excluded from `==` so that a fiche read from its seed
and the same fiche read back from YAML compare equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ProblemCollector
from ..tabular import strip_accents

# Canonical spellings; readers accept case and accent variants (see `canonical_etat`).
ETATS = ("À développer", "En cours", "Réalisé", "Reporté", "Abandonné")
# The six impact checkboxes of the fiche template, accents restored on capitals ("Énergie").
IMPACTS = ("Atténuation", "Adaptation", "GES", "Énergie", "Qualité de l'air", "Stockage carbone")
# "hausse": the higher the value, the better; "baisse": the lower, the better.
SENS = ("hausse", "baisse")

# Small words left out of generated identifiers.
STOPWORDS = frozenset(
    "a au aux avec d dans de des du en entre et l la le les ou par pour sa se ses son sur un une".split()
)
# A measure id: numeric first segment and at least two segments (6.1.1, 6.10, 1.1.1alter).
MESURE_ID_RE = re.compile(r"^\d+(\.[0-9A-Za-z_]+)+$")


def _key(text: str) -> str:
    """Comparison key: no accents, no case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


def _etat_aliases() -> dict[str, str]:
    aliases = {_key(etat): etat for etat in ETATS}
    # Feminine forms, as in « action réalisée ».
    for etat in ("Réalisé", "Reporté", "Abandonné"):
        aliases[_key(etat) + "e"] = etat
    return aliases


_ETAT_ALIASES = _etat_aliases()
_IMPACT_ALIASES = {_key(label): label for label in IMPACTS}


def canonical_etat(text: str) -> str | None:
    """« A développer », « a developper », « RÉALISÉE » → canonical spelling; None if unknown."""
    return _ETAT_ALIASES.get(_key(text))


def canonical_impact(text: str) -> str | None:
    """« Energie » → « Énergie »; None if the label is not one of IMPACTS."""
    return _IMPACT_ALIASES.get(_key(text))


def canonical_sens(text: str) -> str | None:
    key = _key(text)
    return key if key in SENS else None


def slugify(text: str) -> str:
    """Identifier from a title: lowercase ASCII words joined by '-', small words dropped."""
    words = re.split(r"[^a-z0-9]+", strip_accents(text).lower())
    kept = [w for w in words if w and w not in STOPWORDS]
    return "-".join(kept) or "fiche"


def guess_unite(nom: str) -> str:
    """Unit implied by an indicator's first word: « Nombre de … » counts, « Part / Taux … » are %."""
    first = _key(nom.split(" ", 1)[0].split("'")[0]) if nom.strip() else ""
    if first == "nombre":
        return "nombre"
    if first in ("part", "taux", "pourcentage", "proportion"):
        return "%"
    return ""


@dataclass
class Impact:
    libelle: str
    coche: bool = False


@dataclass
class SousAction:
    numero: int
    descriptif: str
    public_cible: str = ""
    etat: str | None = None
    annee_debut: int | None = None
    annee_fin: int | None = None
    source_line: int | None = field(default=None, compare=False)


@dataclass
class Pilotage:
    maitre_ouvrage: str = ""
    partenaires: str = ""


@dataclass
class Moyens:
    # The template's row « Partenaires et dispositif financier ».
    partenaires_financiers: str = ""


@dataclass
class Indicateur:
    indicateur_id: str
    nom: str
    unite: str = ""
    sens: str = "hausse"
    cibles: dict[int, float] = field(default_factory=dict)
    source: str = ""
    description: str = ""
    source_line: int | None = field(default=None, compare=False)
    # the label's indicators this one measures (« te_6 », « cae_18 »), read by the score indicatif
    identifiants_referentiel: list[str] = field(default_factory=list)
    limite: float | None = None  # a threshold the label's formulas may read (limite(te_6))


@dataclass
class FicheAction:
    fiche_id: str
    titre: str
    collectivite: str = ""
    axe: str = ""
    orientation: str = ""
    enjeux: str = ""
    objectifs: str = ""
    impacts: list[Impact] = field(default_factory=lambda: [Impact(label) for label in IMPACTS])
    sous_actions: list[SousAction] = field(default_factory=list)
    pilotage: Pilotage = field(default_factory=Pilotage)
    moyens: Moyens = field(default_factory=Moyens)
    indicateurs: list[Indicateur] = field(default_factory=list)
    mesures: list[str] = field(default_factory=list)
    etat: str | None = None
    annee_debut: int | None = None
    annee_fin: int | None = None
    source_file: str = field(default="", compare=False)
    source_line: int | None = field(default=None, compare=False)

    @property
    def impacts_coches(self) -> list[str]:
        return [impact.libelle for impact in self.impacts if impact.coche]

    def indicateur(self, indicateur_id: str) -> Indicateur:
        for indicateur in self.indicateurs:
            if indicateur.indicateur_id == indicateur_id:
                return indicateur
        raise KeyError(indicateur_id)


def impacts_from(checked: set[str]) -> list[Impact]:
    """All template impacts in canonical order, ticked when their label is in `checked`."""
    return [Impact(label, label in checked) for label in IMPACTS]


def derive_etat(sous_actions: list[SousAction]) -> str | None:
    """State of a fiche from its sous-actions' states, when the fiche states none.

    Abandoned sous-actions are ignored unless all are abandoned. Then: all done → « Réalisé »;
    any in progress, or done mixed with not done → « En cours »; any still to develop →
    « À développer »; otherwise (only postponed) → « Reporté ». No state at all → None."""
    etats = [sa.etat for sa in sous_actions if sa.etat]
    if not etats:
        return None
    alive = {e for e in etats if e != "Abandonné"}
    if not alive:
        return "Abandonné"
    if alive == {"Réalisé"}:
        return "Réalisé"
    if "En cours" in alive or "Réalisé" in alive:
        return "En cours"
    if "À développer" in alive:
        return "À développer"
    return "Reporté"


def derive_periode(sous_actions: list[SousAction]) -> tuple[int | None, int | None]:
    """Earliest start and latest end of the sous-actions' calendars."""
    debuts = [sa.annee_debut for sa in sous_actions if sa.annee_debut is not None]
    fins = [sa.annee_fin for sa in sous_actions if sa.annee_fin is not None]
    return (min(debuts) if debuts else None, max(fins) if fins else None)


def default_fiche_id(collectivite: str, titre: str) -> str:
    return slugify(f"{collectivite} {titre}" if collectivite else titre)


def unique_ids(names: list[str]) -> list[str]:
    """Slugs of indicator names, with -2, -3… on repeats so every id is distinct."""
    used: set[str] = set()
    ids = []
    for name in names:
        base = candidate = slugify(name)
        suffix = 2
        while candidate in used:
            candidate = f"{base}-{suffix}"
            suffix += 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def raise_sorted(problems: ProblemCollector) -> None:
    """Raise every problem at once, in file order (line, then column)."""
    problems.problems.sort(key=lambda p: (p.line or 0, p.column if isinstance(p.column, int) else 0))
    problems.raise_if_any()
