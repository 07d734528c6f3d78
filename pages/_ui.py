"""The few Streamlit helpers pages share: where the database is, cached reads invalidated when
the database changes, French formatting and the message shown when there is nothing to show.

Every read is a `st.cache_data` function keyed on the database path and `db.data_version(path)`
(the file's mtime and size), so a page never shows data older than the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from cae_data import db, services, store
from cae_data.errors import InvalidInput
from cae_data.formatting import date_fr, ecart_points, nombre, points, pourcentage  # noqa: F401  (re-exported for pages)
from cae_data.safe_markdown import escape_markdown, sanitize_markdown
from cae_data.tabular import strip_accents

def _leave_pages_directory_mode() -> None:
    """Streamlit decides at its first session whether the app is a `pages/` folder app or an
    st.navigation one, and only learns the latter once dashboard.py has run: a first visit
    straight to /referentiel would run pages/referentiel.py alone (default navigation, narrow
    layout). Our pages/ folder only ever serves st.navigation: say so and rerun through
    dashboard.py. Runs at this module's first import, i.e. in the first page run."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without this switch has nothing to fix
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()  # the import fails; the rerun imports this module again


_leave_pages_directory_mode()

# Page files, for st.page_link / st.switch_page between pages.
PAGE_ACCUEIL = "pages/vue_ensemble.py"  # the home page: the score overview
PAGE_REFERENTIEL = "pages/referentiel.py"
PAGE_FICHES = "pages/fiches_actions.py"
PAGE_OUTILS = "pages/boite_outils.py"

IMPORT_REFERENTIEL_COMMAND = (
    ".venv/bin/pcaet referentiel import ../shared/referentiels/cae \\\n"
    "    --personnalisations ../shared/referentiels/personnalisations \\\n"
    "    --questions ../shared/referentiels/questions"
)

SOURCE_LABELS = {
    "seed": "documents de départ du projet",
    "ademe-markdown": "référentiel officiel de l'ADEME (fichiers markdown)",
    "csv": "structure du référentiel en CSV",
}
NIVEAU_TITLES = {"axe": "Axes", "sous-axe": "Sous-axes", "mesure": "Mesures", "sous-action": "Sous-actions",
                 "tache": "Tâches"}
CATEGORIE_COLORS = {"bases": "blue", "mise en œuvre": "orange", "effets": "green"}
ETAT_COLORS = {"À développer": "blue", "En cours": "orange", "Réalisé": "green", "Reporté": "violet",
               "Abandonné": "red"}
COLLECTIVITE_TYPE_LABELS = {"EPCI": "Pour les EPCI", "commune": "Pour les communes"}


# --- database -----------------------------------------------------------------------------

def db_path() -> Path:
    return db.resolve_db_path(None).resolve()


def _version() -> tuple:
    return db.data_version(db_path())


def require_database() -> Path:
    """Stop the page with a French explanation when the database is missing or empty."""
    path = db_path()
    if not db.is_initialised(path):
        st.warning(
            "La base de données n'est pas encore créée ou elle est vide. "
            "Lancez cette commande dans le dossier du projet, puis rechargez la page :"
        )
        st.code("make run   # ou : .venv/bin/pcaet init", language="bash")
        st.caption(f"Base attendue : {path}")
        st.stop()
    return path


def guarded(read, *args, **kwargs):
    """Run a cached read; a busy database or a refused request becomes a French message."""
    try:
        return read(*args, **kwargs)
    except db.DatabaseBusy as exc:
        st.info(str(exc))
        st.stop()
    except (services.Refused, db.DatabaseMissing) as exc:
        st.warning(str(exc))
        st.stop()


# --- cached reads -------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=8)
def _referentiel(path: str, version: tuple, nom: str):
    return services.load_referentiel(Path(path), nom)


def referentiel(nom: str = "cae"):
    return guarded(_referentiel, str(db_path()), _version(), nom)


@st.cache_data(show_spinner=False, max_entries=8)
def _mesures(path: str, version: tuple, nom: str) -> pd.DataFrame | None:
    ref = _referentiel(path, version, nom)
    return None if ref is None else mesure_table(ref.nodes, ref.action_depth)


def mesures(nom: str = "cae") -> pd.DataFrame | None:
    """One row per mesure (see `mesure_table`), or None without referential."""
    return guarded(_mesures, str(db_path()), _version(), nom)


def mesure_table(nodes: pd.DataFrame, action_depth: int) -> pd.DataFrame:
    """Mesures in reading order: action_id, nom, axe_id, point_referentiel, `titre_recherche`
    (the `fold`ed id and title) and `recherche` (the folded ids, titles and descriptions of the
    mesure and everything under it), for the search box."""
    ids = nodes["action_id"].str.split(".")
    under = nodes[nodes["depth"] >= action_depth].assign(
        mesure_id=ids[nodes["depth"] >= action_depth].str[:action_depth].str.join(".")
    )
    words = (under["action_id"] + " " + under["nom"].fillna("") + " " + under["description"].fillna(""))
    recherche = words.groupby(under["mesure_id"], sort=False).agg(" ".join).map(fold)
    table = nodes[nodes["depth"] == action_depth][["action_id", "nom", "point_referentiel"]].copy()
    table["axe_id"] = table["action_id"].str.split(".").str[0]
    table["titre_recherche"] = (table["action_id"] + " " + table["nom"].fillna("")).map(fold)
    table["recherche"] = table["action_id"].map(recherche).fillna("")
    return table.reset_index(drop=True)


def _db_read(path: str, reader):
    with db.reading(Path(path)) as con:
        return reader(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _fiches(path: str, version: tuple) -> list:
    return _db_read(path, store.load_fiches)


def fiches() -> list:
    """Every fiche-action (cae_data.fiches.model.FicheAction), by title."""
    return guarded(_fiches, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=8)
def _outils(path: str, version: tuple) -> list:
    return _db_read(path, store.load_outils)


def outils() -> list:
    """The cooperation tools (cae_data.fiches.cooperation.OutilCooperation), in deck order."""
    return guarded(_outils, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=64)
def _fiches_for_mesure(path: str, version: tuple, action_id: str, nom: str) -> pd.DataFrame:
    return _db_read(path, lambda con: store.fiches_for_mesure(con, action_id, nom))


def fiches_for_mesure(action_id: str, nom: str = "cae") -> pd.DataFrame:
    return guarded(_fiches_for_mesure, str(db_path()), _version(), action_id, nom)


@dataclass
class CooperationIntro:
    """The deck's introduction cut for display: its question, the event line under it, then
    (section title, markdown) pairs."""

    titre: str = ""
    chapeau: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)


