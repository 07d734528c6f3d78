"""The accounts as the dashboard reads them: who may sign in, with which role (docs/securite.md).
Account management (add, remove, set a role or a password) is the command line's, in auth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import auth
from ..auth import ADMIN, EDITION, LECTURE, ROLE_LABELS, ROLES, Account, has_role


def list_accounts(db_path: Path) -> pd.DataFrame:
    """Every account by name: nom, role, created_at, updated_at (empty without database)."""
    if not Path(db_path).exists():
        return pd.DataFrame(columns=["nom", "role", "created_at", "updated_at"])
    return auth.list_accounts(Path(db_path))


def authenticate(db_path: Path, nom: str, password: str) -> Account | None:
    """The account when the name and password match, else None (also without database)."""
    if not Path(db_path).exists():
        return None
    return auth.authenticate(Path(db_path), nom, password)


__all__ = ["ADMIN", "EDITION", "LECTURE", "ROLE_LABELS", "ROLES", "Account", "authenticate", "has_role",
           "list_accounts"]
