"""Cooperation tools between territories, read from a slide deck's extracted text (seed 003).

Layout: the deck title repeated on every slide, an introduction (event line, definition
paragraphs), then one slide per tool:

    → « Titre de l'outil »
    Eléments déclencheurs⇥<ul …> ✓ item ✓ item
    Partenaires / échelle⇥texte
    Enjeux⇥…   Ambitions⇥…   Objet⇥…   Acteurs⇥…

List cells are cut into items at `✓`, `✔`, `•`, `<p>`, `<li>` and `<br>` boundaries; every
tag is dropped. Cells without any such marker are cut where the PDF extraction glued two
lines together: before a capitalised word (« La mise en place… », « Le PNR… ») that follows
a word ending in a letter or digit, is not itself a small word's complement (after « de »,
« du », « des »… the capital is a proper noun: « Schéma d'Aménagement et de Gestion »), is not
inside « » quotes, and is followed by another word. Items with no letter or digit (« ... »)
are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ProblemCollector
from ..tabular import decode_bytes, strip_accents
from .model import slugify
from .seed_text import BREAK_TAG_RE, TAG_RE, clean_text

ARROW_RE = re.compile(r"^\s*(?:→|->|=>)\s*(.+?)\s*$")
ITEM_MARK_RE = re.compile(r"[✓✔•]")
FIELD_LABELS = {
    "elementsdeclencheurs": "elements_declencheurs",
    "elementdeclencheur": "elements_declencheurs",
    "partenairesechelle": "partenaires_echelle",
    "partenaires": "partenaires_echelle",
    "echelle": "partenaires_echelle",
    "enjeux": "enjeux",
    "ambitions": "ambitions",
    "objet": "objet",
    "objets": "objet",
    "acteurs": "acteurs",
}
FIELD_NAMES = "Éléments déclencheurs, Partenaires / échelle, Enjeux, Ambitions, Objet, Acteurs"
# Words after which a capitalised word is a proper noun, not the start of a new item.
LINKING_WORDS = frozenset(
    "a au aux avec chez d dans de des du en entre et l la le les ou par pour sur un une vers".split()
)
# Kinds of partners, in the order they are looked for; a matched span is blanked so that
# « communautés de communes » is not counted again as « communes ».
STRUCTURE_PATTERNS = (
    (r"\bcommunautes? de communes\b|\bcc\b", "communautés de communes"),
    (r"\bcommunautes? (?:d'|d')?\s*agglomeration\b", "communauté d'agglomération"),
    (r"\bcommunautes? urbaines?\b", "communauté urbaine"),
    (r"\bmetropol\w*", "métropole"),
    (r"\bcommunes?\b", "communes"),
    (r"\bsyndicats? mixtes?\b", "syndicats mixtes"),
    (r"\bpnr\b|\bparcs? naturels? regionaux?\b", "PNR"),
    (r"\bpays\b", "Pays"),
    (r"\bscot\b", "SCoT"),
    (r"\bcddra\b", "CDDRA"),
    (r"\bdepartements?\b", "départements"),
    (r"\bregions?\b", "régions"),
)


@dataclass
class OutilCooperation:
    outil_id: str
    titre: str
    elements_declencheurs: list[str] = field(default_factory=list)
    partenaires_echelle: str = ""
    echelle: str = ""
    enjeux: list[str] = field(default_factory=list)
    ambitions: list[str] = field(default_factory=list)
    objet: list[str] = field(default_factory=list)
    acteurs: list[str] = field(default_factory=list)
    source_line: int | None = field(default=None, compare=False)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


def _lines(data: bytes | str, filename: str) -> list[str]:
    text = (decode_bytes(data, filename) if isinstance(data, bytes) else data).lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _deck_title(lines: list[str]) -> str:
    return next((line.strip() for line in lines if line.strip()), "")


def strip_title_quotes(title: str) -> str:
    """« « Convention territoires partenaires » » → « Convention territoires partenaires »."""
    title = title.strip()
    if title.startswith("«") and title.endswith("»") and title.count("«") == 1:
        return title[1:-1].strip()
    return title


def split_glued(text: str) -> list[str]:
    """Cut a marker-less cell where two extracted lines were glued (see module docstring)."""
    words = text.split(" ")
    items: list[list[str]] = [[]]
    quote_depth = 0
    for index, word in enumerate(words):
        previous = words[index - 1] if index else ""
        starts_item = (
            index > 0
            and quote_depth == 0
            and index + 1 < len(words)
            and re.fullmatch(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿœ]+", word) is not None
            and re.search(r"[A-Za-zÀ-ÿœ0-9]$", previous) is not None
            and _key(previous) not in LINKING_WORDS
        )
        if starts_item and items[-1]:
            items.append([])
        items[-1].append(word)
        quote_depth += word.count("«") - word.count("»")
    return [" ".join(item) for item in items]


def split_list(cell: str) -> list[str]:
    """A cell as a clean list of items (see module docstring)."""
    has_markers = bool(BREAK_TAG_RE.search(cell) or ITEM_MARK_RE.search(cell))
    text = ITEM_MARK_RE.sub("\n", BREAK_TAG_RE.sub("\n", cell))
    items: list[str] = []
    for chunk in text.split("\n"):
        chunk = clean_text(chunk)
        for item in ([chunk] if has_markers else split_glued(chunk)):
            item = item.strip()
            if re.search(r"[^\W_]", item):
                items.append(item)
    return items


def derive_echelle(partenaires: str) -> str:
    """Kinds of partners named in « Partenaires / échelle », joined by « / » in text order:
    « Un PNR et un Pays » → « PNR / Pays »."""
    text = strip_accents(partenaires).lower().replace("’", "'")
    found: list[tuple[int, str]] = []
    for pattern, label in STRUCTURE_PATTERNS:
        for match in re.finditer(pattern, text):
            if label not in (name for _, name in found):
                found.append((match.start(), label))
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return " / ".join(label for _, label in sorted(found))


def read_cooperation_tools(data: bytes | str, filename: str) -> list[OutilCooperation]:
    lines = _lines(data, filename)
    deck_title = _deck_title(lines)
    problems = ProblemCollector()
    tools: list[OutilCooperation] = []
    seen_fields: dict[str, int] = {}
    used_ids: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.strip() == deck_title:
            continue
        heading = ARROW_RE.match(raw)
        if heading:
            titre = strip_title_quotes(clean_text(heading.group(1)))
            base = outil_id = slugify(titre)
            suffix = 2
            while outil_id in used_ids:
                outil_id, suffix = f"{base}-{suffix}", suffix + 1
            used_ids.add(outil_id)
            tools.append(OutilCooperation(outil_id, titre, source_line=number))
            seen_fields = {}
            continue
        if not tools:
            continue  # introduction, see read_cooperation_intro
        if "\t" not in raw:
            problems.add(filename, number, 1, f"ligne non reconnue dans l'outil « {tools[-1].titre} » : "
                                              "une rubrique, une tabulation puis sa valeur sont attendues")
            continue
        label, cell = raw.split("\t", 1)
        name = FIELD_LABELS.get(_key(clean_text(label)))
        if name is None:
            problems.add(filename, number, 1, f"rubrique inconnue « {clean_text(label)} » ; "
                                              f"rubriques reconnues : {FIELD_NAMES}")
            continue
        if name in seen_fields:
            problems.add(filename, number, 1, f"rubrique « {clean_text(label)} » en double dans l'outil "
                                              f"« {tools[-1].titre} » (déjà ligne {seen_fields[name]})")
            continue
        seen_fields[name] = number
        tool = tools[-1]
        if name == "partenaires_echelle":
            tool.partenaires_echelle = clean_text(cell)
            tool.echelle = derive_echelle(tool.partenaires_echelle)
        else:
            setattr(tool, name, split_list(cell))
    if not tools:
        problems.add(filename, 1, 1, "aucun outil de coopération : une ligne « → Titre de l'outil » est attendue")
    problems.raise_if_any()
    return tools


def read_cooperation_intro(data: bytes | str, filename: str) -> str:
    """The deck's introduction as markdown: the deck title as `#`, questions as `##`, the
    multi-line event block on one line joined by « — », paragraphs as they are (their
    `**bold**` kept). The deck title repeated on later slides is dropped."""
    lines = _lines(data, filename)
    deck_title = _deck_title(lines)
    blocks: list[list[str]] = [[]]
    for raw in lines:
        if ARROW_RE.match(raw):
            break
        if raw.strip():
            blocks[-1].append(" ".join(TAG_RE.sub(" ", raw).split()))
        elif blocks[-1]:
            blocks.append([])
    parts: list[str] = []
    for block in blocks:
        if not block:
            continue
        text = " — ".join(block)
        if text == deck_title:
            if not parts:
                parts.append(f"# {text}")
            continue
        parts.append(f"## {text}" if len(block) == 1 and text.endswith("?") else text)
    return "\n\n".join(parts)