def split_intro(markdown: str) -> CooperationIntro:
    intro = CooperationIntro()
    lead: list[str] = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        if block.startswith("# ") and not intro.titre:
            intro.titre = block[2:].strip()
        elif block.startswith("## "):
            intro.sections.append((block[3:].strip(), ""))
        elif intro.sections:
            title, body = intro.sections[-1]
            intro.sections[-1] = (title, f"{body}\n\n{block}".strip())
        elif block:
            lead.append(block)
    intro.chapeau = "\n\n".join(lead)
    return intro


@st.cache_data(show_spinner=False, max_entries=4)
def _cooperation_intro(seeds: str, stamp: tuple) -> CooperationIntro | None:
    try:
        return split_intro(store.cooperation_intro(Path(seeds)))
    except (InvalidInput, OSError):  # decoration: without the seed file the tools still show
        return None


def cooperation_intro() -> CooperationIntro | None:
    seeds = services.seeds_dir().resolve()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in seeds.glob("*"))) if seeds.is_dir() else ()
    return _cooperation_intro(str(seeds), stamp)


# --- text and formatting ------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Search key: lowercase, no accents, single spaces."""
    return " ".join(strip_accents(str(text or "")).lower().replace("’", "'").split())


def search_patterns(query: str | None) -> list[re.Pattern]:
    """One pattern per word of the query, matching a word that starts with it, in `fold`ed text
    (« sage » finds « SAGE » but not « envisagés »)."""
    return [re.compile(r"(?<![a-z0-9])" + re.escape(word)) for word in fold(query).split()]


def matches(folded_text: str, patterns: list[re.Pattern]) -> bool:
    return all(pattern.search(folded_text) for pattern in patterns)


def plain(text: str | None) -> str:
    """Plain text made safe to pass to st.markdown and widget labels (shown exactly as written)."""
    return escape_markdown(text)


def markdown_safe(text: str | None) -> None:
    """Markdown from files is shown as markdown only: raw HTML is converted or escaped, never run."""
    if text:
        st.markdown(sanitize_markdown(text), unsafe_allow_html=False)


def points_label(value: float | None) -> str:
    """12 → « 12 points », 2.5 → « 2,5 points », 1 → « 1 point » (French: plural from 2)."""
    if value is None or (isinstance(value, float) and value != value):
        return "points non définis"
    text = points(value)
    return f"{text} point" if abs(round(float(value), 1)) < 2 else f"{text} points"


def badge_markdown(label: str, color: str = "gray", icon: str | None = None) -> str:
    """An inline badge for st.markdown / expander labels."""
    prefix = f"{icon} " if icon else ""
    return f":{color}-badge[{prefix}{plain(label)}]"


def highlight(markdown: str, color: str = "gray", icon: str | None = None) -> str:
    """Text on a coloured background at the body's size (badges are too small for a projector).
    `markdown` must already be safe (see `plain`)."""
    prefix = f"{icon} " if icon else ""
    return f":{color}-background[{prefix}{markdown}]"


def categorie_badge(categorie: str | None) -> str:
    if not categorie:
        return ""
    return badge_markdown(categorie.capitalize(), CATEGORIE_COLORS.get(categorie, "gray"))


def etat_highlight(etat: str | None) -> str:
    if not etat:
        return highlight("état non renseigné", "gray")
    return highlight(f"**{plain(etat)}**", ETAT_COLORS.get(etat, "gray"))


def periode(debut: int | None, fin: int | None) -> str:
    if debut and fin:
        return f"{debut} – {fin}" if debut != fin else str(debut)
    if debut:
        return f"à partir de {debut}"
    if fin:
        return f"jusqu'en {fin}"
    return "non renseignée"


def or_missing(text: str | None, missing: str = "Non renseigné") -> str:
    """Plain text for markdown, or an italic « Non renseigné »."""
    return plain(text) if text and str(text).strip() else f"*{missing}*"


# --- palette (shared by every chart and badge: reuse it, do not define another)
# Okabe-Ito colours: distinct for colour-blind readers and on a washed-out projector.
COULEUR_FAIT = "#0072B2"  # blue
COULEUR_PROGRAMME = "#E69F00"  # orange
COULEUR_PAS_FAIT = "#D55E00"  # vermillion
COULEUR_NON_RENSEIGNE = "#BBBBBB"  # light grey
COULEUR_NON_CONCERNE = "#FFFFFF"  # white, drawn with a grey hatch / outline
COULEUR_GAIN = "#009E73"  # bluish green: points gained
COULEUR_PERTE = COULEUR_PAS_FAIT  # vermillion: points lost
STATUT_COULEURS = {
    "fait": COULEUR_FAIT, "programme": COULEUR_PROGRAMME, "pas_fait": COULEUR_PAS_FAIT,
    "non_renseigne": COULEUR_NON_RENSEIGNE, "non_concerne": COULEUR_NON_CONCERNE,
}
# One colour per series (dates, axes…), then a line dash each, so lines differ without colour.
SERIE_COULEURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
SERIE_TIRETS = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
# Streamlit's named colours closest to the palette, for status badges in markdown.
STATUT_BADGES = {
    "fait": "blue", "programme": "orange", "pas_fait": "red", "detaille": "violet",
    "non_concerne": "gray", "non_renseigne": "gray",
}


# --- scores (vue d'ensemble, scores par mesure, détail d'une mesure, radar, historique)
# The scores of every evaluation are computed once per data version (`_all_scores`); every view
# below is a small cached frame derived from them with pandas, so a widget change reruns in
# milliseconds even with the full referential and hundreds of evaluation dates.

PAGE_VUE_ENSEMBLE = PAGE_ACCUEIL
PAGE_SCORES = "pages/scores_mesures.py"
PAGE_DETAIL = "pages/detail_mesure.py"
PAGE_RADAR = "pages/radar.py"
PAGE_HISTORIQUE = "pages/historique.py"
EVALUATION_IMPORT_COMMAND = (
    '.venv/bin/pcaet evaluation import mon-evaluation.csv --collectivite "Ma collectivité" --date 2026-11-17'
)


@st.cache_data(show_spinner=False, max_entries=2)
def _all_scores(path: str, version: tuple, nom: str) -> pd.DataFrame:
    return services.all_scores(Path(path), nom)


@st.cache_data(show_spinner=False, max_entries=4)
def _scores_of(path: str, version: tuple, nom: str, collectivite: str) -> pd.DataFrame:
    scores = _all_scores(path, version, nom)
    return scores[(scores["collectivite"] == collectivite).to_numpy()].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluations(path: str, version: tuple, nom: str) -> pd.DataFrame:
    from cae_data import analyses

    summary = analyses.global_summary(_all_scores(path, version, nom))
    return summary.assign(date=pd.to_datetime(summary["date"]).dt.date)


def evaluations(nom: str = "cae") -> pd.DataFrame:
    """One row per evaluation (collectivite, date as datetime.date, oldest first) with the
    root's potential, points and parts (analyses.global_summary)."""
    return guarded(_evaluations, str(db_path()), _version(), nom)


