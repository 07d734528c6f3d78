"""A restore trusts nothing it has not checked (issue 17, item 4; cae_data/sauvegarde.py,
docs/securite.md « Backups »): the backup's database is opened in a scratch copy, its schema
compared table by table and column by column with the one the migrations build, every table
read whole, its row counts compared with the manifest, its accounts listed before the swap, and
an optional HMAC signature (PCAET_CLE_SAUVEGARDE) refuses an edited backup. Anything refused
leaves the live database byte-identical.

The hostile backups are made as an adversary would: edit `base.duckdb`, then write its true
sha256 and size (and, when said, the new row counts) into `manifest.json`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cae_data import auth, services, store
from cae_data import sauvegarde as backup_module
from cae_data.cli.sauvegarde import restauration as restauration_command
from cae_data.cli.sauvegarde import sauvegarde as sauvegarde_command
from cae_data.errors import InvalidInput, Refused
from cae_data.sauvegarde import BackupAccount, inspecter, restauration, sauvegarde

KEY = "une-clé-de-test-assez-longue-42"
OTHER_KEY = "une-autre-clé-de-test-longue-43"
ADMIN = ("admin", "admin-secret-1")  # tests/conftest.py ROLE_ACCOUNTS

# Schema 5 as written by hand from the migrations of cae_data/store/schema.py: the 19 tables and the three
# sequences (upload_ids, comite_ids, journal_ids).
SCHEMA_5_TABLES = sorted([
    "meta", "referentiels", "referentiel_nodes", "personnalisation_rules", "questions", "collectivites",
    "uploads", "evaluations", "evaluation_statuses", "fiches", "fiche_mesures", "indicateurs",
    "indicateur_cibles", "indicateur_valeurs", "outils_cooperation",  # migration 0 -> 1: 15 tables
    "comites",  # 1 -> 2
    "utilisateurs", "journal",  # 2 -> 3
    "referentiel_origines",  # 3 -> 4 (4 -> 5 adds columns only)
])
SCHEMA_5_SEQUENCES = ["comite_ids", "journal_ids", "upload_ids"]


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_state(db_path: Path) -> tuple[str, list[str]]:
    """The live database's bytes (sha256) and the files beside it: a refusal changes neither."""
    return file_sha(db_path), sorted(p.name for p in db_path.parent.iterdir())


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def table_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def reseal(folder: Path, recount: bool = True) -> dict:
    """What an adversary does after editing base.duckdb: the manifest gets the file's true sha256
    and size and, with `recount`, the edited database's row counts. The signature (if any) is
    left as it was: without the key it cannot be recomputed."""
    manifest = read_manifest(folder)
    base = folder / "base.duckdb"
    for entry in manifest["files"]:
        if entry["path"] == "base.duckdb":
            entry["sha256"], entry["size"] = file_sha(base), base.stat().st_size
    if recount:
        manifest["tables"] = table_counts(base)
    write_manifest(folder, manifest)
    return manifest


def edit_backup(folder: Path, *statements: str, recount: bool = True) -> dict:
    con = duckdb.connect(str(folder / "base.duckdb"))
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return reseal(folder, recount)


def messages(refused: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in refused.value.problems]


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("PCAET_CLE_SAUVEGARDE", KEY)
    return KEY


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv("PCAET_CLE_SAUVEGARDE", raising=False)


@pytest.fixture
def backup(seeded_db, tmp_path, no_key) -> tuple[Path, Path]:
    folder = tmp_path / "s"
    sauvegarde(seeded_db, folder)
    return seeded_db, folder


# --- the two cases -----------------------------------------------------------------

def test_a_meta_only_database_with_its_true_sha256_is_refused(backup):
    """Issue 17: a DuckDB holding only `meta`, with its true sha256 and size, passed every check,
    was swapped in, and every command crashed afterwards."""
    db_path, folder = backup
    base = folder / "base.duckdb"
    base.unlink()
    con = duckdb.connect(str(base))
    con.execute("CREATE TABLE meta (schema_version INTEGER NOT NULL, data_version BIGINT NOT NULL DEFAULT 0, "
                "updated_at TIMESTAMP)")
    con.execute("INSERT INTO meta VALUES (5, 1, now())")
    con.close()
    assert reseal(folder)["tables"] == {"meta": 1}  # the manifest agrees with the file in every way
    before = live_state(db_path)

    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    expected = [f"base.duckdb::: table « {t} » absente de la base sauvegardée (schéma 5)"
                for t in SCHEMA_5_TABLES if t != "meta"]
    expected += [f"base.duckdb::: séquence « {s} » absente de la base sauvegardée (schéma 5)"
                 for s in SCHEMA_5_SEQUENCES]
    assert messages(refused) == expected  # 18 tables + 3 sequences, every one named
    assert live_state(db_path) == before  # byte-identical, no scratch file left beside it


