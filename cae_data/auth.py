"""Accounts, roles and passwords (docs/securite.md, « Roles, accounts and journal »).

Three roles, each including the one before: *lecture* (élus, the committee screen) reads
everything and writes nothing; *edition* (chargés de mission) imports and edits; *admin* also
manages the accounts. Passwords are hashed with bcrypt (salted, slow on purpose); only the hash
is stored. While no account exists the project is in open mode: every write is allowed, so a
fresh install, CI and the README's first command work without a login. As soon as one account
exists, every write needs a user with the role, checked here by `require_role` inside the
write's own transaction (the dashboard's hidden forms are a convenience, not the protection).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import bcrypt
import pandas as pd

from . import clock, store
from .errors import Refused
from .validation import FORMULA_PREFIXES

LECTURE, EDITION, ADMIN = "lecture", "edition", "admin"
ROLES = (LECTURE, EDITION, ADMIN)
ROLE_LABELS = {LECTURE: "lecture", EDITION: "édition", ADMIN: "admin"}
_RANK = {LECTURE: 0, EDITION: 1, ADMIN: 2}

# Cost 12: about a quarter of a second a hash on this kind of machine, which makes guessing
# slow. Tests lower it (monkeypatch) to keep the suite fast; a hash keeps its own cost, so
# accounts made with another cost still verify.
BCRYPT_ROUNDS = 12
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password is refused, not cut
MAX_NAME_CHARS = 64
_NAME = re.compile(r"^[\w.@-]+$")


class PermissionRefused(Refused):
    """A write (or an account change) by someone without the role it needs."""

    def __init__(self, message: str, user: str | None, needed: str):
        super().__init__(message)
        self.user = user
        self.needed = needed

    def for_command_line(self) -> str:
        """The message of the command line, which names the option that identifies."""
        if self.user is None:
            return ("Cette commande modifie la base : identifiez-vous avec --utilisateur NOM "
                    f"(ou la variable PCAET_UTILISATEUR) — rôle {ROLE_LABELS[self.needed]} requis.")
        return str(self)


@dataclass(frozen=True)
class Account:
    nom: str
    role: str
    created_at: datetime
    updated_at: datetime


# --- passwords ----------------------------------------------------------------------------

def check_new_password(password: str) -> None:
    """Refuse a password too short to resist guessing, or too long for bcrypt."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Refused(f"Mot de passe trop court : {MIN_PASSWORD_CHARS} caractères au moins.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise Refused(f"Mot de passe trop long : {MAX_PASSWORD_BYTES} octets au plus "
                      "(une lettre accentuée en compte deux).")


def hash_password(password: str) -> str:
    check_new_password(password)
    return bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_password_bytes(password), password_hash.encode("ascii"))
    except ValueError:  # a damaged hash or a password bcrypt cannot take: not a match
        return False


def _password_bytes(password: str) -> bytes:
    # The same text typed on two systems may come composed or decomposed (é vs e + ´).
    return unicodedata.normalize("NFC", password).encode("utf-8")


# An unknown name (or an account whose stored hash is damaged) is checked against a decoy so
# that it takes as long as a wrong password: the answer time does not tell which names exist.
# bcrypt's cost is in the hash's prefix (`$2b$12$`) and checking a password against any
# well-formed hash costs that much, so the decoy is only text: the prefix of the accounts' own
# hashes (the most frequent one in the database; BCRYPT_ROUNDS when there is none) and a fixed
# salt and digest. Making it costs nothing, so the first unknown name of a process is not slower
# (it used to hash a decoy first: 0.24 s more, issue 17). The decoy never lets anyone in: the
# answer for an unknown name is None whatever the check says.
_BCRYPT_PREFIX = re.compile(r"\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$")
_BCRYPT_HASH = re.compile(r"\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}")
_dummy_hash: str | None = None  # the last decoy made (tests reset it to None, as in a new process)


def is_bcrypt_hash(text: str | None) -> bool:
    """Whether `text` is shaped like a bcrypt hash (what `hash_password` stores)."""
    return bool(_BCRYPT_HASH.fullmatch(text or ""))