@st.cache_data(show_spinner=False, max_entries=8)
def _stars(path: str, version: tuple, nom: str) -> pd.DataFrame:
    table = services.stars_for_all(Path(path), nom)
    return table.assign(date=pd.to_datetime(table["date"]).dt.date)


def stars_table(nom: str = "cae") -> pd.DataFrame:
    """services.stars_for_all, dates as datetime.date."""
    return guarded(_stars, str(db_path()), _version(), nom)


@st.cache_data(show_spinner=False, max_entries=16)
def _criteres(path: str, version: tuple, nom: str, collectivite: str, on_date) -> pd.DataFrame:
    from cae_data.scoring.stars import criteres

    scores = _scores_of(path, version, nom, collectivite)
    at_date = scores[(scores["date"] == pd.Timestamp(on_date)).to_numpy()]
    return criteres(_referentiel(path, version, nom), at_date, _statuses(path, version, nom, collectivite, on_date))


def star_criteria(collectivite: str, on_date, nom: str = "cae") -> pd.DataFrame:
    """scoring.stars.criteres of one evaluation: every criterion of stars 1 to 5, met or not."""
    return guarded(_criteres, str(db_path()), _version(), nom, collectivite, on_date)


@st.cache_data(show_spinner=False, max_entries=32)
def _level(path: str, version: tuple, nom: str, collectivite: str, niveau: str, parent: str | None) -> pd.DataFrame:
    from cae_data import analyses

    scores = _scores_of(path, version, nom, collectivite)
    out = analyses.scores_by_level(scores, niveau, parent=parent)
    return out.assign(date=pd.to_datetime(out["date"]).dt.date, nom=out["nom"].astype(str))


def level_scores(collectivite: str, niveau: str, parent: str | None = None, nom: str = "cae") -> pd.DataFrame:
    """analyses.scores_by_level for one collectivity, every date (datetime.date)."""
    return guarded(_level, str(db_path()), _version(), nom, collectivite, niveau, parent)


@st.cache_data(show_spinner=False, max_entries=16)
def _categories(path: str, version: tuple, nom: str, collectivite: str, axe: str | None) -> pd.DataFrame:
    from cae_data import analyses

    ref = _referentiel(path, version, nom)
    out = analyses.scores_by_category(_scores_of(path, version, nom, collectivite), nodes=ref.nodes, axe=axe)
    return out.assign(date=pd.to_datetime(out["date"]).dt.date, categorie=out["categorie"].astype(str))


def category_scores(collectivite: str, axe: str | None = None, nom: str = "cae") -> pd.DataFrame:
    """analyses.scores_by_category for one collectivity, every date."""
    return guarded(_categories, str(db_path()), _version(), nom, collectivite, axe)


@st.cache_data(show_spinner=False, max_entries=32)
def _moves(path: str, version: tuple, nom: str, collectivite: str, before, after, n: int) -> pd.DataFrame:
    from cae_data import analyses

    out = analyses.biggest_moves(_scores_of(path, version, nom, collectivite), before, after, n=n)
    return out.assign(nom=out["nom"].astype(str))


def biggest_moves(collectivite: str, before, after, n: int = 5, nom: str = "cae") -> pd.DataFrame:
    """analyses.biggest_moves (mesures) for one collectivity."""
    return guarded(_moves, str(db_path()), _version(), nom, collectivite, before, after, n)


@st.cache_data(show_spinner=False, max_entries=32)
def _points_delta(path: str, version: tuple, nom: str, collectivite: str, date_a, date_b) -> pd.DataFrame:
    from cae_data import analyses

    out = analyses.points_delta_by_mesure(_scores_of(path, version, nom, collectivite), date_a, date_b)
    return out.assign(nom=out["nom"].astype(str))


def points_delta(collectivite: str, date_a, date_b, nom: str = "cae") -> pd.DataFrame:
    """analyses.points_delta_by_mesure for one collectivity."""
    return guarded(_points_delta, str(db_path()), _version(), nom, collectivite, date_a, date_b)


@st.cache_data(show_spinner=False, max_entries=32)
def _statuses(path: str, version: tuple, nom: str, collectivite: str, on_date) -> pd.DataFrame:
    return services.statuses_at(Path(path), collectivite, on_date, nom)


def statuses_at(collectivite: str, on_date, nom: str = "cae") -> pd.DataFrame:
    return guarded(_statuses, str(db_path()), _version(), nom, collectivite, on_date)


@st.cache_data(show_spinner=False, max_entries=32)
def _status_changes(path: str, version: tuple, nom: str, collectivite: str, date_a, date_b) -> pd.DataFrame:
    from cae_data import analyses

    ref = _referentiel(path, version, nom)
    return analyses.compare_statuses(_statuses(path, version, nom, collectivite, date_a),
                                     _statuses(path, version, nom, collectivite, date_b), ref.nodes)


def status_changes(collectivite: str, date_a, date_b, nom: str = "cae") -> pd.DataFrame:
    """analyses.compare_statuses between two evaluations of one collectivity."""
    return guarded(_status_changes, str(db_path()), _version(), nom, collectivite, date_a, date_b)


@st.cache_data(show_spinner=False, max_entries=64)
def _mesure_detail(path: str, version: tuple, nom: str, collectivite: str, on_date, mesure_id: str) -> pd.DataFrame:
    from cae_data import analyses

    scores = _scores_of(path, version, nom, collectivite)
    at_date = scores[(scores["date"] == pd.Timestamp(on_date)).to_numpy()]
    ref = _referentiel(path, version, nom)
    return analyses.mesure_detail(at_date, _statuses(path, version, nom, collectivite, on_date), ref.nodes, mesure_id)


def mesure_detail(collectivite: str, on_date, mesure_id: str, nom: str = "cae") -> pd.DataFrame:
    """analyses.mesure_detail of one evaluation."""
    return guarded(_mesure_detail, str(db_path()), _version(), nom, collectivite, on_date, mesure_id)


def no_referentiel() -> None:
    """Stop the page: no referential « cae » in the database."""
    st.warning("Aucun référentiel « cae » dans la base. Chargez-le avec cette commande, dans le dossier du projet :")
    st.code(IMPORT_REFERENTIEL_COMMAND, language="bash")
    st.stop()


def no_evaluation() -> None:
    """Stop the page: a referential but no evaluation to score."""
    from streamlit.errors import StreamlitAPIException

    st.info("Aucune évaluation pour l'instant.", icon=":material/inbox:")
    st.markdown("Importez une évaluation (un fichier CSV ou XLSX : une ligne par statut donné à une "
                "sous-action ou à une tâche) depuis la page d'import, ou avec cette commande, dans le "
                "dossier du projet :")
    st.code(EVALUATION_IMPORT_COMMAND, language="bash")
    try:
        st.page_link(PAGE_IMPORT_EVALUATION, label="Importer une évaluation", icon=":material/upload_file:")
    except StreamlitAPIException:  # the import page is not in the navigation
        pass
    st.stop()


