"""Reader of a fiche-action as text extracted from a PDF (the CAPSO template, seed 002).

Layout of that text, one table row per line, cells separated by tabs:

    <header lines: the PCAET axe, its orientation, the Patrimoine/Compétences/Territoire legend>
    **Titre de la fiche**
    <b>Enjeux et contexte</b>⇥texte⇥
    <b>Impact de l'action</b>⇥<input type="checkbox"/> Atténuation <input …/> Adaptation …
    <b>Sous-action 1</b>⇥Descriptif⇥texte
    ⇥Public-cible⇥texte                (continuation rows start with a tab)
    ⇥Etat⇥A développer
    ⇥Calendrier⇥2020 - 2026
    <b>PILOTAGE</b>⇥⇥                  (section rows, no value)
    <b>Maître d'ouvrage</b>⇥CAPSO⇥
    …
    <b>Indicateurs de suivi et d'évaluation</b>⇥Phrase. Phrase. Phrase.⇥

Every problem of the file is reported at once, in French, with its line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..errors import ProblemCollector
from ..tabular import decode_bytes, strip_accents
from .model import (
    ETATS,
    IMPACTS,
    FicheAction,
    Indicateur,
    Moyens,
    Pilotage,
    SousAction,
    canonical_etat,
    canonical_impact,
    default_fiche_id,
    derive_etat,
    derive_periode,
    guess_unite,
    impacts_from,
    raise_sorted,
    unique_ids,
)

TAG_RE = re.compile(r"<[^<>]*>")
BOLD_LABEL_RE = re.compile(r"<b>(.*?)</b>", re.IGNORECASE | re.DOTALL)
MARKDOWN_BOLD_LINE_RE = re.compile(r"^\s*\*\*(.+?)\*\*\s*$")
LEGEND_RE = re.compile(r"^(patrimoine|competences|territoire)\s*:", re.IGNORECASE)
CHECKBOX_RE = re.compile(r"<input\b[^>]*>|[☐☑☒]", re.IGNORECASE)
# Boundaries that separate items inside one cell (line breaks, paragraphs, list items).
BREAK_TAG_RE = re.compile(r"<\s*(br|/?p|/?li|/?ul|/?ol)\b[^>]*>", re.IGNORECASE)
# A sentence ends at . ; ! ? followed by a capital (or a digit, « Nombre … » style lists).
SENTENCE_END_RE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZÀ-ÖØ-Þ0-9«])")
YEAR_RANGE_RE = re.compile(r"^(\d{4})\s*(?:-|–|—|à|a|/)\s*(\d{4})$")
YEAR_RE = re.compile(r"^(\d{4})$")


def clean_text(text: str) -> str:
    """Plain text of an HTML-ish cell: tags dropped, entities decoded, spaces collapsed."""
    text = TAG_RE.sub(" ", text)
    text = html.unescape(text).replace("\u00a0", " ").replace("\u202f", " ")
    text = " ".join(text.split())
    return re.sub(r"\s+([,.])(?=\s|$)", r"\1", text)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


# Row labels of the template (compared by `_key`) → field of the fiche.
ROW_LABELS = {
    "enjeuxetcontexte": "enjeux",
    "enjeux": "enjeux",
    "contexte": "enjeux",
    "objectifs": "objectifs",
    "objectif": "objectifs",
    "impactdelaction": "impacts",
    "impactsdelaction": "impacts",
    "impacts": "impacts",
    "impact": "impacts",
    "maitredouvrage": "maitre_ouvrage",
    "partenaires": "partenaires",
    "partenairesetdispositiffinancier": "partenaires_financiers",
    "partenairesfinanciers": "partenaires_financiers",
    "dispositiffinancier": "partenaires_financiers",
    "indicateursdesuivietdevaluation": "indicateurs",
    "indicateursdesuivi": "indicateurs",
    "indicateurs": "indicateurs",
}
SECTION_LABELS = {"pilotage", "moyens", "evaluation"}
SOUS_ACTION_RE = re.compile(r"^sousaction(\d+)$")
SOUS_ACTION_FIELDS = {
    "descriptif": "descriptif",
    "description": "descriptif",
    "publiccible": "public_cible",
    "publicscibles": "public_cible",
    "public": "public_cible",
    "cible": "public_cible",
    "etat": "etat",
    "calendrier": "calendrier",
}
LABEL_NAMES = (
    "Enjeux et contexte, Objectifs, Impact de l'action, Sous-action N, PILOTAGE, Maître d'ouvrage, "
    "Partenaires, MOYENS, Partenaires et dispositif financier, EVALUATION, "
    "Indicateurs de suivi et d'évaluation"
)


@dataclass
class _SousActionRows:
    numero: int
    line: int
    values: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # field -> (text, line, column)


def _cell_columns(cells: list[str]) -> list[int]:
    """1-based character position where each tab-separated cell starts."""
    columns, position = [], 1
    for cell in cells:
        columns.append(position)
        position += len(cell) + 1
    return columns


def read_fiche_seed_text(
    data: bytes | str,
    filename: str,
    *,
    collectivite: str | None = None,
    mesures: list[str] | tuple[str, ...] = (),
) -> FicheAction:
    """Read one fiche-action from its PDF text. `collectivite` defaults to the maître d'ouvrage;
    the text names no CAE measure, so `mesures` are given by the caller (see `suggest_mesures`)."""
    text = (decode_bytes(data, filename) if isinstance(data, bytes) else data).lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems = ProblemCollector()

    header: list[tuple[int, str]] = []
    title: tuple[int, str] | None = None
    fields: dict[str, tuple[str, int, int]] = {}  # fiche field -> (raw value, line, column)
    sous_actions: list[_SousActionRows] = []
    current: _SousActionRows | None = None
    started = False
    last_line = 1

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last_line = number
        cells = raw.split("\t")
        columns = _cell_columns(cells)
        label_match = BOLD_LABEL_RE.search(cells[0])
        if label_match:
            started = True
            label = clean_text(label_match.group(1))
            key = _key(label)
            values = cells[1:]
            value_columns = columns[1:]
            sous_action = SOUS_ACTION_RE.match(key)
            if sous_action:
                numero = int(sous_action.group(1))
                if any(sa.numero == numero for sa in sous_actions):
                    problems.add(filename, number, 1, f"« {label} » apparaît deux fois")
                current = _SousActionRows(numero, number)
                sous_actions.append(current)
                _add_sous_action_field(current, values, value_columns, number, filename, problems)
                continue
            current = None
            if key in SECTION_LABELS:
                if clean_text(" ".join(values)):
                    problems.add(filename, number, value_columns[0] if value_columns else 1,
                                 f"la ligne de section « {label} » ne doit pas porter de valeur")
                continue
            target = ROW_LABELS.get(key)
            if target is None:
                problems.add(filename, number, 1,
                             f"rubrique inconnue « {label} » ; rubriques reconnues : {LABEL_NAMES}")
                continue
            if target in fields:
                problems.add(filename, number, 1,
                             f"rubrique « {label} » en double (déjà ligne {fields[target][1]})")
                continue
            fields[target] = ("\t".join(values), number, value_columns[0] if value_columns else 1)
        elif cells[0].strip() == "" and len(cells) > 1:
            if current is None:
                problems.add(filename, number, 1,
                             "ligne de suite (commençant par une tabulation) hors d'une sous-action")
                continue
            _add_sous_action_field(current, cells[1:], columns[1:], number, filename, problems)
        elif not started:
            header.append((number, raw))
        else:
            problems.add(filename, number, 1,
                         f"ligne non reconnue « {clean_text(raw)[:60]} » : une rubrique « <b>…</b> » "
                         "suivie d'une tabulation est attendue")

    # Header: the bold markdown line is the title; the legend is generic and dropped.
    kept: list[tuple[int, str]] = []
    for number, raw in header:
        bold = MARKDOWN_BOLD_LINE_RE.match(raw)
        plain = clean_text(raw)
        if bold and title is None:
            title = (number, clean_text(bold.group(1)))
        elif LEGEND_RE.match(strip_accents(plain)):
            continue
        elif title is None:
            kept.append((number, plain))
        else:
            problems.add(filename, number, 1,
                         f"ligne non reconnue entre le titre et la première rubrique : « {plain[:60]} »")
    if title is None and kept:
        title = kept.pop()
    if title is None or not title[1]:
        problems.add(filename, 1, 1,
                     "titre de la fiche introuvable : une ligne « **Titre** » est attendue avant la première rubrique")
    if not sous_actions:
        problems.add(filename, last_line, 1,
                     "aucune sous-action : au moins une rubrique « Sous-action 1 » est attendue")

    built = [_build_sous_action(sa, filename, problems) for sa in sous_actions]
    impacts = _parse_impacts(fields.get("impacts"), filename, problems)
    indicateurs = _parse_indicateurs(fields.get("indicateurs"))
    raise_sorted(problems)

    def value(name: str) -> str:
        return clean_text(fields[name][0]) if name in fields else ""

    pilotage = Pilotage(maitre_ouvrage=value("maitre_ouvrage"), partenaires=value("partenaires"))
    owner = collectivite if collectivite is not None else pilotage.maitre_ouvrage
    debut, fin = derive_periode(built)
    assert title is not None
    return FicheAction(
        fiche_id=default_fiche_id(owner, title[1]),
        titre=title[1],
        collectivite=owner,
        axe=kept[0][1] if kept else "",
        orientation=" ".join(text for _, text in kept[1:]),
        enjeux=value("enjeux"),
        objectifs=value("objectifs"),
        impacts=impacts,
        sous_actions=built,
        pilotage=pilotage,
        moyens=Moyens(partenaires_financiers=value("partenaires_financiers")),
        indicateurs=indicateurs,
        mesures=list(mesures),
        etat=derive_etat(built),
        annee_debut=debut,
        annee_fin=fin,
        source_file=filename,
        source_line=title[0],
    )


def _add_sous_action_field(
    current: _SousActionRows, cells: list[str], columns: list[int], line: int,
    filename: str, problems: ProblemCollector,
) -> None:
    """`cells` = [field label, value, …trailing cells]."""
    if not cells or not clean_text(cells[0]):
        problems.add(filename, line, columns[0] if columns else 1,
                     f"sous-action {current.numero} : nom de champ manquant avant la valeur")
        return
    label = clean_text(cells[0])
    name = SOUS_ACTION_FIELDS.get(_key(label))
    if name is None:
        problems.add(filename, line, columns[0],
                     f"sous-action {current.numero} : champ inconnu « {label} » ; champs reconnus : "
                     "Descriptif, Public-cible, Etat, Calendrier")
        return
    if name in current.values:
        problems.add(filename, line, columns[0],
                     f"sous-action {current.numero} : champ « {label} » en double "
                     f"(déjà ligne {current.values[name][1]})")
        return
    current.values[name] = (clean_text(" ".join(cells[1:])), line, columns[1] if len(columns) > 1 else columns[0])


def _build_sous_action(rows: _SousActionRows, filename: str, problems: ProblemCollector) -> SousAction:
    descriptif = rows.values.get("descriptif", ("", rows.line, 1))[0]
    if not descriptif:
        problems.add(filename, rows.line, 1, f"sous-action {rows.numero} sans descriptif")
    etat = None
    if "etat" in rows.values and rows.values["etat"][0]:
        raw, line, column = rows.values["etat"]
        etat = canonical_etat(raw)
        if etat is None:
            problems.add(filename, line, column,
                         f"sous-action {rows.numero} : état « {raw} » inconnu ; états possibles : {', '.join(ETATS)}")
    debut = fin = None
    if "calendrier" in rows.values and rows.values["calendrier"][0]:
        raw, line, column = rows.values["calendrier"]
        debut, fin = parse_calendrier(raw)
        if debut is None:
            problems.add(filename, line, column,
                         f"sous-action {rows.numero} : calendrier « {raw} » illisible ; "
                         "attendu « 2020 - 2026 » ou une seule année")
        elif fin is not None and fin < debut:
            problems.add(filename, line, column,
                         f"sous-action {rows.numero} : calendrier incohérent, fin {fin} avant début {debut}")
    public = rows.values.get("public_cible", ("",))[0].rstrip(" ,;")
    return SousAction(rows.numero, descriptif, public, etat, debut, fin, source_line=rows.line)


def parse_calendrier(text: str) -> tuple[int | None, int | None]:
    """« 2020 - 2026 » → (2020, 2026); « 2022 » → (2022, 2022); anything else → (None, None)."""
    text = text.strip()
    match = YEAR_RANGE_RE.match(text)
    if match:
        return int(match.group(1)), int(match.group(2))
    match = YEAR_RE.match(text)
    if match:
        return int(match.group(1)), int(match.group(1))
    return None, None


def _parse_impacts(
    cell: tuple[str, int, int] | None, filename: str, problems: ProblemCollector
) -> list:
    """Each checkbox starts an item; `checked` in the tag (or ☑/☒) ticks it."""
    if cell is None:
        return impacts_from(set())
    raw, line, column = cell
    checked: set[str] = set()
    marks = list(CHECKBOX_RE.finditer(raw))
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(raw)
        label = clean_text(raw[mark.end():end])
        if not label:
            continue
        canonical = canonical_impact(label)
        if canonical is None:
            problems.add(filename, line, column,
                         f"impact « {label} » inconnu ; impacts possibles : {', '.join(IMPACTS)}")
            continue
        tag = mark.group(0).lower()
        if "checked" in tag or tag in ("☑", "☒"):
            checked.add(canonical)
    if not marks and clean_text(raw):
        problems.add(filename, line, column, "impacts sans cases à cocher : « <input type=\"checkbox\"/> Libellé » attendu")
    return impacts_from(checked)


def split_items(text: str) -> list[str]:
    """A cell cut into sentences / list items, trailing '.' or ';' removed."""
    text = BREAK_TAG_RE.sub("\n", text)
    text = re.sub(r"[•✓✔]", "\n", text)
    items = []
    for chunk in text.split("\n"):
        for sentence in SENTENCE_END_RE.split(clean_text(chunk)):
            sentence = sentence.strip().rstrip(".;").strip()
            if sentence:
                items.append(sentence)
    return items


def _parse_indicateurs(cell: tuple[str, int, int] | None) -> list[Indicateur]:
    if cell is None:
        return []
    raw, line, _ = cell
    names = split_items(raw)
    return [
        Indicateur(indicateur_id, nom, unite=guess_unite(nom), sens="hausse", source_line=line)
        for indicateur_id, nom in zip(unique_ids(names), names)
    ]
