"""The DuckDB schema as a list of migrations (docs/data-model.md describes every table).

Each migration brings the schema from version i to i+1; a database made by an older version of
the project is brought up to date when it is next opened for writing (connexion.writing)."""

from __future__ import annotations

import duckdb

from .. import clock
from ..errors import InvalidInput
from .sql import first_row, run

SCHEMA_VERSION = 5

MIGRATIONS: list[str] = [
    # 0 -> 1: the foundation
    """
    CREATE TABLE IF NOT EXISTS meta (
        schema_version INTEGER NOT NULL,
        data_version BIGINT NOT NULL DEFAULT 0,
        updated_at TIMESTAMP
    );
    CREATE TABLE IF NOT EXISTS referentiels (
        nom VARCHAR PRIMARY KEY,
        titre VARCHAR NOT NULL,
        source_kind VARCHAR NOT NULL,
        source VARCHAR,
        action_depth INTEGER NOT NULL,
        loaded_at TIMESTAMP NOT NULL
    );
    CREATE TABLE IF NOT EXISTS referentiel_nodes (
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        parent_id VARCHAR,
        depth INTEGER NOT NULL,
        niveau VARCHAR NOT NULL,
        ordre INTEGER NOT NULL,
        position INTEGER NOT NULL,
        nom VARCHAR NOT NULL,
        description VARCHAR,
        textes JSON,
        categorie VARCHAR,
        points_declares DOUBLE,
        pourcentage DOUBLE,
        point_referentiel DOUBLE NOT NULL,
        collectivite_type VARCHAR,
        climat_pratic_id VARCHAR,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS personnalisation_rules (
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        expression VARCHAR NOT NULL,
        description VARCHAR,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, action_id, kind)
    );
    CREATE TABLE IF NOT EXISTS questions (
        referentiel VARCHAR NOT NULL,
        question_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        thematique_id VARCHAR,
        titre VARCHAR,
        description VARCHAR,
        choix JSON,
        actions JSON,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, question_id)
    );
    CREATE TABLE IF NOT EXISTS collectivites (
        nom VARCHAR PRIMARY KEY,
        type VARCHAR,
        population BIGINT,
        localisation VARCHAR,
        reponses JSON,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE IF NOT EXISTS upload_ids START 1;
    CREATE TABLE IF NOT EXISTS uploads (
        upload_id BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
        kind VARCHAR NOT NULL,
        filename VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        stored_path VARCHAR NOT NULL,
        size_bytes BIGINT NOT NULL,
        rows INTEGER NOT NULL,
        uploaded_at TIMESTAMP NOT NULL,
        uploaded_by VARCHAR,
        summary VARCHAR
    );
    CREATE TABLE IF NOT EXISTS evaluations (
        collectivite VARCHAR NOT NULL,
        date DATE NOT NULL,
        referentiel VARCHAR NOT NULL,
        upload_id BIGINT,
        imported_at TIMESTAMP NOT NULL,
        PRIMARY KEY (collectivite, date, referentiel)
    );
    CREATE TABLE IF NOT EXISTS evaluation_statuses (
        collectivite VARCHAR NOT NULL,
        date DATE NOT NULL,
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        statut VARCHAR NOT NULL,
        fait DOUBLE,
        programme DOUBLE,
        pas_fait DOUBLE,
        commentaire VARCHAR,
        PRIMARY KEY (collectivite, date, referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS fiches (
        fiche_id VARCHAR PRIMARY KEY,
        titre VARCHAR NOT NULL,
        collectivite VARCHAR,
        etat VARCHAR,
        annee_debut INTEGER,
        annee_fin INTEGER,
        maitre_ouvrage VARCHAR,
        document JSON NOT NULL,
        yaml VARCHAR NOT NULL,
        source_file VARCHAR,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fiche_mesures (
        fiche_id VARCHAR NOT NULL,
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        PRIMARY KEY (fiche_id, referentiel, action_id)
    );
    CREATE TABLE IF NOT EXISTS indicateurs (
        indicateur_id VARCHAR PRIMARY KEY,
        fiche_id VARCHAR,
        nom VARCHAR NOT NULL,
        unite VARCHAR,
        sens VARCHAR NOT NULL,
        source VARCHAR,
        description VARCHAR
    );
    CREATE TABLE IF NOT EXISTS indicateur_cibles (
        indicateur_id VARCHAR NOT NULL,
        annee INTEGER NOT NULL,
        valeur DOUBLE NOT NULL,
        PRIMARY KEY (indicateur_id, annee)
    );
    CREATE TABLE IF NOT EXISTS indicateur_valeurs (
        indicateur_id VARCHAR NOT NULL,
        date DATE NOT NULL,
        valeur DOUBLE NOT NULL,
        commentaire VARCHAR,
        saisi_par VARCHAR,
        saisi_le TIMESTAMP NOT NULL,
        upload_id BIGINT,
        PRIMARY KEY (indicateur_id, date)
    );
    CREATE TABLE IF NOT EXISTS outils_cooperation (
        outil_id VARCHAR PRIMARY KEY,
        position INTEGER NOT NULL,
        titre VARCHAR NOT NULL,
        document JSON NOT NULL
    );
    """,
    # 1 -> 2: weekly steering committees (docs/comites.md)
    """
    CREATE SEQUENCE IF NOT EXISTS comite_ids START 1;
    CREATE TABLE IF NOT EXISTS comites (
        comite_id BIGINT PRIMARY KEY DEFAULT nextval('comite_ids'),
        date DATE NOT NULL UNIQUE,
        titre VARCHAR NOT NULL,
        participants JSON NOT NULL,
        notes VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR
    );
    """,
    # 2 -> 3: accounts and the audit journal (docs/securite.md)
    """
    CREATE TABLE IF NOT EXISTS utilisateurs (
        nom VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE IF NOT EXISTS journal_ids START 1;
    CREATE TABLE IF NOT EXISTS journal (
        journal_id BIGINT PRIMARY KEY DEFAULT nextval('journal_ids'),
        recorded_at TIMESTAMP NOT NULL,
        utilisateur VARCHAR,
        action VARCHAR NOT NULL,
        objet VARCHAR,
        detail VARCHAR,
        upload_id BIGINT
    );
    """,
    # 3 -> 4: every label referential (docs/referentiels.md): the TE structure file's attributes,
    # the platform's question attributes, the origins of TE nodes, a collectivity's sous-type
    """
    ALTER TABLE referentiel_nodes ADD COLUMN labels JSON;
    ALTER TABLE referentiel_nodes ADD COLUMN coremeasure BOOLEAN;
    ALTER TABLE referentiel_nodes ADD COLUMN thematique_sgpe VARCHAR;
    ALTER TABLE referentiel_nodes ADD COLUMN adaptation_niveau VARCHAR;
    ALTER TABLE referentiel_nodes ADD COLUMN adaptation_regle VARCHAR;
    ALTER TABLE referentiel_nodes ADD COLUMN indicateurs JSON;
    ALTER TABLE referentiel_nodes ADD COLUMN indicateurs_wip VARCHAR;
    ALTER TABLE referentiel_nodes ADD COLUMN questions_personnalisation JSON;
    ALTER TABLE referentiel_nodes ADD COLUMN expr_score VARCHAR;
    ALTER TABLE referentiel_nodes ADD COLUMN nouvelle_action BOOLEAN;
    ALTER TABLE questions ADD COLUMN ordre INTEGER;
    ALTER TABLE questions ADD COLUMN thematique VARCHAR;
    ALTER TABLE questions ADD COLUMN expr_visible VARCHAR;
    ALTER TABLE questions ADD COLUMN types_collectivites JSON;
    ALTER TABLE questions ADD COLUMN competence_code VARCHAR;
    ALTER TABLE questions ADD COLUMN competence VARCHAR;
    CREATE TABLE IF NOT EXISTS referentiel_origines (
        referentiel VARCHAR NOT NULL,
        action_id VARCHAR NOT NULL,
        origine_referentiel VARCHAR NOT NULL,
        origine_action_id VARCHAR NOT NULL,
        ponderation DOUBLE NOT NULL,
        source_file VARCHAR,
        source_line INTEGER,
        PRIMARY KEY (referentiel, action_id, origine_referentiel, origine_action_id)
    );
    ALTER TABLE collectivites ADD COLUMN soustype VARCHAR;
    """,
    # 4 -> 5: a fiche's indicator may measure indicators of the label (the score indicatif)
    """
    ALTER TABLE indicateurs ADD COLUMN identifiants_referentiel JSON;
    ALTER TABLE indicateurs ADD COLUMN limite DOUBLE;
    """,
]


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A database of an older schema opened read-only lacks the newer tables (migrations run on
    the next write)."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()[0][0])


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    if not table_exists(con, "meta"):
        return 0
    row = first_row(con.execute("SELECT max(schema_version) FROM meta"))
    return int(row[0] or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the missing migrations in one transaction; returns the schema version."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise InvalidInput.single(
            "base", None, None,
            f"cette base a été créée par une version plus récente du tableau de bord (schéma {version}, "
            f"cette version connaît le schéma {SCHEMA_VERSION})",
        )
    if version == SCHEMA_VERSION:
        return version
    run(con, "BEGIN TRANSACTION")
    try:
        for number in range(version, SCHEMA_VERSION):
            run(con, MIGRATIONS[number])
        if version == 0:
            run(con, "INSERT INTO meta VALUES (?, 0, ?)", [SCHEMA_VERSION, clock.now()])
        else:
            run(con, "UPDATE meta SET schema_version = ?", [SCHEMA_VERSION])
        run(con, "COMMIT")
    except BaseException:
        run(con, "ROLLBACK")
        raise
    return SCHEMA_VERSION