def remembered_select(container, label: str, options: list, widget_key: str, memory_key: str, default,
                      format_func=str):
    """A selectbox whose choice follows the user from page to page (the date, the collectivity):
    each page has its own widget, the last choice is kept under `memory_key`."""
    if st.session_state.get(widget_key) not in options:
        remembered = st.session_state.get(memory_key)
        st.session_state[widget_key] = remembered if remembered in options else default
    value = container.selectbox(label, options, key=widget_key, format_func=format_func)
    st.session_state[memory_key] = value
    return value


@dataclass
class Evaluation:
    """The evaluation a page shows: its collectivity, date, the collectivity's dates (oldest
    first) and the one before the chosen date (None for the first)."""

    referentiel: object  # cae_data.referentiel.model.Referentiel
    collectivite: str
    date: object  # datetime.date
    dates: list
    precedente: object | None


def choose_evaluation(page: str, with_date: bool = True) -> Evaluation:
    """The common top of the score pages: the database, the referential and at least one
    evaluation must exist (else a French message stops the page), then the collectivity
    (a selector when there are several) and the date (latest by default), both remembered
    from page to page."""
    require_database()
    ref = referentiel()
    if ref is None:
        no_referentiel()
    table = evaluations(ref.nom)
    if table.empty:
        no_evaluation()
    names = sorted(table["collectivite"].unique(), key=fold)
    columns = st.columns([1, 1, 2])
    collectivite = names[0]
    if len(names) > 1:
        collectivite = remembered_select(columns[0], "Collectivité", names, f"{page}_collectivite",
                                         "score_collectivite", names[0])
    dates = sorted(table.loc[table["collectivite"] == collectivite, "date"])
    chosen = dates[-1]
    if with_date:
        latest = dates[-1]
        chosen = remembered_select(
            columns[1 if len(names) > 1 else 0], "Évaluation du", dates[::-1], f"{page}_date", "score_date", latest,
            format_func=lambda d: date_fr(d) + (" (la plus récente)" if d == latest else ""))
    position = dates.index(chosen)
    return Evaluation(ref, collectivite, chosen, dates, dates[position - 1] if position > 0 else None)


def points_faits(value: float | None) -> str:
    """« 1 point fait », « 12,5 points faits » (the participle agrees)."""
    label = points_label(value)
    return label + (" faits" if label.endswith("points") else " fait")


def axe_label(action_id: str, nom: str) -> str:
    """« 1. Planification territoriale »; the seed axes, already named « Axe 6 », stay as is."""
    return str(nom) if fold(nom).startswith("axe ") else f"{action_id}. {nom}"


def mesure_link(action_id: str, nom: str, container=None, icon: str = ":material/query_stats:") -> None:
    """A link to the mesure's detail page (the `?mesure=` deep link)."""
    (container or st).page_link(PAGE_DETAIL, label=f"{action_id} — {nom}", icon=icon,
                                query_params={"mesure": action_id})


STATUT_ICONS = {
    "fait": ":material/check_circle:", "programme": ":material/schedule:", "pas_fait": ":material/cancel:",
    "detaille": ":material/donut_large:", "non_concerne": ":material/block:", "desactive": ":material/block:",
    "par_taches": ":material/format_list_bulleted:", "non_renseigne": ":material/help:",
}


def statut_highlight(code: str, text: str) -> str:
    """A status as coloured text for markdown (French label, colour of the palette)."""
    return highlight(f"**{plain(text)}**", STATUT_BADGES.get(code, "gray"), STATUT_ICONS.get(code))


@st.cache_data(show_spinner=False, max_entries=8)
def _collectivite_types(path: str, version: tuple) -> dict:
    return {nom: profile.type for nom, profile in _db_read(path, store.load_profiles).items()}


def collectivite_type(nom: str) -> str | None:
    """The collectivity's type from its profile (« EPCI », « commune », « syndicat ») or None."""
    return guarded(_collectivite_types, str(db_path()), _version()).get(nom)


# --- simulator and import -----------------------------------------------------------------
# Reads and small pure helpers of « Vers la prochaine étoile » (pages/prochaine_etoile.py) and
# « Importer une évaluation » (pages/importer_evaluation.py).

PAGE_PROCHAINE_ETOILE = "pages/prochaine_etoile.py"
PAGE_IMPORT_EVALUATION = "pages/importer_evaluation.py"

# The statuses a user may give in the simulator, by French label, then the states only a row
# already in them keeps (they need shares or tâches, which the simulator does not edit).
SIMULABLE_LABELS = {"fait": "fait", "programme": "programmé", "pas_fait": "pas fait",
                    "non_concerne": "non concerné", "non_renseigne": "non renseigné"}
LABEL_DETAILLE = "détaillé"
LABEL_DETAILLE_REALISE = "détaillé, part programmée faite"
LABEL_A_LA_TACHE = "détaillé à la tâche"
SIMULATION_OPTIONS = [*SIMULABLE_LABELS.values(), LABEL_DETAILLE, LABEL_DETAILLE_REALISE, LABEL_A_LA_TACHE]
_OWN_STATUS_WINS = ("fait", "programme", "pas_fait", "detaille", "non_concerne")  # scoring.md §2


def table_height(rows: int, tallest: int):
    """Height for st.dataframe / st.data_editor: Streamlit's own (every row, up to ten) for a
    short table, else `tallest` pixels with a scroll bar."""
    return "auto" if rows <= 10 else tallest


def current_user() -> str | None:
    """Who is importing: the signed-in user once a login exists, else None (« non identifié »)."""
    try:
        user = st.user
        return (user.get("name") or user.get("email")) if user.get("is_logged_in") else None
    except Exception:  # no authentication configured
        return None


@st.cache_data(show_spinner=False, max_entries=8)
def _collectivites_evaluees(path: str, version: tuple, nom: str) -> pd.DataFrame:
    names = _db_read(path, store.collectivite_names)
    rows = []
    for name in names:  # a handful of collectivités
        dates = services.evaluation_dates(Path(path), name, nom)
        rows.append((name, len(dates), dates[-1] if dates else None))
    return pd.DataFrame(rows, columns=["collectivite", "evaluations", "derniere"])


def collectivites_evaluees(nom: str = "cae") -> pd.DataFrame:
    """Every known collectivité with its number of evaluations and the latest date."""
    return guarded(_collectivites_evaluees, str(db_path()), _version(), nom)


