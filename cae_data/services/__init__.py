"""What the command line and the dashboard do, as plain functions over a database path: the
stable entry points, one module per domain (referentiels, collectivites, evaluations, scores,
uploads, indicateurs, fiches, comites, presentation, journal, init, bascule).

Each write validates its whole input first, then writes in one transaction (store.writing), so a
refused file or a crash leaves the database as it was. Each write takes the acting user
(`user`): it is checked against the accounts (auth.require_role, inside the transaction) and
recorded in the journal (store.record_journal, same transaction). The caller authenticates:
`user` is an account name whose password was checked, or any label in open mode (no account)."""

from ..errors import DatabaseBusy, DatabaseMissing, InvalidInput, Refused
from ..seeds import seeds_dir
from .bascule import (
    BasculeEcrite,
    annuler_bascule,
    appliquer_bascule,
    bascule_csv,
    bascule_json,
    bascule_scores,
    bascule_xlsx,
    simuler_bascule,
    te_referentiel_name,
)
from .base import data_version, database_path, is_ready, sha256_of
from .collectivites import collectivite_names, known_questions, load_profiles, set_collectivites
from .comites import (
    REPORT_FORMATS,
    add_comite,
    comite_changes,
    comite_history,
    comite_report,
    list_comites,
    update_comite,
)
from .common import MAX_UPLOAD_BYTES
from .comptes import ADMIN, EDITION, LECTURE, ROLE_LABELS, ROLES, authenticate, has_role, list_accounts
from .evaluations import (
    SEUIL_CONFIRMATION,
    Bilan,
    EvaluationOutcome,
    ImportPlan,
    ImportResult,
    evaluation_dates,
    evaluation_template,
    import_evaluation,
    plan_import,
    read_evaluation_file,
    statuses_at,
)
from .fiches import cooperation_intro, fiches_for_mesure, load_fiches, load_outils, save_fiche_yaml
from .indicateurs import (
    IndicateurImportResult,
    add_indicateur_value,
    export_indicateurs,
    import_indicateur_values,
    indicateur_overview,
    indicateur_targets,
    indicateur_values,
    read_indicateur_file,
)
from .indicatif import label_indicateur_values, score_indicatif
from .init import init_database, install_demo
from .journal import entries as journal_entries
from .presentation import PRESENTATION_SLIDES, presentation_settings_path, save_slide_order, slide_order
from .referentiels import import_referentiel, load_referentiel, referentiel_names
from .scores import (
    ETOILES_COLUMNS,
    POINT_FIELDS,
    SCORE_FIELDS,
    SimulationInputs,
    all_scores,
    compute_scores,
    etoiles_for_all,
    evaluation_list,
    score_subjects,
    scores_csv,
    scores_for_output,
    simulation_inputs,
    write_scores_csv,
    write_scores_json,
)
from .uploads import ArchivedUpload, list_uploads, read_upload

__all__ = [
    "DatabaseBusy", "DatabaseMissing", "InvalidInput", "Refused", "seeds_dir", "MAX_UPLOAD_BYTES",
    "import_referentiel", "load_referentiel", "referentiel_names",
    "set_collectivites", "known_questions", "load_profiles", "collectivite_names",
    "read_evaluation_file", "import_evaluation", "evaluation_template", "plan_import", "ImportPlan", "Bilan", "SEUIL_CONFIRMATION", "evaluation_dates", "statuses_at", "EvaluationOutcome",
    "ImportResult",
    "compute_scores", "scores_for_output", "scores_csv", "score_subjects", "all_scores", "etoiles_for_all",
    "simulation_inputs", "write_scores_csv", "write_scores_json", "evaluation_list", "SimulationInputs", "SCORE_FIELDS",
    "POINT_FIELDS", "ETOILES_COLUMNS",
    "list_uploads", "read_upload", "ArchivedUpload",
    "import_indicateur_values", "read_indicateur_file", "add_indicateur_value", "export_indicateurs",
    "indicateur_overview", "indicateur_values", "indicateur_targets", "IndicateurImportResult",
    "save_fiche_yaml", "load_fiches", "load_outils", "fiches_for_mesure", "cooperation_intro",
    "add_comite", "update_comite", "list_comites", "comite_history", "comite_changes", "comite_report",
    "REPORT_FORMATS",
    "PRESENTATION_SLIDES", "slide_order", "save_slide_order", "presentation_settings_path",
    "journal_entries", "init_database", "install_demo", "score_indicatif", "label_indicateur_values",
    "database_path", "data_version", "is_ready", "sha256_of",
    "list_accounts", "authenticate", "has_role", "ROLES", "ROLE_LABELS", "LECTURE", "EDITION", "ADMIN",
    "simuler_bascule", "appliquer_bascule", "annuler_bascule", "bascule_scores", "bascule_csv", "bascule_json",
    "bascule_xlsx", "BasculeEcrite", "te_referentiel_name",
]