def _decoy_hash(prefix: str | None) -> str:
    global _dummy_hash
    if prefix is None or not _BCRYPT_PREFIX.fullmatch(prefix):
        prefix = f"$2b${BCRYPT_ROUNDS:02d}$"
    if _dummy_hash is None or not _dummy_hash.startswith(prefix):
        _dummy_hash = prefix + "." * 53  # 22 characters of salt, 31 of digest
    return _dummy_hash


# --- names and roles ----------------------------------------------------------------------

def check_name(nom: str) -> str:
    nom = unicodedata.normalize("NFC", (nom or "").strip())
    if not nom:
        raise Refused("Nom d'utilisateur vide.")
    if nom.startswith(FORMULA_PREFIXES):  # a name opened by a spreadsheet must not run as a formula
        raise Refused(f"Nom d'utilisateur « {nom[:MAX_NAME_CHARS]} » refusé : il ne peut pas commencer par "
                      f"{', '.join('« ' + p + ' »' for p in FORMULA_PREFIXES)}.")
    if len(nom) > MAX_NAME_CHARS or not _NAME.match(nom):
        raise Refused(f"Nom d'utilisateur « {nom[:MAX_NAME_CHARS]} » refusé : lettres, chiffres, « . », « _ », "
                      f"« - » et « @ » seulement, sans espace, {MAX_NAME_CHARS} caractères au plus.")
    return nom


def check_role(role: str) -> str:
    if role not in ROLES:
        raise Refused(f"Rôle inconnu « {role} » (attendu : {', '.join(ROLES)}).")
    return role


def has_role(role: str | None, needed: str) -> bool:
    """Whether `role` allows what `needed` allows (admin ⊇ édition ⊇ lecture)."""
    return role in _RANK and _RANK[role] >= _RANK[check_role(needed)]


# --- reads (a connection or a database path) ----------------------------------------------

@contextmanager
def _source(source: store.Connection | Path) -> Iterator[store.Connection | None]:
    """The given connection, or a short read-only one on the path (None when the database does
    not exist yet, or predates the accounts table: no account, open mode)."""
    if isinstance(source, store.Connection):
        yield source if store.comptes_table_exists(source) else None
        return
    path = Path(source)
    if not path.exists():
        yield None
        return
    with store.reading(path) as con:
        yield con if store.comptes_table_exists(con) else None


def accounts_exist(source: store.Connection | Path) -> bool:
    """False in open mode (no account at all): then every write is allowed."""
    with _source(source) as con:
        return con is not None and store.count_comptes(con) > 0


def role_of(source: store.Connection | Path, nom: str | None) -> str | None:
    if nom is None:
        return None
    with _source(source) as con:
        return None if con is None else store.compte_role(con, nom)


def require_role(source: store.Connection | Path, user: str | None, needed: str = EDITION) -> None:
    """Refuse (PermissionRefused, in French) unless the project is in open mode or `user` is an
    account with the role `needed` or a higher one. Called inside each write's transaction."""
    check_role(needed)
    with _source(source) as con:
        if con is None or store.count_comptes(con) == 0:
            return
        role = None if user is None else store.compte_role(con, user)
    label = ROLE_LABELS[needed]
    if user is None:
        raise PermissionRefused(f"Cette opération modifie la base : connectez-vous avec un compte de rôle "
                                f"{label}.", None, needed)
    if role is None:
        raise PermissionRefused(f"Aucun compte « {user} » : cette opération demande un compte de rôle {label}.",
                                user, needed)
    if not has_role(role, needed):
        raise PermissionRefused(f"Le compte « {user} » a le rôle {ROLE_LABELS.get(role, role)} : cette "
                                f"opération demande le rôle {label}.", user, needed)


def list_accounts(db_path: Path) -> pd.DataFrame:
    """Every account by name: nom, role, created_at, updated_at (never the hash)."""
    with _source(db_path) as con:
        return pd.DataFrame(columns=store.COMPTE_COLUMNS) if con is None else store.comptes_table(con)


