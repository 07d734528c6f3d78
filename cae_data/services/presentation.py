"""The slide order of the dashboard's presentation mode (docs/comites.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .. import auth, clock
from ..errors import Refused

# The slide order of the dashboard's presentation mode (docs/comites.md), kept per database in
# a small JSON file beside it: `pcaet.duckdb` → `pcaet.presentation.json`. Not in DuckDB on
# purpose: reordering slides during a committee must not lock the database nor change its data
# version (which would make every page recompute its scores).

PRESENTATION_SLIDES = {
    "score": "Score global et étoiles",
    "radar": "Score par catégorie",
    "mesures": "Mesures qui ont bougé",
    "indicateurs": "Indicateurs des fiches-actions",
    "decisions": "Décisions du comité précédent",
}


def presentation_settings_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).stem + ".presentation.json")


def slide_order(db_path: Path) -> list[str]:
    """The saved slide order (keys of PRESENTATION_SLIDES); the default order when nothing is
    saved or the file is unreadable. Unknown or repeated keys in the file are dropped."""
    try:
        saved = json.loads(presentation_settings_path(db_path).read_text(encoding="utf-8")).get("ordre")
    except (OSError, ValueError, AttributeError):
        return list(PRESENTATION_SLIDES)
    if not isinstance(saved, list):
        return list(PRESENTATION_SLIDES)
    order = list(dict.fromkeys(s for s in saved if isinstance(s, str) and s in PRESENTATION_SLIDES))
    return order or list(PRESENTATION_SLIDES)


def save_slide_order(db_path: Path, order: list[str], user: str | None = None) -> list[str]:
    """Save the slides to show, in order (a slide left out is not shown). Refused in French when
    the list is empty, names an unknown slide or repeats one. Written to a temporary file, then
    renamed: a reader never sees half a file."""
    auth.require_role(db_path, user, auth.EDITION)  # not journaled: no database write (docs/securite.md)
    order = [str(s) for s in order]
    if not order:
        raise Refused("Choisissez au moins une diapositive.")
    unknown = [s for s in order if s not in PRESENTATION_SLIDES]
    if unknown:
        raise Refused(f"Diapositive inconnue « {unknown[0]} » (attendu : {', '.join(PRESENTATION_SLIDES)}).")
    repeated = sorted({s for s in order if order.count(s) > 1})
    if repeated:
        raise Refused(f"La diapositive « {PRESENTATION_SLIDES[repeated[0]]} » est choisie deux fois.")
    path = presentation_settings_path(db_path)
    if not path.parent.is_dir():
        raise Refused(f"Dossier de la base introuvable : {path.parent}.")
    document = {"ordre": order, "modifie_le": clock.now().isoformat(timespec="seconds"), "modifie_par": user}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    return order
