"""Shared fixtures: seeded temporary databases and the path to the official referentials.

Building a database takes seconds, so each kind is built once per test session as a template
and copied (with its upload archive) for every test that asks for one: tests may write freely."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The suite runs on a fixed day, whatever the machine's date (cae_data.clock): set before any
# engine import and inherited by every subprocess (command line, Streamlit server).
SUITE_TODAY = "2026-11-25"
os.environ["PCAET_AUJOURDHUI"] = SUITE_TODAY

from support.shared import REFERENTIELS, missing, shared_path, skip_reason  # noqa: E402

from cae_data import services  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "shared(*paths): needs these paths under ../shared (skipped, with the reason, when absent)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """The one place where a test needing ../shared is skipped when it is absent."""
    needed = [path for marker in item.iter_markers("shared") for path in (marker.args or ("referentiels",))]
    absent = missing(*needed)
    if absent:
        pytest.skip(skip_reason(absent))


def copy_database(template: Path, folder: Path) -> Path:
    """Copy a template database folder (file, WAL if any, uploads/) into `folder`."""
    shutil.copytree(template.parent, folder, dirs_exist_ok=True)
    return folder / template.name


@pytest.fixture(scope="session")
def shared_referentiels() -> Path:
    """`<project>/../shared/referentiels` (ADEME's files, never copied into the project)."""
    shared_path("referentiels/cae")
    return REFERENTIELS


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seeded-template") / "pcaet.duckdb"
    services.init_database(path, demo=True)
    return path


@pytest.fixture
def seeded_db(_seeded_template, tmp_path) -> Path:
    """A fresh copy of `pcaet init` (seeds + demo data): referential of the 3 seed mesures,
    the seed fiche-action, the 5 cooperation tools, the demo collectivity and evaluations."""
    return copy_database(_seeded_template, tmp_path / "seeded")


@pytest.fixture(scope="session")
def _full_template(tmp_path_factory, shared_referentiels) -> Path:
    path = tmp_path_factory.mktemp("full-template") / "pcaet.duckdb"
    services.init_database(path, demo=True)
    services.import_referentiel(
        path, shared_referentiels / "cae",
        personnalisations=shared_referentiels / "personnalisations",
        questions=shared_referentiels / "questions",
    )
    return path


@pytest.fixture
def full_referentiel_db(_full_template, tmp_path) -> Path:
    """`seeded_db` with the official CAE referential imported over the seed one (skipped when
    ../shared/referentiels is absent)."""
    return copy_database(_full_template, tmp_path / "full")


# --- roles (test_auth.py, test_journal.py, test_pages_roles.py, browser/test_roles_browser.py)

ROLE_ACCOUNTS = {  # name: (role, password); admin first: the first account must be an admin
    "admin": ("admin", "admin-secret-1"),
    "claire": ("edition", "claire-secret-1"),
    "elu": ("lecture", "elu-secret-12"),
}


@pytest.fixture
def fast_hashing(monkeypatch):
    """bcrypt at its lowest cost (4) for the tests: a hash keeps its own cost, so checks stay
    real, only cheaper."""
    from cae_data import auth

    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(auth, "_dummy_hash", None)


@pytest.fixture
def role_accounts() -> dict[str, tuple[str, str]]:
    return dict(ROLE_ACCOUNTS)


@pytest.fixture
def accounts_db(seeded_db, fast_hashing) -> Path:
    """`seeded_db` with three accounts: admin (admin), claire (édition), elu (lecture); their
    passwords in `role_accounts`."""
    from cae_data import auth

    for nom, (role, password) in ROLE_ACCOUNTS.items():
        auth.add_account(seeded_db, nom, role, password, by=None if nom == "admin" else "admin")
    return seeded_db
