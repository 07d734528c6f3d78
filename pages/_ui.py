"""The few Streamlit helpers pages share: where the database is, cached reads invalidated when
the database changes, French formatting and the message shown when there is nothing to show.

Every read is a `st.cache_data` function keyed on the database path and `store.data_version(path)`
(the file's mtime and size), so a page never shows data older than the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from cae_data import clock, services, store
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
    return store.resolve_db_path(None).resolve()


def _version() -> tuple:
    return store.data_version(db_path())


def require_database() -> Path:
    """Stop the page with a French explanation when the database is missing or empty."""
    path = db_path()
    if not store.is_initialised(path):
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
    except store.DatabaseBusy as exc:
        st.info(str(exc))
        st.stop()
    except (services.Refused, store.DatabaseMissing) as exc:
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


@st.cache_data(show_spinner=False, max_entries=8)
def _fiches(path: str, version: tuple) -> list:
    return services.load_fiches(Path(path))


def fiches() -> list:
    """Every fiche-action (cae_data.fiches.model.FicheAction), by title."""
    return guarded(_fiches, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=8)
def _outils(path: str, version: tuple) -> list:
    return services.load_outils(Path(path))


def outils() -> list:
    """The cooperation tools (cae_data.fiches.cooperation.OutilCooperation), in deck order."""
    return guarded(_outils, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=64)
def _fiches_for_mesure(path: str, version: tuple, action_id: str, nom: str) -> pd.DataFrame:
    return services.fiches_for_mesure(Path(path), action_id, nom)


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
        return split_intro(services.cooperation_intro(Path(seeds)))
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


def show_texts(description: str | None, textes: dict | None) -> None:
    """A node's description and its other sections (Contexte, Exemples…), one tab each when
    there are several; empty sections are left out."""
    sections = {"Description": description, **(textes if isinstance(textes, dict) else {})}
    sections = {title: text for title, text in sections.items() if text and str(text).strip()}
    if len(sections) == 1:
        markdown_safe(next(iter(sections.values())))
    elif sections:
        for tab, text in zip(st.tabs(list(sections)), sections.values()):
            with tab:
                markdown_safe(text)


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
    return {nom: profile.type for nom, profile in services.load_profiles(Path(path)).items()}


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
    """Who writes: the signed-in account (section « roles »), else None (« non identifié »)."""
    return st.session_state.get(SESSION_KEY)


@st.cache_data(show_spinner=False, max_entries=8)
def _collectivites_evaluees(path: str, version: tuple, nom: str) -> pd.DataFrame:
    names = services.collectivite_names(Path(path))
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
    except (store.DatabaseBusy, store.DatabaseMissing, services.Refused):
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

    return guarded(_indicator_overview, str(db_path()), _version(), today or clock.today(), committee_date)


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

    from cae_data.archive import sha256_of

    return _check_indicator_file(str(db_path()), _version(), sha256_of(data), filename, data,
                                 today or clock.today())


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


# --- committee
# Reads and small pure helpers of « Comité de pilotage » (pages/comite.py) and of the
# presentation mode (pages/presentation.py): the committees, « depuis le dernier comité »
# (cae_data.comites), the committee's reports and the static PNG export of charts.

PAGE_COMITE = "pages/comite.py"
PAGE_PRESENTATION = "pages/presentation.py"
COMITE_MEMORY = "comite_choisi"  # the committee shown, remembered from page to page
PRESENTATION_PARAM = "presentation"  # ?presentation=1: the dashboard becomes slides
SLIDE_PARAM = "diapo"  # ?diapo=2: the slide shown (1-based, in the saved order)
SLIDE_TITLES = services.PRESENTATION_SLIDES
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
COMITE_FIELDS = {"date": "Date", "titre": "Titre", "participants": "Participants", "notes": "Notes et décisions"}


@st.cache_data(show_spinner=False, max_entries=8)
def _comites(path: str, version: tuple) -> list:
    return services.list_comites(Path(path))


def comites() -> list:
    """Every committee (cae_data.comites.Comite), oldest first."""
    return guarded(_comites, str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=4)
def _committee_history(path: str, version: tuple, comite_date, collectivite: str | None):
    return services.committee_history(Path(path), comite_date, collectivite)


@st.cache_data(show_spinner=False, max_entries=8)
def _committee_changes(path: str, version: tuple, comite_date, collectivite: str | None):
    from cae_data.comites import committee_diff

    return committee_diff(_committee_history(path, version, comite_date, collectivite))


def committee_changes(comite_date, collectivite: str | None = None):
    """« Depuis le dernier comité » (cae_data.comites.CommitteeChanges) of the committee of
    that date against the one before it."""
    return guarded(_committee_changes, str(db_path()), _version(), comite_date, collectivite)


@st.cache_data(show_spinner=False, max_entries=8)
def _committee_categories(path: str, version: tuple, comite_date, collectivite: str | None) -> pd.DataFrame:
    from cae_data.rapports import category_frame

    history = _committee_history(path, version, comite_date, collectivite)
    return category_frame(history, _committee_changes(path, version, comite_date, collectivite))


def committee_categories(comite_date, collectivite: str | None = None) -> pd.DataFrame:
    """% fait by category at the previous committee and at this one (serie, categorie,
    part_fait; the previous committee's series first), as in the committee's PDF."""
    return guarded(_committee_categories, str(db_path()), _version(), comite_date, collectivite)


@st.cache_data(show_spinner=False, max_entries=8)
def _committee_indicator_values(path: str, version: tuple, comite_date, collectivite: str | None) -> pd.DataFrame:
    from cae_data.rapports import values_until

    history = _committee_history(path, version, comite_date, collectivite)
    return values_until(history, history.comite.date)


@st.cache_data(show_spinner=False, max_entries=4)
def _committee_report(path: str, version: tuple, fmt: str, comite_date, collectivite: str | None) -> bytes:
    return services.committee_report(Path(path), fmt, comite_date, collectivite)


def committee_report(fmt: str, comite_date, collectivite: str | None = None) -> tuple[bytes | None, str | None]:
    """(the report's bytes, None), or (None, the French reason) when it cannot be made (no
    browser for the charts, no font…). Cached by data version and committee."""
    try:
        return _committee_report(str(db_path()), _version(), fmt, comite_date, collectivite), None
    except (services.Refused, store.DatabaseBusy) as exc:
        return None, str(exc)


def report_filename(fmt: str, collectivite: str, comite_date) -> str:
    """« comite-capso-2026-11-19.pdf »: ASCII, no spaces."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(collectivite)).strip("-") or "collectivite"
    return f"comite-{slug}-{comite_date.isoformat()}.{fmt}"


def static_export_available() -> bool:
    """Whether a Chromium is installed for kaleido's static export (PNG of the charts)."""
    import shutil

    return any(Path(p).exists() for p in CHROMIUM_CANDIDATES) or bool(shutil.which("chromium"))


@st.cache_data(show_spinner=False, max_entries=64)
def _chart_png(figure_json: str, width: int, height: int) -> bytes:
    import plotly.io as pio

    from cae_data.charts import figure_png

    return figure_png(pio.from_json(figure_json), width, height)


def chart_png(figure, width: int = 1600, height: int | None = None) -> bytes:
    """The figure as a PNG made on the server (kaleido, offline), cached by its content."""
    height = int(height or figure.layout.height or 700)
    return _chart_png(figure.to_json(), int(width), height)


def comite_label(comite, latest: bool = False) -> str:
    """« 19/11/2026 — Préparation du dossier de labellisation »."""
    return f"{date_fr(comite.date)} — {comite.titre}" + (" (le plus récent)" if latest else "")


def comite_rows(comites: list) -> pd.DataFrame:
    """The committees for a table, latest first: Date, Titre, Participants (their number),
    Décisions (« notées » or « à saisir »)."""
    ordered = sorted(comites, key=lambda c: c.date, reverse=True)
    return pd.DataFrame({
        "Date": [date_fr(c.date) for c in ordered],
        "Titre": [c.titre for c in ordered],
        "Participants": [len(c.participants) for c in ordered],
        "Décisions": ["notées" if c.notes.strip() else "à saisir" for c in ordered],
    })


def problem_messages(exc: InvalidInput) -> list[str]:
    """« Date : un comité existe déjà le … » — one French line per problem of a form."""
    return [(f"{COMITE_FIELDS.get(str(p.column), str(p.column))} : " if p.column else "") + p.message
            for p in exc.problems]


def signed_share(delta: float | None) -> str:
    """A change of share in percentage points: « +0,8 pt », « −1,2 pt », « 0 pt »."""
    from cae_data.formatting import ecart_pourcentage

    return ecart_pourcentage(delta)


def level_change_rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """CommitteeChanges.axes / .mesures for a table: N°, `label`, % fait avant, % fait après,
    Évolution (points of %), Points faits (signed), Points programmés (signed)."""
    return pd.DataFrame({
        "N°": frame["action_id"].astype(str).to_numpy(),
        label: frame["nom"].astype(str).to_numpy(),
        "% fait avant": [pourcentage(v) for v in frame["part_fait_avant"]],
        "% fait après": [pourcentage(v) for v in frame["part_fait_apres"]],
        "Évolution": [signed_share(v) for v in frame["delta_part_fait"]],
        "Points faits": [ecart_points(v) for v in frame["delta_point_fait"]],
        "Points programmés": [ecart_points(v) for v in frame["delta_point_programme"]],
    })


def category_change_rows(categories: pd.DataFrame) -> pd.DataFrame:
    """committee_categories for a table: Catégorie, one column per committee (« Comité du
    12/11/2026 », the previous one first) and Évolution when there are two."""
    series = list(dict.fromkeys(categories["serie"].astype(str)))
    out = pd.DataFrame({"Catégorie": [str(c)[:1].upper() + str(c)[1:]
                                      for c in dict.fromkeys(categories["categorie"].astype(str))]})
    shares = {}
    for name in series:
        rows = categories[categories["serie"].astype(str) == name]
        values = dict(zip(rows["categorie"].astype(str), rows["part_fait"].astype(float)))
        shares[name] = [values.get(str(c), float("nan")) for c in dict.fromkeys(categories["categorie"].astype(str))]
        out[name.split(" (")[0]] = [pourcentage(v) for v in shares[name]]
    if len(series) == 2:
        out["Évolution"] = [signed_share(b - a) for a, b in zip(shares[series[0]], shares[series[1]])]
    return out


def status_change_rows(statuts: pd.DataFrame) -> pd.DataFrame:
    """CommitteeChanges.statuts for a table: Action, Intitulé, Avant, Après, Points faits
    (gained + / lost −), Points programmés."""
    return pd.DataFrame({
        "Action": statuts["action_id"].astype(str).to_numpy(),
        "Intitulé": statuts["nom"].astype(str).to_numpy(),
        "Avant": [compact_status(s.code_avant, s.statut_avant, s.fait_avant, s.programme_avant)
                  for s in statuts.itertuples(index=False)],
        "Après": [compact_status(s.code_apres, s.statut_apres, s.fait_apres, s.programme_apres)
                  for s in statuts.itertuples(index=False)],
        "Points faits": [ecart_points(v) for v in statuts["delta_point_fait"]],
        "Points programmés": [ecart_points(v) for v in statuts["delta_point_programme"]],
    })


def signed_value(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    rounded = round(float(value), 2)
    if rounded == 0:
        return "0"
    text = nombre(abs(rounded), 0 if rounded.is_integer() else (1 if round(rounded, 1) == rounded else 2))
    return ("+" if rounded > 0 else "−") + text


def indicator_change_rows(indicateurs: pd.DataFrame) -> pd.DataFrame:
    """CommitteeChanges.indicateurs for a table: Indicateur, Au comité précédent, Dernière
    valeur, Évolution, Nouvelles valeurs, Cible, Statut."""
    rows = []
    for ind in indicateurs.itertuples(index=False):
        unite = ind.unite if isinstance(ind.unite, str) else ""
        before = "—" if pd.isna(ind.valeur_avant) else f"{valeur_text(ind.valeur_avant, unite)} ({date_fr(ind.date_avant)})"
        after = "—" if pd.isna(ind.valeur_apres) else f"{valeur_text(ind.valeur_apres, unite)} ({date_fr(ind.date_apres)})"
        target = "—" if pd.isna(ind.cible) else f"{valeur_text(ind.cible, unite)} en {int(ind.cible_annee)}"
        rows.append({
            "Indicateur": ind.nom, "Au comité précédent": before, "Dernière valeur": after,
            "Évolution": signed_value(ind.evolution), "Nouvelles valeurs": int(ind.nouvelles_valeurs),
            "Cible": target, "Statut": STATUT_LABELS.get(ind.statut, str(ind.statut)),
        })
    return pd.DataFrame(rows, columns=["Indicateur", "Au comité précédent", "Dernière valeur", "Évolution",
                                       "Nouvelles valeurs", "Cible", "Statut"])


def new_value_rows(valeurs: pd.DataFrame) -> pd.DataFrame:
    """CommitteeChanges.valeurs for a table: Date, Indicateur, Valeur, Commentaire, Saisie par."""
    return pd.DataFrame({
        "Date": [date_fr(d) for d in valeurs["date"]],
        "Indicateur": valeurs["nom"].astype(str).to_numpy(),
        "Valeur": [valeur_text(v, u if isinstance(u, str) else "") for v, u in zip(valeurs["valeur"], valeurs["unite"])],
        "Commentaire": valeurs["commentaire"].fillna("").astype(str).to_numpy(),
        "Saisie par": [s if isinstance(s, str) and s else "non identifié" for s in valeurs["saisi_par"]],
    })


UPLOAD_KINDS = {"evaluation": "Évaluation", "indicateurs": "Valeurs d'indicateurs", "fiche": "Fiche-action",
                "referentiel": "Référentiel", "collectivite": "Collectivité"}


def upload_rows(imports: pd.DataFrame) -> pd.DataFrame:
    """CommitteeChanges.imports for a table: Fichier, Type, Par, Le (jj/mm/aaaa à hh:mm), Résumé."""
    return pd.DataFrame({
        "Fichier": imports["filename"].astype(str).to_numpy(),
        "Type": [UPLOAD_KINDS.get(k, str(k)) for k in imports["kind"]],
        "Par": [u if isinstance(u, str) and u else "non identifié" for u in imports["uploaded_by"]],
        "Le": [pd.Timestamp(t).strftime("%d/%m/%Y à %H:%M") for t in imports["uploaded_at"]],
        "Résumé": imports["summary"].fillna("").astype(str).to_numpy(),
    })


def ranked_moves(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest moves of points faits first, then the referential's order."""
    order = frame["delta_point_fait"].astype(float).abs().round(9)
    return frame.assign(_rang=order.to_numpy()).sort_values("_rang", ascending=False, kind="stable").drop(
        columns="_rang").reset_index(drop=True)


def compact_status(code: str, text: str, fait, programme) -> str:
    """« Détaillé : fait 80 %, programmé 20 % » (shares at 0 left out) for a narrow cell; other
    statuses as their French text."""
    if code != "detaille":
        return str(text)
    parts = [f"{name} {pourcentage(share, 0)}" for name, share in (("fait", fait), ("programmé", programme))
             if share is not None and share == share and share > 0]
    return "Détaillé : " + (", ".join(parts) if parts else f"pas fait {pourcentage(1.0, 0)}")


def notes_for_slide(notes: str, max_lines: int = 13, width: int = 100) -> tuple[list[str], bool]:
    """The non-empty lines of a committee's notes that fit on a slide: about `max_lines` lines
    of `width` characters (a long line counts for the lines it wraps on). Returns (lines,
    whether some were left out)."""
    lines = [" ".join(line.split()) for line in notes.splitlines() if line.strip()]
    kept, used = [], 0
    for line in lines:
        cost = max(1, -(-len(line) // width))
        if used + cost > max_lines:
            room = (max_lines - used) * width
            if room >= 40:  # a useful part of the line still fits
                head = line[: room - 1]
                kept.append((head.rsplit(" ", 1)[0] if " " in head else head).rstrip() + " …")
            return kept, True
        kept.append(line)
        used += cost
    return kept, False


def stars_text(count: int) -> str:
    """3 → « ★★★☆☆ »."""
    count = max(0, min(5, int(count)))
    return "★" * count + "☆" * (5 - count)


def slide_order() -> list[str]:
    """The saved order of the presentation's slides (keys of SLIDE_TITLES)."""
    return services.slide_order(db_path())


def slide_index(order: list[str], requested) -> int:
    """The 0-based slide to show for `?diapo=` (1-based; the first when absent or unreadable,
    the last when beyond the end)."""
    try:
        number = int(str(requested))
    except (TypeError, ValueError):
        return 0
    return min(max(number, 1), len(order)) - 1


def markdown_table(frame: pd.DataFrame, align: list[str] | None = None) -> str:
    """A DataFrame as a markdown table (every cell escaped, shown exactly as written), for the
    slides where st.dataframe's text would be too small. `align`: « l » or « r » per column."""
    align = align or ["l"] * len(frame.columns)
    head = "| " + " | ".join(plain(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---:" if a == "r" else ":---" for a in align) + " |"
    body = ["| " + " | ".join(plain(" ".join(str(v).split())) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


# Static CSS of the presentation mode (no user text in it): Streamlit's chrome hidden, the
# slide's keyed containers (class `st-key-<key>`) in type readable from the back of a room.
PRESENTATION_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stAppDeployButton"], footer { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.6rem 3.5rem 7.5rem 3.5rem !important; max-width: none !important; }
[data-testid="stMain"] { overflow-x: hidden; }
.st-key-diapo-entete p { font-size: 30px; color: #444444; margin: 0; line-height: 1.2; }
.st-key-diapo-compteur p { text-align: right; font-weight: 700; color: #1A1A1A; }
.st-key-diapo-titre h1 { font-size: 64px; line-height: 1.1; padding: 0.2rem 0 0.6rem 0; color: #1A1A1A; }
.st-key-diapo-corps p, .st-key-diapo-corps li { font-size: 36px; line-height: 1.3; }
.st-key-diapo-corps table { font-size: 34px; width: 100%; }
.st-key-diapo-corps th, .st-key-diapo-corps td { padding: 0.45rem 0.8rem; line-height: 1.25; }
.st-key-diapo-corps th { background: #EEF3F8; }
[class*="st-key-diapo-libelle-"] p { font-size: 40px; color: #333333; margin-bottom: 0; }
[class*="st-key-diapo-chiffre-"] p { font-size: 220px; font-weight: 700; line-height: 1.05; color: #0072B2; margin: 0; }
[class*="st-key-diapo-etoiles-"] p { font-size: 140px; line-height: 1.1; color: #E69F00; margin: 0; white-space: nowrap; }
[class*="st-key-diapo-moyen-"] p { font-size: 110px; font-weight: 700; line-height: 1.15; color: #0072B2; margin: 0; }
[class*="st-key-diapo-grand-"] p { font-size: 140px; font-weight: 700; line-height: 1.15; color: #0072B2; margin: 0; }
[class*="st-key-diapo-bloc-"] { padding-bottom: 1.4rem; }
[class*="st-key-diapo-gain-"] p { font-size: 48px; font-weight: 700; color: #007A5A; }
[class*="st-key-diapo-perte-"] p { font-size: 48px; font-weight: 700; color: #B34700; }
[class*="st-key-diapo-stable-"] p { font-size: 48px; font-weight: 700; color: #444444; }
[class*="st-key-diapo-nom-"] p { font-size: 38px; font-weight: 700; line-height: 1.2; color: #1A1A1A; }
[class*="st-key-diapo-petit-"] p { font-size: 34px; line-height: 1.25; color: #1A1A1A; }
[class*="st-key-diapo-remarque-"] p { font-size: 30px; line-height: 1.3; color: #444444; }
[class*="st-key-diapo-alerte-"] p { font-size: 32px; font-weight: 700; color: #B34700; }
[class*="st-key-diapo-notes-"] p { font-size: 38px; line-height: 1.45; }
[class*="st-key-diapo-notes-longues-"] p { font-size: 30px; line-height: 1.35; }
.st-key-diapo-nav { position: fixed; left: 3.5rem; right: 3.5rem; bottom: 1.4rem; z-index: 1000;
  width: auto !important; background: white; padding-top: 0.6rem; }
.st-key-diapo-nav button { min-height: 80px; padding: 0.5rem 2rem; }
.st-key-diapo-nav button p { font-size: 32px; font-weight: 600; }
</style>
"""


def presentation_style() -> None:
    """Inject the presentation mode's static CSS (PRESENTATION_CSS, no user or file text)."""
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)


# --- roles
# Login, the signed-in role and what it may do (docs/securite.md). The session keeps only the
# account's name; its role is read again from the database at every run, so a role changed or
# an account removed by an admin takes effect at the next click. The engine checks the role of
# every write itself: hiding pages and forms here only spares readers a refusal.

from cae_data import auth, journal  # noqa: E402  (the roles section's own imports)

PAGE_CONNEXION = "pages/connexion.py"
PAGE_JOURNAL = "pages/journal.py"
SESSION_KEY = "pcaet_utilisateur"
DISPLAY_ENV = "PCAET_AFFICHAGE_LECTURE"  # =1: the committee screen, everything readable without login


@dataclass(frozen=True)
class Session:
    nom: str | None  # the signed-in account; None when nobody is signed in
    role: str  # auth.LECTURE, auth.EDITION or auth.ADMIN
    open_mode: bool  # no account exists: everybody may write
    display_mode: bool  # read-only screen opened without login (PCAET_AFFICHAGE_LECTURE=1)


def display_mode() -> bool:
    import os

    return os.environ.get(DISPLAY_ENV, "").strip().lower() in ("1", "true", "oui", "yes")


@st.cache_data(show_spinner=False, max_entries=8)
def _account_roles(path: str, version: tuple) -> dict[str, str]:
    accounts = auth.list_accounts(Path(path))
    return dict(zip(accounts["nom"], accounts["role"]))


def account_roles() -> dict[str, str]:
    """Every account's role by name ({} in open mode or without database)."""
    path = db_path()
    if not path.exists():
        return {}
    return guarded(_account_roles, str(path), _version())


def session() -> Session | None:
    """Who uses the dashboard now, or None when a login is needed (accounts exist, nobody is
    signed in and the display mode is off)."""
    roles = account_roles()
    nom = st.session_state.get(SESSION_KEY)
    if nom is not None and nom not in roles:
        del st.session_state[SESSION_KEY]  # account removed meanwhile
        nom = None
    if nom is not None:
        return Session(nom, roles[nom], False, False)
    if not roles:
        return Session(None, auth.LECTURE if display_mode() else auth.EDITION, True, display_mode())
    if display_mode():
        return Session(None, auth.LECTURE, False, True)
    return None


def can_write() -> bool:
    """Whether the pages may show what writes (forms, imports): role édition or admin, or open
    mode outside the display mode."""
    current = session()
    return current is not None and auth.has_role(current.role, auth.EDITION)


def write_visibility() -> str:
    """st.Page visibility of a page that writes: listed for editors only. A hidden page still
    opens from its address, and then refuses (`require_write`)."""
    return "visible" if can_write() else "hidden"


def require_write() -> None:
    """Top of a page that writes: a French refusal for readers, and nothing else of the page."""
    if can_write():
        return
    st.error("**Cette page modifie les données : elle est réservée aux comptes de rôle « édition » "
             "(chargés de mission).** Vous consultez le tableau de bord en lecture seule.", icon=":material/lock:")
    current = session()
    if current is not None and current.nom is None and not current.open_mode:
        st.page_link(PAGE_CONNEXION, label="Se connecter avec un compte d'édition", icon=":material/login:")
    st.page_link(PAGE_ACCUEIL, label="Retour à la vue d'ensemble", icon=":material/home:")
    st.stop()


def sign_in(nom: str, password: str) -> bool:
    """Check the name and password; on success the session is this account's."""
    account = auth.authenticate(db_path(), nom, password) if db_path().exists() else None
    if account is None:
        return False
    st.session_state[SESSION_KEY] = account.nom
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def session_sidebar(current: Session) -> None:
    """Who is signed in (and a logout button), or the open-mode / display-mode notice."""
    box = st.sidebar.container()
    if current.nom is not None:
        box.markdown(f":material/account_circle: **{escape_markdown(current.nom)}** — "
                     f"rôle {auth.ROLE_LABELS[current.role]}")
        box.button("Se déconnecter", icon=":material/logout:", key="deconnexion", on_click=sign_out)
    elif current.open_mode:
        box.caption("Mode ouvert : aucun compte n'est créé. Toute personne qui ouvre le tableau de bord "
                    "peut modifier les données (docs/securite.md).")
    elif current.display_mode:
        box.caption("Affichage en lecture seule.")
        box.page_link(PAGE_CONNEXION, label="Se connecter", icon=":material/login:")


@st.cache_data(show_spinner=False, max_entries=16)
def _journal(path: str, version: tuple, depuis, jusqu_au, utilisateurs: tuple | None,
             actions: tuple | None) -> pd.DataFrame:
    return services.journal_entries(Path(path), depuis, jusqu_au,
                           None if utilisateurs is None else list(utilisateurs),
                           None if actions is None else list(actions))


def journal_entries(depuis=None, jusqu_au=None, utilisateurs=None, actions=None) -> pd.DataFrame:
    """Journal rows, newest first (cae_data.journal.COLUMNS), filtered."""
    return guarded(_journal, str(db_path()), _version(), depuis, jusqu_au,
                   None if utilisateurs is None else tuple(utilisateurs),
                   None if actions is None else tuple(actions))


def journal_table(entries: pd.DataFrame) -> pd.DataFrame:
    """Display form of journal rows: Date, Qui, Action, Objet, Détail, Fichier."""
    return pd.DataFrame({
        "Date": [pd.Timestamp(t).strftime("%d/%m/%Y %H:%M:%S") for t in entries["recorded_at"]],
        "Qui": entries["utilisateur"].fillna(journal.NON_IDENTIFIE).astype(str).to_numpy(),
        "Action": entries["libelle"].astype(str).to_numpy(),
        "Objet": entries["objet"].fillna("").astype(str).to_numpy(),
        "Détail": entries["detail"].fillna("").astype(str).to_numpy(),
        "Fichier": entries["filename"].fillna("").astype(str).to_numpy(),
    })