@st.cache_data(show_spinner=False, max_entries=16)
def _evaluation_dates_of(path: str, version: tuple, collectivite: str, nom: str) -> list:
    return services.evaluation_dates(Path(path), collectivite, nom)


def evaluation_dates_of(collectivite: str, nom: str = "cae") -> list:
    """Dates of the collectivité's evaluations, oldest first (empty for an unknown one)."""
    return guarded(_evaluation_dates_of, str(db_path()), _version(), collectivite, nom)


# Shared objects, not copies: the engine caches the compiled tree and the personnalisation by
# the identity of the referential's frames, so a copy per run would recompute them (~60 ms).
@st.cache_resource(show_spinner=False, max_entries=4)
def _simulation_inputs(path: str, version: tuple, collectivite: str, nom: str) -> services.SimulationInputs:
    return services.simulation_inputs(Path(path), collectivite, referentiel=nom)


def simulation_inputs(collectivite: str, nom: str = "cae") -> services.SimulationInputs:
    """The latest evaluation of `collectivite` (referential, profile, statuses, date). Read-only."""
    return guarded(_simulation_inputs, str(db_path()), _version(), collectivite, nom)


def complete_detailed(statuses: pd.DataFrame, ids) -> pd.DataFrame:
    """The statuses with the programmé share of the détaillé rows `ids` moved to fait."""
    ids = set(ids)
    if not ids:
        return statuses
    out = statuses.copy()
    hit = out["action_id"].astype(str).isin(ids).to_numpy() & (out["statut"] == "detaille").to_numpy()
    out.loc[hit, "fait"] = out.loc[hit, "fait"].fillna(0.0) + out.loc[hit, "programme"].fillna(0.0)
    out.loc[hit, "programme"] = 0.0
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def _simulation(path: str, version: tuple, collectivite: str, nom: str, changes: tuple, realises: tuple):
    from cae_data.simulation import simulate

    inputs = _simulation_inputs(path, version, collectivite, nom)
    statuses = complete_detailed(inputs.statuses, realises)
    return simulate(inputs.referentiel, inputs.profile, statuses, dict(changes))


def simulation(collectivite: str, changes: dict[str, str] | None = None, realises=(), nom: str = "cae"):
    """cae_data.simulation.SimulationResult of the latest evaluation with `changes` (action_id →
    status code) and the détaillé rows `realises` completed. Nothing is written."""
    key = tuple(sorted((changes or {}).items()))
    return guarded(_simulation, str(db_path()), _version(), collectivite, nom, key, tuple(sorted(realises)))


@st.cache_data(show_spinner=False, max_entries=8)
def _completion_plan(path: str, version: tuple, collectivite: str, nom: str):
    from cae_data.simulation import smallest_completion_set

    inputs = _simulation_inputs(path, version, collectivite, nom)
    return smallest_completion_set(inputs.referentiel, inputs.profile, inputs.statuses)


def completion_plan(collectivite: str, nom: str = "cae"):
    """cae_data.simulation.CompletionPlan: the fewest programmées to complete for the next star."""
    return guarded(_completion_plan, str(db_path()), _version(), collectivite, nom)


def share_text(fait: float, programme: float, pas_fait: float) -> str:
    """« 30 % fait, 50 % programmé, 20 % pas fait » (shares 0–1; missing ones read 0)."""
    named = ((fait, "fait"), (programme, "programmé"), (pas_fait, "pas fait"))
    parts = [(0.0 if v != v else v, word) for v, word in named]
    return ", ".join(f"{pourcentage(v, 0 if round(v * 100, 1).is_integer() else 1)} {word}" for v, word in parts)


def simulation_table(nodes: pd.DataFrame, action_depth: int, statuses: pd.DataFrame,
                     scores: pd.DataFrame) -> pd.DataFrame:
    """The rows a user moves in the simulator, in referential order: every sous-action, and the
    tâches of the sous-actions evaluated tâche by tâche (no status of their own that wins).
    Columns: action_id, niveau, nom, sous_action_id, mesure_id, axe_id, statut (code, "" when
    none), statut_actuel (French label, one of SIMULATION_OPTIONS), detail (shares of a détaillé
    row), programme (its programmé share, 0 else), point_potentiel and point_fait (points of
    `scores`, the engine's rows of the evaluation)."""
    sous_action_depth = action_depth + 1
    rows = nodes[nodes["depth"] >= sous_action_depth]
    ids = rows["action_id"].astype(str)
    parts = ids.str.split(".")
    table = pd.DataFrame({
        "action_id": ids.to_numpy(),
        "niveau": rows["niveau"].astype(str).to_numpy(),
        "nom": rows["nom"].fillna("").astype(str).to_numpy(),
        "sous_action_id": parts.str[:sous_action_depth].str.join(".").to_numpy(),
        "mesure_id": parts.str[:action_depth].str.join(".").to_numpy(),
        "axe_id": parts.str[0].to_numpy(),
        "depth": rows["depth"].to_numpy(),
    })
    own = statuses.assign(action_id=statuses["action_id"].astype(str)).drop_duplicates("action_id", keep="last")
    own = own.set_index("action_id")
    table["statut"] = table["action_id"].map(own["statut"]).fillna("").astype(str)
    for share in ("fait", "programme", "pas_fait"):
        table[share] = table["action_id"].map(own[share]).astype("float64")
    is_sous_action = (table["depth"] == sous_action_depth).to_numpy()
    wins = table["statut"].isin(_OWN_STATUS_WINS).to_numpy()
    tache_with_status = ~is_sous_action & (table["statut"] != "").to_numpy()
    by_tache = set(table.loc[tache_with_status, "sous_action_id"]) - set(table.loc[is_sous_action & wins, "action_id"])
    shown = is_sous_action | table["sous_action_id"].isin(by_tache).to_numpy()
    table = table[shown].reset_index(drop=True)

    labels = table["statut"].map(SIMULABLE_LABELS)
    labels = labels.where(table["statut"] != "detaille", LABEL_DETAILLE)
    a_la_tache = (table["depth"] == sous_action_depth) & table["action_id"].isin(by_tache)
    labels = labels.where(~a_la_tache, LABEL_A_LA_TACHE)
    table["statut_actuel"] = labels.fillna(SIMULABLE_LABELS["non_renseigne"])
    detailed = table["statut"] == "detaille"
    table["detail"] = ""
    table.loc[detailed, "detail"] = [share_text(f, p, pf) for f, p, pf in
                                     table.loc[detailed, ["fait", "programme", "pas_fait"]].itertuples(index=False)]
    table["programme"] = table["programme"].where(detailed, 0.0).fillna(0.0)
    points = scores.assign(action_id=scores["action_id"].astype(str)).set_index("action_id")
    table["point_potentiel"] = table["action_id"].map(points["point_potentiel"]).astype("float64")
    table["point_fait"] = table["action_id"].map(points["point_fait"]).astype("float64")
    return table.drop(columns=["fait", "pas_fait", "depth"])