def test_an_injected_admin_with_a_recomputed_manifest_is_refused_with_a_key(seeded_db, tmp_path, key):
    folder = tmp_path / "s"
    assert sauvegarde(seeded_db, folder).manifest.signature is not None
    forged_hash = "$2b$04$" + "a" * 53  # shaped like bcrypt: only its place in the file matters here
    manifest = edit_backup(folder, f"INSERT INTO utilisateurs VALUES ('intrus', 'admin', '{forged_hash}', now(), now())")
    assert manifest["tables"]["utilisateurs"] == 1  # the counts say the same as the file
    before = live_state(seeded_db)

    with pytest.raises(InvalidInput) as refused:
        restauration(seeded_db, folder)
    assert messages(refused) == [
        "manifest.json::: signature invalide : le manifeste ou la base ont été modifiés après la sauvegarde, "
        "ou la sauvegarde a été signée avec une autre clé"]
    assert live_state(seeded_db) == before

    # Removing the signature does not help: with a key set, an unsigned backup is refused.
    manifest.pop("signature")
    write_manifest(folder, manifest)
    with pytest.raises(InvalidInput) as refused:
        restauration(seeded_db, folder)
    assert messages(refused) == [
        "manifest.json::: sauvegarde non signée : la clé PCAET_CLE_SAUVEGARDE est définie, seule une sauvegarde "
        "signée avec elle est restaurée"]
    assert live_state(seeded_db) == before