def authenticate(db_path: Path, nom: str, password: str) -> Account | None:
    """The account when the name and password match, else None. A known name and an unknown one
    take the same time: one bcrypt check each, at the cost of the stored hashes."""
    row, prefix = None, None
    with _source(db_path) as con:
        if con is not None:
            row = store.compte_row(con, unicodedata.normalize("NFC", (nom or "").strip()))
            prefix = store.usual_hash_prefix(con)
    stored = row[2] if row is not None and is_bcrypt_hash(row[2]) else None
    matches = check_password(password, stored if stored is not None else _decoy_hash(prefix))
    if stored is None or not matches:
        return None
    return Account(row[0], row[1], row[3], row[4])


# --- account management (admin) -----------------------------------------------------------

def _existing_role(con: store.Connection, nom: str) -> str:
    role = store.compte_role(con, nom)
    if role is None:
        raise Refused(f"Aucun compte « {nom} ».")
    return role


def add_account(db_path: Path, nom: str, role: str, password: str, by: str | None = None) -> Account:
    """Create an account (admin only; anyone in open mode). The first account must be an
    admin: otherwise nobody could manage the accounts afterwards."""
    nom, role = check_name(nom), check_role(role)
    require_role(db_path, by, ADMIN)
    password_hash = hash_password(password)  # slow: outside the write lock
    now = clock.now()
    with store.writing(db_path) as con:
        require_role(con, by, ADMIN)
        if store.compte_role(con, nom) is not None:
            raise Refused(f"Le compte « {nom} » existe déjà (changez son rôle avec pcaet utilisateur role).")
        if role != ADMIN and store.count_comptes(con) == 0:
            raise Refused("Le premier compte doit avoir le rôle admin : c'est lui qui crée et gère les autres "
                          f"(pcaet utilisateur add {nom} --role admin).")
        store.insert_compte(con, nom, role, password_hash, now)
        store.record_journal(con, by, "compte", nom, f"compte créé, rôle {ROLE_LABELS[role]}")
    return Account(nom, role, now, now)


def remove_account(db_path: Path, nom: str, by: str | None = None) -> None:
    """Delete an account (admin only). The last admin stays while other accounts exist;
    removing the very last account brings the project back to open mode."""
    require_role(db_path, by, ADMIN)
    with store.writing(db_path) as con:
        require_role(con, by, ADMIN)
        role = _existing_role(con, nom)
        others = store.count_comptes(con, without=nom)
        if role == ADMIN and others and not store.count_comptes(con, role=ADMIN, without=nom):
            raise Refused(f"« {nom} » est le dernier compte admin : donnez d'abord le rôle admin à un autre compte.")
        store.delete_compte(con, nom)
        store.record_journal(con, by, "compte", nom, "compte supprimé"
                             + ("" if others else " ; plus aucun compte : mode ouvert"))


def set_role(db_path: Path, nom: str, role: str, by: str | None = None) -> bool:
    """Change an account's role (admin only); False when it already had it (nothing written)."""
    role = check_role(role)
    require_role(db_path, by, ADMIN)
    changed = False
    with store.writing(db_path) as con:
        require_role(con, by, ADMIN)
        before = _existing_role(con, nom)
        if before == role:  # nothing to write: no journal line, no new data version
            raise store.NoChange
        if before == ADMIN and not store.count_comptes(con, role=ADMIN, without=nom):
            raise Refused(f"« {nom} » est le dernier compte admin : donnez d'abord le rôle admin à un autre compte.")
        store.update_compte_role(con, nom, role, clock.now())
        store.record_journal(con, by, "compte", nom, f"rôle {ROLE_LABELS[before]} → {ROLE_LABELS[role]}")
        changed = True
    return changed


def set_password(db_path: Path, nom: str, password: str, by: str | None = None) -> None:
    """Replace an account's password: by an admin, or by the account itself."""
    if by != nom or by is None:
        require_role(db_path, by, ADMIN)
    password_hash = hash_password(password)
    with store.writing(db_path) as con:
        if by != nom or by is None:
            require_role(con, by, ADMIN)
        _existing_role(con, nom)
        store.update_compte_password(con, nom, password_hash, clock.now())
        store.record_journal(con, by, "compte", nom, "mot de passe changé")