@st.cache_data(show_spinner=False, max_entries=8)
def _simulation_rows(path: str, version: tuple, collectivite: str, nom: str) -> pd.DataFrame:
    inputs = _simulation_inputs(path, version, collectivite, nom)
    baseline = _simulation(path, version, collectivite, nom, (), ())
    ref = inputs.referentiel
    return simulation_table(ref.nodes, ref.action_depth, inputs.statuses, baseline.scores)


def simulation_rows(collectivite: str, nom: str = "cae") -> pd.DataFrame:
    """`simulation_table` of the latest evaluation of `collectivite`."""
    return guarded(_simulation_rows, str(db_path()), _version(), collectivite, nom)


@dataclass
class SimulationChoices:
    """What the chosen labels mean for the engine: `changes` (action_id → status code, for
    simulation.simulate), `realises` (détaillé rows whose programmé share becomes fait) and
    `ignores` (rows given a state they cannot take: kept as they are)."""

    changes: dict[str, str]
    realises: list[str]
    ignores: list[str]


def simulation_choices(table: pd.DataFrame, chosen: dict[str, str]) -> SimulationChoices:
    by_label = {label: code for code, label in SIMULABLE_LABELS.items()}
    rows = table.set_index("action_id")
    out = SimulationChoices({}, [], [])
    for action_id, label in chosen.items():  # only the rows the user changed
        if action_id not in rows.index:
            out.ignores.append(action_id)
            continue
        row = rows.loc[action_id]
        if label == row["statut_actuel"]:
            continue
        if label in by_label:
            out.changes[action_id] = by_label[label]
        elif label == LABEL_DETAILLE_REALISE and row["statut"] == "detaille" and row["programme"] > 0:
            out.realises.append(action_id)
        else:
            out.ignores.append(action_id)
    return out


def plan_choices(table: pd.DataFrame, statuses: pd.DataFrame, sous_actions: list[str],
                 action_depth: int) -> dict[str, str]:
    """The labels that complete the sous-actions of a CompletionPlan the way the engine counts
    it: every programmé row in them (the sous-action or its tâches) becomes fait, and a
    détaillé row gets its programmé share done."""
    wanted = set(sous_actions)
    ids = statuses["action_id"].astype(str)
    unit = ids.str.split(".").str[:action_depth + 1].str.join(".")
    inside = unit.isin(wanted).to_numpy()
    chosen = {}
    for action_id, statut, programme in zip(ids[inside], statuses["statut"][inside], statuses["programme"][inside]):
        if statut == "programme":
            chosen[action_id] = SIMULABLE_LABELS["fait"]
        elif statut == "detaille" and programme == programme and programme > 0:
            chosen[action_id] = LABEL_DETAILLE_REALISE
    shown = set(table["action_id"])
    return {k: v for k, v in chosen.items() if k in shown}


def scores_actuel_simule(before: pd.DataFrame, after: pd.DataFrame, when) -> pd.DataFrame:
    """The two evaluations as the long score frame of cae_data.analyses (collectivite « Actuel »
    and « Simulé », same date), for the category and axis radars."""
    stamp = pd.Timestamp(when) if when is not None else pd.Timestamp("1970-01-01")
    frames = [before.assign(collectivite="Actuel", date=stamp), after.assign(collectivite="Simulé", date=stamp)]
    return pd.concat(frames, ignore_index=True)


@dataclass
class SimulationRadar:
    """One radar of the simulator: « Actuel » and « Simulé » over categories or axes (`figure`
    None when there are fewer than three branches)."""

    title: str
    filename: str
    frame: pd.DataFrame
    figure: object | None


@st.cache_data(show_spinner=False, max_entries=32)
def _simulation_radars(path: str, version: tuple, collectivite: str, nom: str, changes: tuple, realises: tuple):
    from cae_data import analyses
    from pages import _charts  # imports this module: loaded here

    inputs = _simulation_inputs(path, version, collectivite, nom)
    nodes = inputs.referentiel.nodes
    before = _simulation(path, version, collectivite, nom, (), ())
    after = _simulation(path, version, collectivite, nom, changes, realises)
    long = scores_actuel_simule(before.scores, after.scores, inputs.date)
    by_category = analyses.scores_by_category(long, nodes)
    by_category["label"] = by_category["categorie"].astype(str).str.capitalize()
    axes = nodes.loc[nodes["niveau"] == "axe", "action_id"].astype(str).tolist()
    if len(axes) >= 3:
        by_axis = analyses.scores_by_axis(long, nodes=nodes)
        by_axis["label"] = [f"Axe {a}" for a in by_axis["action_id"]]
        axis_title = "Score réalisé par axe"
    else:  # the seed documents: one axe, so its mesures
        by_axis = analyses.scores_by_axis(long, axe=axes[0] if axes else None, nodes=nodes)
        by_axis["label"] = by_axis["action_id"].astype(str)
        axis_title = "Score réalisé par mesure"
    out = []
    radars = ((by_category, "Score réalisé par catégorie", "categories"), (by_axis, axis_title, "axes"))
    for frame, title, name in radars:
        figure = None
        if frame["label"].nunique() >= 3:
            figure = _charts.radar(frame, "label", "collectivite", title=title, height=560)
            # the legend below the circle: at the top it covers the label of the first branch
            figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center"),
                                 margin=dict(t=70, b=80))
        out.append(SimulationRadar(title, f"simulation-radar-{name}", frame, figure))
    return out


def simulation_radars(collectivite: str, changes: dict[str, str] | None = None, realises=(), nom: str = "cae"):
    """The category radar and the axis radar (by mesure when one axe only) of the simulation."""
    key = tuple(sorted((changes or {}).items()))
    return guarded(_simulation_radars, str(db_path()), _version(), collectivite, nom, key, tuple(sorted(realises)))


# Import page

@dataclass
class EvaluationCheck:
    """The outcome of reading an uploaded evaluation: the file when valid, else its problems, or
    a French `error` when it could not be read at all."""

    evaluation: object | None = None  # cae_data.evaluation.reader.EvaluationFile
    problems: list = field(default_factory=list)  # cae_data.errors.Problem
    error: str | None = None


@st.cache_data(show_spinner=False, max_entries=4)
def _check_evaluation(path: str, version: tuple, digest: str, filename: str, collectivite: str | None,
                      on_date, _data: bytes) -> EvaluationCheck:
    import logging

    try:
        return EvaluationCheck(evaluation=services.read_evaluation_file(Path(path), _data, filename,
                                                                        collectivite, on_date))
    except InvalidInput as exc:
        return EvaluationCheck(problems=exc.problems)
    except (db.DatabaseBusy, db.DatabaseMissing, services.Refused):
        raise
    except Exception:  # a file no reader expected: say so in French, keep the trace in the log
        logging.getLogger(__name__).exception("lecture de %s", filename)
        return EvaluationCheck(error=(
            f"Le fichier « {filename} » n'a pas pu être lu : ce n'est sans doute pas un fichier CSV ou "
            "XLSX valide (fichier abîmé, protégé par mot de passe ou d'un autre format). "
            "Enregistrez-le de nouveau depuis votre tableur, en CSV ou en XLSX, puis réessayez."))