def test_without_a_key_an_injected_admin_is_shown_and_a_count_not_recomputed_is_refused(backup):
    """Without a key nobody can tell an edit made with care (counts recomputed) from a real
    backup: the restore says the backup is not signed and lists its accounts, the injected one
    flagged as absent from the backup's journal. An edit whose counts were not recomputed is
    refused, naming the table."""
    db_path, folder = backup
    forged = "$2b$04$" + "a" * 53
    edit_backup(folder, f"INSERT INTO utilisateurs VALUES ('intrus', 'admin', '{forged}', now(), now())",
                recount=False)
    before = live_state(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    # The demo database has no account: 0 in the manifest, 1 in the edited file.
    assert messages(refused) == ["manifest.json::: table « utilisateurs » : 1 ligne(s) dans la base, 0 selon "
                                 "le manifeste"]
    assert live_state(db_path) == before

    reseal(folder, recount=True)
    shown: list = []
    result = restauration(db_path, folder, on_checked=lambda checked: shown.append(
        (checked.signature, list(checked.accounts), file_sha(db_path) == before[0])))
    # Shown before the swap (the live file was still the old one then, byte for byte).
    assert shown == [("absente", [BackupAccount("intrus", "admin", in_journal=False)], True)]
    assert result.checked.signature == "absente"
    assert auth.role_of(db_path, "intrus") == "admin"


# --- structure, counts, integrity ----------------------------------------------------------

def test_a_backup_with_a_missing_column_or_a_changed_type_is_refused(backup):
    db_path, folder = backup
    edit_backup(folder,
                "ALTER TABLE evaluation_statuses DROP COLUMN commentaire",
                "ALTER TABLE indicateur_valeurs ALTER COLUMN valeur TYPE VARCHAR",
                "ALTER TABLE fiches ADD COLUMN extra INTEGER",
                "CREATE VIEW espion AS SELECT * FROM utilisateurs")
    before = live_state(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert messages(refused) == [
        "base.duckdb::: table « evaluation_statuses » : colonne « commentaire » absente (schéma 5)",
        "base.duckdb::: table « fiches » : colonne « extra » inattendue (schéma 5)",
        "base.duckdb::: table « indicateur_valeurs » : colonne « valeur » de type VARCHAR au lieu de DOUBLE",
        "base.duckdb::: vue « espion » inattendue (inconnue du schéma 5)",
    ]
    assert live_state(db_path) == before


def test_a_backup_whose_constraints_differ_is_refused(backup):
    """Same columns, but the primary key of `utilisateurs` gone (two accounts of one name could
    then exist) and a NOT NULL dropped: the definition differs, named."""
    db_path, folder = backup
    edit_backup(folder,
                "CREATE TABLE u2 AS SELECT * FROM utilisateurs", "DROP TABLE utilisateurs",
                "CREATE TABLE utilisateurs (nom VARCHAR, role VARCHAR NOT NULL, password_hash VARCHAR NOT NULL, "
                "created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)",
                "DROP TABLE u2")
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert messages(refused) == [
        "base.duckdb::: table « utilisateurs » : colonne « nom » : valeurs vides permises, le schéma 5 les interdit",
        "base.duckdb::: table « utilisateurs » : contrainte PRIMARY KEY(nom) absente",
    ]


def test_a_backup_with_a_wrong_row_count_is_refused(backup):
    db_path, folder = backup
    manifest = read_manifest(folder)
    with store.reading(db_path) as con:  # the demo's evaluations, read apart from the code under test
        evaluations = con.execute("SELECT count(*) FROM evaluations").fetchone()[0]
    assert manifest["tables"]["evaluations"] == evaluations == 8  # README: eight demo evaluations
    manifest["tables"]["evaluations"] = 9
    manifest["tables"]["ajoutee"] = 3
    del manifest["tables"]["journal"]
    write_manifest(folder, manifest)  # base.duckdb untouched: its sha256 still matches
    before = live_state(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert messages(refused) == [
        "manifest.json::: table « ajoutee » listée dans le manifeste mais absente de la base",
        "manifest.json::: table « evaluations » : 8 ligne(s) dans la base, 9 selon le manifeste",
        "manifest.json::: table « journal » absente du manifeste",
    ]
    assert live_state(db_path) == before


def test_a_damaged_block_is_found_by_reading_every_table(backup):
    """A byte flipped in the block holding `journal` (damage before the backup's sha256 was
    taken): DuckDB opens the file, only reading the table finds it."""
    db_path, folder = backup
    base = folder / "base.duckdb"
    con = duckdb.connect(str(base), read_only=True)
    block = con.execute("SELECT min(block_id) FROM pragma_storage_info('journal') WHERE block_id >= 0").fetchone()[0]
    con.close()
    offset = 3 * 4096 + block * 262144 + 100  # three 4 KiB headers, then 256 KiB blocks (DuckDB's layout)
    data = bytearray(base.read_bytes())
    data[offset] ^= 0x01
    base.write_bytes(bytes(data))
    reseal(folder, recount=False)
    before = live_state(db_path)
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert len(refused.value.problems) == 1
    assert str(refused.value).startswith("base.duckdb::: table « journal » illisible, fichier abîmé : ")
    assert live_state(db_path) == before


def test_a_sequence_behind_its_table_and_bad_accounts_are_refused(backup):
    """Rows written around the sequence (the next import would fail on its key), an account with
    an unknown role, one whose hash is no bcrypt hash, and no admin among the accounts."""
    db_path, folder = backup
    edit_backup(
        folder,
        "INSERT INTO uploads VALUES (1000, 'evaluation', 'x.csv', 'ab', 'uploads/ab/x', 1, 1, now(), NULL, NULL)",
        "INSERT INTO utilisateurs VALUES ('chef', 'superadmin', '$2b$04$" + "a" * 53 + "', now(), now())",
        "INSERT INTO utilisateurs VALUES ('claire', 'edition', 'motdepasse', now(), now())",
    )
    with store.reading(db_path) as con:
        uploads = con.execute("SELECT count(*), max(upload_id) FROM uploads").fetchone()
    assert uploads[0] == uploads[1]  # ids 1..n, so the sequence's next value is n + 1
    with pytest.raises(InvalidInput) as refused:
        restauration(db_path, folder)
    assert messages(refused) == [
        f"base.duckdb::: séquence « upload_ids » en retard sur la table « uploads » : prochaine valeur "
        f"{uploads[1] + 1}, mais « upload_id » va déjà jusqu'à 1000",
        "base.duckdb::: compte « chef » : rôle « superadmin » inconnu (attendu : lecture, edition, admin)",
        "base.duckdb::: compte « claire » : empreinte de mot de passe invalide (bcrypt attendu)",
        "base.duckdb::: aucun compte admin parmi les 2 comptes : personne ne pourrait gérer les comptes",
    ]


def test_a_backup_of_an_older_schema_is_checked_against_that_schema(tmp_path, no_key):
    """A schema-2 backup (before accounts) is compared with what migrations 0 -> 2 build, then
    migrated; a schema-2 backup holding a table of schema 3 is refused."""
    def v2_database(path: Path, extra: str | None = None) -> None:
        con = duckdb.connect(str(path))
        for migration in store.MIGRATIONS[:2]:
            con.execute(migration)
        con.execute("INSERT INTO meta VALUES (2, 5, now())")
        con.execute("INSERT INTO collectivites (nom, reponses, updated_at) VALUES ('CAPSO', '{}', now())")
        if extra:
            con.execute(extra)
        con.close()

    for name, extra in (("ok", None), ("intrus", "CREATE TABLE utilisateurs (nom VARCHAR, role VARCHAR)")):
        source = tmp_path / name / "v2.duckdb"
        source.parent.mkdir()
        v2_database(source, extra)
        # The backup of a schema-2 file copies it as it is (a read never migrates).
        sauvegarde(source, tmp_path / name / "s")
        assert read_manifest(tmp_path / name / "s")["schema_version"] == 2
    target = tmp_path / "cible" / "pcaet.duckdb"
    with pytest.raises(InvalidInput) as refused:
        restauration(target, tmp_path / "intrus" / "s")
    assert messages(refused) == ["base.duckdb::: table « utilisateurs » inattendue (inconnue du schéma 2)"]
    assert not target.exists()

    result = restauration(target, tmp_path / "ok" / "s")
    assert result.checked.accounts == [] and result.manifest.schema_version == 2
    with store.reading(target) as con:
        assert store.current_version(con) == store.SCHEMA_VERSION
        assert con.execute("SELECT nom FROM collectivites").fetchall() == [("CAPSO",)]


# --- a good backup ---------------------------------------------------------------------------

def test_a_correct_signed_backup_is_restored_and_its_accounts_listed(accounts_db, tmp_path, key, monkeypatch):
    folder = tmp_path / "s"
    made = sauvegarde(accounts_db, folder)
    assert set(made.manifest.tables) == set(SCHEMA_5_TABLES)
    assert made.manifest.tables["utilisateurs"] == 3
    signature = read_manifest(folder)["signature"]
    assert signature["algorithme"] == "HMAC-SHA256" and len(signature["valeur"]) == 64
    auth.add_account(accounts_db, "tard", "lecture", "tard-secret-1", by="admin")  # after the backup

    checked = inspecter(folder)  # a check alone: nothing restored
    assert checked.signature == "verifiee"
    assert auth.role_of(accounts_db, "tard") == "lecture"

    result = restauration(accounts_db, folder, user="admin")
    assert result.checked.signature == "verifiee"
    assert result.checked.accounts == [BackupAccount("admin", "admin", True), BackupAccount("claire", "edition", True),
                                       BackupAccount("elu", "lecture", True)]
    assert auth.role_of(accounts_db, "tard") is None  # the database of the backup's day
    entries = services.journal_entries(accounts_db)
    assert entries[entries["action"] == "restauration"].iloc[0]["detail"].endswith("(signature vérifiée)")

    # Another key: refused, the two key fingerprints named so that a rotated key is recognised.
    monkeypatch.setenv("PCAET_CLE_SAUVEGARDE", OTHER_KEY)
    with pytest.raises(InvalidInput, match="signée avec une autre clé") as refused:
        inspecter(folder)
    assert "(clé de la sauvegarde " in str(refused.value) and ", clé actuelle " in str(refused.value)
    # No key at all: the signature cannot be checked, the rest is, and it says so.
    monkeypatch.delenv("PCAET_CLE_SAUVEGARDE")
    assert inspecter(folder).signature == "non_verifiee"


def test_a_key_too_short_is_refused_in_french(seeded_db, tmp_path, monkeypatch):
    monkeypatch.setenv("PCAET_CLE_SAUVEGARDE", "court")
    with pytest.raises(Refused, match="Clé PCAET_CLE_SAUVEGARDE trop courte : 16 caractères au moins"):
        sauvegarde(seeded_db, tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_signature_covers_the_manifest_and_the_database_sha256(tmp_path):
    """Hand-checked against Python's hmac: HMAC-SHA256 over a fixed prefix, the manifest as
    canonical JSON without its signature, and the database's sha256."""
    import hmac

    manifest = {"format": "pcaet-sauvegarde", "files": [{"path": "base.duckdb", "sha256": "ab" * 32, "size": 1}],
                "tables": {"meta": 1}}
    canonical = ('{"files":[{"path":"base.duckdb","sha256":"' + "ab" * 32 + '","size":1}],'
                 '"format":"pcaet-sauvegarde","tables":{"meta":1}}')
    expected = hmac.new(KEY.encode("utf-8"), b"pcaet-sauvegarde/1\n" + canonical.encode("utf-8") + b"\n"
                        + ("ab" * 32).encode("ascii"), hashlib.sha256).hexdigest()
    assert backup_module.signature_of(manifest, KEY.encode("utf-8")) == expected
    assert backup_module.signature_of(dict(manifest, signature={"valeur": "x"}), KEY.encode("utf-8")) == expected


# --- command line ----------------------------------------------------------------------------

def test_cli_shows_the_accounts_before_the_swap_and_says_when_unsigned(accounts_db, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "s"
    env = {"PCAET_CLE_SAUVEGARDE": None, "PCAET_UTILISATEUR": "admin", "PCAET_MOT_DE_PASSE": ADMIN[1],
           "PCAET_DB": None}
    made = runner.invoke(sauvegarde_command, [str(folder), "--db", str(accounts_db)], env=env)
    assert made.exit_code == 0, made.output
    assert "Sauvegarde non signée" in made.stderr

    checked = runner.invoke(restauration_command, [str(folder), "--db", str(accounts_db), "--verifier"], env=env)
    assert checked.exit_code == 0, checked.output
    before = live_state(accounts_db)
    assert "Comptes de la sauvegarde (3) : admin (admin), claire (édition), elu (lecture)." in checked.stdout
    assert "Vérification seule : rien n'a été restauré." in checked.stdout
    assert live_state(accounts_db) == before

    restored = runner.invoke(restauration_command, [str(folder), "--db", str(accounts_db)], env=env)
    assert restored.exit_code == 0, restored.output
    lines = restored.stdout.splitlines()
    accounts_line = lines.index("Comptes de la sauvegarde (3) : admin (admin), claire (édition), elu (lecture).")
    done_line = next(i for i, line in enumerate(lines) if " restaurée : " in line)
    assert lines[0].startswith("Sauvegarde vérifiée : schéma 5, 19 tables, ")
    assert accounts_line < done_line  # shown before the restore is reported done
    assert restored.stderr.startswith("Sauvegarde non signée : son origine n'est pas vérifiée")

    signed_env = dict(env, PCAET_CLE_SAUVEGARDE=KEY)
    refused = runner.invoke(restauration_command, [str(folder), "--db", str(accounts_db)], env=signed_env)
    assert refused.exit_code == 1
    assert refused.stderr == ("manifest.json::: sauvegarde non signée : la clé PCAET_CLE_SAUVEGARDE est définie, "
                              "seule une sauvegarde signée avec elle est restaurée\n")


def test_a_malformed_signature_or_missing_counts_are_refused_before_anything_is_opened(backup):
    db_path, folder = backup
    manifest = read_manifest(folder)
    write_manifest(folder, dict(manifest, signature={"algorithme": "MD5", "valeur": "00"}))
    with pytest.raises(InvalidInput) as refused:
        inspecter(folder)
    assert messages(refused) == ["manifest.json::: champ « signature » invalide (HMAC-SHA256 en hexadécimal attendu)"]
    write_manifest(folder, {k: v for k, v in manifest.items() if k != "tables"})
    runner = CliRunner()
    before = live_state(db_path)
    result = runner.invoke(restauration_command, [str(folder), "--db", str(db_path), "--verifier"],
                           env={"PCAET_DB": None})
    assert result.exit_code == 1
    assert result.output == ("manifest.json::: champ « tables » manquant ou invalide (le nombre de lignes de chaque "
                             "table est attendu)\n")
    assert live_state(db_path) == before
