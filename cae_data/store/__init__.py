"""The only home of SQL: the DuckDB connection, the schema and one module per domain.

Services open a connection (`reading`, `writing`, `exclusive`) and hand it to the functions
below; nothing outside this package writes SQL (tests/test_architecture.py checks it).
Per-domain modules: referentiels, collectivites, evaluations, uploads, indicateurs, fiches,
comites, comptes, journal; sauvegarde.py the DuckDB work of backup and restore (copies,
catalogs, integrity reads); schema.py holds the migrations, connexion.py the connections."""

from ..errors import DatabaseBusy, DatabaseMissing, NoChange
from . import export
from .collectivites import collectivite_names, ensure_collectivite, load_profiles, save_profile
from .comites import load_comites, replace_comite, save_comite
from .comptes import (
    COMPTE_COLUMNS,
    compte_role,
    compte_row,
    comptes_table,
    comptes_table_exists,
    comptes_with_journal,
    count_comptes,
    delete_compte,
    insert_compte,
    update_compte_password,
    update_compte_role,
    usual_hash_prefix,
)
from .connexion import (
    DEFAULT_DB,
    LOCK_RETRY_SECONDS,
    WRITER_PRIORITY_SECONDS,
    Connection,
    connect,
    data_version,
    exclusive,
    is_initialised,
    reading,
    resolve_db_path,
    uploads_dir,
    writing,
)
from .evaluations import (
    delete_evaluation,
    evaluation_dates,
    evaluation_digests,
    evaluation_keys,
    evaluation_upload,
    latest_evaluation_date,
    replace_evaluations,
    statuses_at,
    statuses_before,
    statuses_for,
    statuses_on_days,
)
from .fiches import (
    fiche_collectivites,
    fiche_exists,
    fiches_for_mesure,
    load_fiches,
    load_outils,
    save_fiche,
    save_outils,
)
from .indicateurs import (
    indicateur_label_links,
    indicateur_table,
    indicateur_targets,
    indicateur_value_at,
    indicateur_values,
    save_indicateur_values,
    set_indicateur_targets,
)
from .journal import journal_rows, record_journal
from .referentiels import (
    load_referentiel,
    referentiel_info,
    referentiel_levels,
    referentiel_names,
    referentiel_source_kinds,
    save_referentiel,
)
from .sauvegarde import (
    DUCKDB_VERSION,
    Catalog,
    CopyContents,
    DatabaseError,
    TableShape,
    advance_data_version,
    catalog,
    checkpoint,
    expected_catalog,
    meta_data_version,
    migrate_copy,
    open_copy,
    read_copy,
    read_whole,
    serial_positions,
    table_counts,
)
from .schema import MIGRATIONS, SCHEMA_VERSION, current_version, migrate, table_exists
from .sql import first_row, run
from .uploads import list_uploads, record_upload, upload_file

__all__ = [
    "export",
    "Connection", "DatabaseBusy", "DatabaseMissing", "NoChange",
    "DEFAULT_DB", "LOCK_RETRY_SECONDS", "WRITER_PRIORITY_SECONDS", "MIGRATIONS", "SCHEMA_VERSION",
    "connect", "reading", "writing", "exclusive", "first_row", "run", "data_version", "is_initialised",
    "resolve_db_path", "uploads_dir", "current_version", "migrate", "table_exists",
    "save_referentiel", "load_referentiel", "referentiel_info", "referentiel_levels", "referentiel_names", "referentiel_source_kinds",
    "save_profile", "ensure_collectivite", "load_profiles", "collectivite_names",
    "evaluation_keys", "statuses_for", "evaluation_digests", "replace_evaluations", "evaluation_dates",
    "latest_evaluation_date", "statuses_at", "statuses_before", "statuses_on_days",
    "evaluation_upload", "delete_evaluation",
    "record_upload", "list_uploads", "upload_file",
    "indicateur_table", "indicateur_label_links", "indicateur_values", "indicateur_targets", "indicateur_value_at", "save_indicateur_values",
    "set_indicateur_targets",
    "save_fiche", "load_fiches", "fiches_for_mesure", "fiche_exists", "fiche_collectivites", "save_outils",
    "load_outils",
    "load_comites", "save_comite", "replace_comite",
    "record_journal", "journal_rows",
    "COMPTE_COLUMNS", "comptes_table_exists", "count_comptes", "compte_role", "compte_row", "usual_hash_prefix",
    "comptes_table", "comptes_with_journal", "insert_compte", "delete_compte", "update_compte_role",
    "update_compte_password",
    "DUCKDB_VERSION", "DatabaseError", "CopyContents", "Catalog", "TableShape", "open_copy", "checkpoint",
    "meta_data_version", "table_counts", "read_copy", "read_whole", "serial_positions", "advance_data_version",
    "catalog", "expected_catalog", "migrate_copy",
]
