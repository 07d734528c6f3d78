"""Demo data for a fresh installation: the CAPSO collectivity, its evaluations from 03/2024 to
11/2026 (evaluations.py), indicator values since 2021 (indicateurs.py) and weekly committees
(comites.py). Pure data: services/init.py writes it through the same imports as a user's files."""

from .comites import DEMO_COMITES
from .evaluations import (
    DEMO_COLLECTIVITE,
    DEMO_USER,
    EVALUATION_DATES,
    demo_profile_yaml,
    demo_statuses,
    evaluation_csv,
)
from .indicateurs import DEMO_FILENAME, DEMO_TARGETS, demo_csv, demo_values

__all__ = [
    "DEMO_COLLECTIVITE", "DEMO_USER", "EVALUATION_DATES", "demo_profile_yaml", "demo_statuses", "evaluation_csv",
    "DEMO_COMITES", "DEMO_FILENAME", "DEMO_TARGETS", "demo_csv", "demo_values",
]
