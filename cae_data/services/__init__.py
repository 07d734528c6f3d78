"""What the command line and the dashboard do, as plain functions over a database path: the
stable entry points, one module per domain (referentiels, collectivites, evaluations, scores,
uploads, indicateurs, fiches, comites, presentation, journal, init).

Each write validates its whole input first, then writes in one transaction (store.writing), so a
refused file or a crash leaves the database as it was. Each write takes the acting user
(`user`): it is checked against the accounts (auth.require_role, inside the transaction) and
recorded in the journal (store.record_journal, same transaction). The caller authenticates:
`user` is an account name whose password was checked, or any label in open mode (no account)."""

from ..errors import DatabaseBusy, DatabaseMissing, InvalidInput, Refused
from ..seeds import seeds_dir
from .collectivites import collectivite_names, known_questions, load_profiles, set_collectivites
from .comites import (
    REPORT_FORMATS,
    add_comite,
    committee_changes,
    committee_history,
    committee_report,
    list_comites,
    update_comite,
)
from .common import MAX_UPLOAD_BYTES
from .evaluations import (
    SEUIL_CONFIRMATION,
    Bilan,
    EvaluationOutcome,
    ImportPlan,
    ImportResult,
    evaluation_dates,
    import_evaluation,
    plan_import,
    read_evaluation_file,
    statuses_at,
)
from .fiches import cooperation_intro, fiches_for_mesure, load_fiches, load_outils, save_fiche_yaml
from .indicateurs import (
    IndicatorImportResult,
    add_indicator_value,
    export_indicators,
    import_indicator_values,
    indicator_overview,
    indicator_targets,
    indicator_values,
    read_indicator_file,
)
from .init import init_database, install_demo
from .journal import entries as journal_entries
from .presentation import PRESENTATION_SLIDES, presentation_settings_path, save_slide_order, slide_order
from .referentiels import import_referentiel, load_referentiel, referentiel_names
from .scores import (
    POINT_FIELDS,
    SCORE_FIELDS,
    STARS_COLUMNS,
    SimulationInputs,
    all_scores,
    compute_scores,
    evaluation_list,
    score_subjects,
    scores_csv,
    scores_for_output,
    simulation_inputs,
    stars_for_all,
    write_scores_csv,
    write_scores_json,
)
from .uploads import ArchivedUpload, list_uploads, read_upload

__all__ = [
    "DatabaseBusy", "DatabaseMissing", "InvalidInput", "Refused", "seeds_dir", "MAX_UPLOAD_BYTES",
    "import_referentiel", "load_referentiel", "referentiel_names",
    "set_collectivites", "known_questions", "load_profiles", "collectivite_names",
    "read_evaluation_file", "import_evaluation", "plan_import", "ImportPlan", "Bilan", "SEUIL_CONFIRMATION", "evaluation_dates", "statuses_at", "EvaluationOutcome",
    "ImportResult",
    "compute_scores", "scores_for_output", "scores_csv", "score_subjects", "all_scores", "stars_for_all", "simulation_inputs",
    "write_scores_csv", "write_scores_json", "evaluation_list", "SimulationInputs", "SCORE_FIELDS", "POINT_FIELDS", "STARS_COLUMNS",
    "list_uploads", "read_upload", "ArchivedUpload",
    "import_indicator_values", "read_indicator_file", "add_indicator_value", "export_indicators",
    "indicator_overview", "indicator_values", "indicator_targets", "IndicatorImportResult",
    "save_fiche_yaml", "load_fiches", "load_outils", "fiches_for_mesure", "cooperation_intro",
    "add_comite", "update_comite", "list_comites", "committee_history", "committee_changes", "committee_report",
    "REPORT_FORMATS",
    "PRESENTATION_SLIDES", "slide_order", "save_slide_order", "presentation_settings_path",
    "journal_entries", "init_database", "install_demo",
]