def check_evaluation(data: bytes, filename: str, collectivite: str | None, on_date) -> EvaluationCheck:
    """Validate an uploaded file against the database (nothing written); cached by content."""
    from cae_data.archive import sha256_of

    return guarded(_check_evaluation, str(db_path()), _version(), sha256_of(data), filename,
                   collectivite, on_date, data)


def evaluation_preview(rows: pd.DataFrame, nodes: pd.DataFrame | None, limit: int = 200) -> pd.DataFrame:
    """The first `limit` rows read, for display: Ligne, Action, Intitulé, Statut (French label),
    Fait %, Programmé %, Pas fait % (détaillé only), Commentaire; Collectivité and Date too when
    the file holds several evaluations."""
    from cae_data.evaluation.statuses import LABELS

    head = rows.head(limit)
    names = {} if nodes is None else dict(zip(nodes["action_id"].astype(str), nodes["nom"].fillna("")))
    out = pd.DataFrame({
        "Ligne": head["line"].astype("int64").to_numpy(),
        "Action": head["action_id"].astype(str).to_numpy(),
        "Intitulé": head["action_id"].astype(str).map(names).fillna("").to_numpy(),
        "Statut": head["statut"].map(LABELS).fillna(head["statut"]).to_numpy(),
    })
    for column, label in (("fait", "Fait %"), ("programme", "Programmé %"), ("pas_fait", "Pas fait %")):
        out[label] = [("" if v != v else nombre(v * 100, 0 if round(v * 100, 1).is_integer() else 1))
                      for v in head[column].to_numpy(dtype="float64")]
    out["Commentaire"] = head["commentaire"].astype(str).to_numpy()
    if len(rows[["collectivite", "date"]].drop_duplicates()) > 1:
        out.insert(1, "Collectivité", head["collectivite"].astype(str).to_numpy())
        out.insert(2, "Date", [date_fr(d) for d in head["date"]])
    return out


def status_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows per status, in the order of the labels (statuses absent from the file left out)."""
    from cae_data.evaluation.statuses import LABELS

    counts = rows["statut"].value_counts()
    return pd.DataFrame([(label, int(counts[code])) for code, label in LABELS.items() if code in counts.index],
                        columns=["Statut", "Lignes"])


def problem_table(problems: list) -> pd.DataFrame:
    """The validation report: Ligne, Colonne, Message (one row per problem, in file order)."""
    return pd.DataFrame({
        "Ligne": pd.array([p.line for p in problems], dtype="Int64"),
        "Colonne": ["" if p.column is None else str(p.column) for p in problems],
        "Message": [p.message for p in problems],
    })


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluation_uploads(path: str, version: tuple) -> pd.DataFrame:
    uploads = services.list_uploads(Path(path))
    return uploads[uploads["kind"] == "evaluation"].reset_index(drop=True)


def evaluation_uploads() -> pd.DataFrame:
    """The archived evaluation files, newest first (services.list_uploads columns)."""
    return guarded(_evaluation_uploads, str(db_path()), _version())


def uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """Display form of the uploads: Fichier, Empreinte (12 first characters), SHA-256 (whole),
    Importé le (jj/mm/aaaa hh:mm), Lignes, Par."""
    return pd.DataFrame({
        "Fichier": uploads["filename"].astype(str).to_numpy(),
        "Empreinte": (uploads["sha256"].astype(str).str[:12] + "…").to_numpy(),
        "SHA-256": uploads["sha256"].astype(str).to_numpy(),
        "Importé le": [pd.Timestamp(t).strftime("%d/%m/%Y %H:%M") for t in uploads["uploaded_at"]],
        "Lignes": uploads["rows"].astype("int64").to_numpy(),
        "Par": uploads["uploaded_by"].fillna("non identifié").astype(str).to_numpy(),
    })


def upload_bytes(upload_id: int) -> bytes:
    """The archived file exactly as uploaded (for a deferred st.download_button)."""
    return services.read_upload(db_path(), int(upload_id)).data


@st.cache_data(show_spinner=False, max_entries=4)
def _template(path: str, version: tuple, nom: str, kind: str) -> bytes:
    from cae_data.evaluation.templates import template_csv, template_xlsx

    ref = _referentiel(path, version, nom)
    return (template_csv if kind == "csv" else template_xlsx)(ref.nodes)


def evaluation_template(kind: str, nom: str = "cae") -> bytes:
    """The blank evaluation file of the loaded referential: kind « csv » or « xlsx »."""
    return _template(str(db_path()), _version(), nom, kind)


# --- indicators
# Reads and small pure helpers of « Fiches-actions » (list, indicator charts, value entry and
# import) and « Nouvelle fiche-action » (pages/fiche_nouvelle.py).

PAGE_FICHE_NOUVELLE = "pages/fiche_nouvelle.py"
FLAG_STALE = "Pas de valeur depuis plus de 90 jours"
FLAG_BEHIND = "En retard sur la trajectoire"
STATUT_LABELS = {"atteinte": "Cible atteinte", "en bonne voie": "En bonne voie", "en retard": "En retard",
                 "pas de cible": "Pas de cible", "données insuffisantes": "Données insuffisantes"}
STATUT_INDICATEUR_BADGES = {"atteinte": "green", "en bonne voie": "blue", "en retard": "red",
                            "pas de cible": "gray", "données insuffisantes": "gray"}
PLAN_DEBUT, PLAN_FIN = 2020, 2026  # the PCAET's years when a sous-action has no calendar


@st.cache_data(show_spinner=False, max_entries=8)
def _indicator_overview(path: str, version: tuple, today, committee_date) -> pd.DataFrame:
    return services.indicator_overview(Path(path), today, committee_date)


def indicator_overview(today=None, committee_date=None) -> pd.DataFrame:
    """Every indicator with its status (services.indicator_overview columns)."""
    from datetime import date

    return guarded(_indicator_overview, str(db_path()), _version(), today or date.today(), committee_date)


@st.cache_data(show_spinner=False, max_entries=64)
def _indicator_values(path: str, version: tuple, indicateur_id: str) -> pd.DataFrame:
    return services.indicator_values(Path(path), indicateur_id)


def indicator_values(indicateur_id: str) -> pd.DataFrame:
    return guarded(_indicator_values, str(db_path()), _version(), indicateur_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _indicator_targets(path: str, version: tuple, indicateur_id: str) -> pd.DataFrame:
    return services.indicator_targets(Path(path), indicateur_id)


def indicator_targets(indicateur_id: str) -> pd.DataFrame:
    return guarded(_indicator_targets, str(db_path()), _version(), indicateur_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _comite_dates(path: str, version: tuple) -> list:
    return [c.date for c in services.list_comites(Path(path))]


def last_comite_before(today) -> "date | None":
    """The latest committee held before `today` (the « previous committee »), or None."""
    dates = [d for d in guarded(_comite_dates, str(db_path()), _version()) if d < today]
    return max(dates) if dates else None


def indicator_flags(row) -> list[str]:
    """The alerts of one indicator_overview row: stale, behind its trajectory."""
    flags = []
    if bool(row["stale"]):
        flags.append(FLAG_STALE)
    behind = row["behind_trajectory"]
    if behind is not None and behind is not pd.NA and bool(behind):
        flags.append(FLAG_BEHIND)
    return flags


def valeur_text(value: float | None, unite: str = "") -> str:
    """12 → « 12 », 12.5 → « 12,5 », with the unit unless it is « nombre »."""
    if value is None or pd.isna(value):
        return "—"
    text = nombre(value, 0 if float(value).is_integer() else 1)
    return text if not unite or unite == "nombre" else f"{text} {unite}"


def projection_sentence(row) -> str:
    """Whether the target will be met, in one French sentence, from an indicator_overview row."""
    unite = row["unite"]
    if row["status"] == "pas de cible":
        return "Aucune cible chiffrée : pas de projection possible."
    target = valeur_text(row["target"], unite)
    year = int(row["target_year"])
    if row["status"] == "atteinte":
        return f"La cible {year} ({target}) est déjà atteinte : dernière valeur {valeur_text(row['last_value'], unite)}."
    if row["status"] == "données insuffisantes":
        return f"Pas assez de valeurs pour projeter la tendance vers la cible {year} ({target})."
    if pd.isna(row["projected_value"]):
        return f"L'échéance {year} est passée sans que la cible ({target}) soit atteinte."
    projected = valeur_text(row["projected_value"], unite)
    if row["status"] == "en bonne voie":
        return (f"Au rythme actuel, la cible {year} sera atteinte : valeur projetée {projected} "
                f"au 31/12/{year} pour une cible de {target}.")
    return (f"Au rythme actuel, la cible {year} ne sera pas atteinte : valeur projetée {projected} "
            f"au 31/12/{year} pour une cible de {target}.")


def elapsed_share(debut: int | None, fin: int | None, today) -> float:
    """Share of the years debut–fin (1 January to 31 December) elapsed on `today`, 0 to 1;
    without a calendar, the PCAET's years."""
    from datetime import date

    start = date(debut or PLAN_DEBUT, 1, 1)
    end = date(fin or debut or PLAN_FIN, 12, 31)
    if today <= start:
        return 0.0
    if today >= end:
        return 1.0
    return (today - start).days / (end - start).days


