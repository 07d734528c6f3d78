"""« Passer à Climat Ressources »: projecting a collectivity's CAE (and ECI) evaluation onto the
2026 merged referential (TE), as the official platform does when a collectivity switches
(../shared/formats/referentiel-te.md § Switching). Pure, set-based; see docs/bascule.md.

- avancement.py: how far each origin node is done, counted on its tâches (the platform's rule);
- projection.py: the TE points of every node (`projeter`), and the statuses the switch writes;
- synthese.py: what the page shows (summary, per-node table with reasons, new mesures,
  questions left, radar frames);
- xlsx.py: the table as a workbook."""

from .avancement import AVANCEMENT_COLUMNS, avancement_taches
from .projection import CIBLE_COLUMNS, ORIGINE_COLUMNS, Projection, SourceOrigine, projeter
from .synthese import RAISONS, Bascule, synthese

__all__ = [
    "AVANCEMENT_COLUMNS", "avancement_taches", "CIBLE_COLUMNS", "ORIGINE_COLUMNS", "Projection", "SourceOrigine",
    "projeter", "RAISONS", "Bascule", "synthese",
]