@st.cache_data(show_spinner=False, max_entries=8)
def _check_indicator_file(path: str, version: tuple, digest: str, filename: str, data: bytes, today):
    try:
        return services.read_indicator_file(Path(path), data, filename, today), []
    except InvalidInput as exc:
        return None, exc.problems


def check_indicator_file(data: bytes, filename: str, today=None):
    """(rows, problems) of an indicator values file, validated without writing."""
    from datetime import date

    from cae_data.archive import sha256_of

    return _check_indicator_file(str(db_path()), _version(), sha256_of(data), filename, data,
                                 today or date.today())


def check_fiche_yaml(data: bytes, filename: str):
    """(fiche, problems) of a fiche YAML, validated without writing."""
    from cae_data.fiches.yaml_format import read_fiche_yaml

    try:
        return read_fiche_yaml(data, filename), []
    except InvalidInput as exc:
        return None, exc.problems


def fiche_yaml(fiche) -> str:
    from cae_data.fiches.yaml_format import fiche_to_yaml

    return fiche_to_yaml(fiche)


def form_yaml(titre: str, collectivite: str, enjeux: str, objectifs: str, sous_actions: list[dict],
              indicateurs: list[dict], mesures: list[str]) -> str:
    """The YAML of a fiche typed in the form (docs/fiche-action-yaml.md), to be validated by the
    same reader as an uploaded file. sous_actions: descriptif, etat, debut, fin; indicateurs:
    nom, unite, sens, annee, cible (empty fields left out)."""
    import yaml

    fiche: dict = {"titre": titre.strip()}
    for key, text in (("collectivite", collectivite), ("enjeux", enjeux), ("objectifs", objectifs)):
        if text and text.strip():
            fiche[key] = text.strip()
    rows = []
    for sa in sous_actions:
        if not str(sa.get("descriptif") or "").strip():
            continue
        row = {"descriptif": str(sa["descriptif"]).strip()}
        if sa.get("etat"):
            row["etat"] = sa["etat"]
        if sa.get("debut") or sa.get("fin"):
            row["calendrier"] = {"debut": int(sa.get("debut") or sa.get("fin")),
                                 "fin": int(sa.get("fin") or sa.get("debut"))}
        rows.append(row)
    if rows:
        fiche["sous_actions"] = rows
    items = []
    for ind in indicateurs:
        if not str(ind.get("nom") or "").strip():
            continue
        item = {"nom": str(ind["nom"]).strip(), "sens": ind.get("sens") or "hausse"}
        if str(ind.get("unite") or "").strip():
            item["unite"] = str(ind["unite"]).strip()
        if ind.get("annee") and ind.get("cible") not in (None, ""):
            item["cibles"] = {int(ind["annee"]): str(ind["cible"]).strip()}
        items.append(item)
    if items:
        fiche["indicateurs"] = items
    if mesures:
        fiche["mesures"] = list(mesures)
    return ("# Fiche-action de PCAET — format décrit dans docs/fiche-action-yaml.md\n"
            + yaml.safe_dump(fiche, allow_unicode=True, sort_keys=False))


def indicator_trajectory(values: pd.DataFrame, targets: pd.DataFrame, today) -> pd.DataFrame:
    """The trajectory line to draw (cae_data.fiches.indicateurs.trajectory_line)."""
    from cae_data.fiches.indicateurs import trajectory_line

    return trajectory_line(values, targets, today)


def indicator_projection(values: pd.DataFrame, targets: pd.DataFrame, today) -> pd.DataFrame:
    """The straight-line projection up to the next target's year (or the PCAET's last year)."""
    from cae_data.fiches.indicateurs import next_target, projection_line

    target = next_target(targets, today)
    return projection_line(values, target[0] if target else max(PLAN_FIN, today.year))
