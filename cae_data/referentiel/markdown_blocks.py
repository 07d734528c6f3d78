"""Low-level scanning shared by the markdown readers (seed, ADEME, personnalisations, questions).

A file is cut into `Section`s: one per ATX heading (`#` … `######`), with the fenced ```yaml
block that directly follows the heading (blank lines allowed in between) and the body up to the
next heading. Headings inside fenced blocks are not headings (`# points: 500` in a yaml block).
YAML is always read with `yaml.BaseLoader`: every scalar stays a string, so `1.10` never
becomes the float 1.1 and `pourcentage : 0` reads as "0".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ProblemCollector
from ..tabular import decode_bytes, strip_accents

HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
FENCE_RE = re.compile(r"^[ \t]{0,3}(```+|~~~+)[ \t]*([^`\s]*)")
# Dotted ids: segments of letters/digits/_ (`1.1.1alter.1`, `6.1.2`).
ACTION_ID_RE = re.compile(r"^[0-9A-Za-z_]+(\.[0-9A-Za-z_]+)*$")


@dataclass
class Line:
    text: str
    line: int


@dataclass
class Fence:
    """A fenced block; `line` is the opening ``` line, `body_lines` the lines inside."""

    lang: str
    line: int
    body_lines: list[Line]

    @property
    def text(self) -> str:
        return "\n".join(item.text for item in self.body_lines)

    def markdown(self) -> str:
        return "\n".join([f"```{self.lang}", *(item.text for item in self.body_lines), "```"])


@dataclass
class Section:
    """A heading (level 0 for the text before the first heading), its yaml block, its body."""

    level: int
    title: str
    line: int
    yaml: Fence | None = None
    body: list[Line | Fence] = field(default_factory=list)

    def body_markdown(self) -> str:
        return items_markdown(self.body)

    def fences(self, lang: str) -> list[Fence]:
        return [item for item in self.body if isinstance(item, Fence) and item.lang == lang]


def read_text(path: Path) -> str:
    """Markdown files may come from Windows tools: same decoding as spreadsheets."""
    return decode_bytes(path.read_bytes(), path.name).replace("\r\n", "\n").replace("\r", "\n")


def items_markdown(items: list[Line | Fence]) -> str:
    """Body items back to markdown, without leading/trailing blank lines."""
    parts: list[str] = []
    for item in items:
        parts.append(item.markdown() if isinstance(item, Fence) else item.text.rstrip())
    while parts and not parts[0].strip():
        parts.pop(0)
    while parts and not parts[-1].strip():
        parts.pop()
    return "\n".join(parts)


def scan_items(text: str, filename: str, problems: ProblemCollector) -> list[Line | Fence | tuple[int, str, int]]:
    """Lines, fenced blocks and headings (as (level, title, line) tuples) in file order."""
    items: list[Line | Fence | tuple[int, str, int]] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        fence = FENCE_RE.match(raw)
        if fence:
            marker = fence.group(1)
            body: list[Line] = []
            index += 1
            closed = False
            while index < len(lines):
                stripped = lines[index].strip()
                if stripped and set(stripped) == {marker[0]} and len(stripped) >= len(marker):
                    closed = True
                    break
                body.append(Line(lines[index], index + 1))
                index += 1
            if not closed:
                problems.add(filename, number, 1, f"bloc « {marker} » ouvert ici mais jamais fermé")
            items.append(Fence(fence.group(2).strip().lower(), number, body))
            index += 1
            continue
        heading = HEADING_RE.match(raw)
        if heading:
            items.append((len(heading.group(1)), heading.group(2).strip(), number))
        else:
            items.append(Line(raw, number))
        index += 1
    return items


def split_sections(text: str, filename: str, problems: ProblemCollector) -> list[Section]:
    """Cut a file into sections; the first one (level 0) holds what precedes the first heading."""
    sections = [Section(0, "", 1)]
    for item in scan_items(text, filename, problems):
        current = sections[-1]
        if isinstance(item, tuple):
            level, title, line = item
            sections.append(Section(level, title, line))
        elif (
            isinstance(item, Fence) and item.lang in ("yaml", "yml") and current.level > 0
            and current.yaml is None and not any(isinstance(b, Fence) or b.text.strip() for b in current.body)
        ):
            current.yaml = item
        else:
            current.body.append(item)
    return sections


def parse_yaml(fence: Fence, filename: str, problems: ProblemCollector) -> dict[str, object] | None:
    """The yaml block as a dict of str keys (lower-cased, stripped); None after reporting an error."""
    try:
        data = yaml.load(fence.text, Loader=yaml.BaseLoader)
    except RecursionError:  # PyYAML recurses once per nesting level
        problems.add(filename, fence.line, 1, "bloc yaml illisible : listes ou dictionnaires imbriqués sur trop "
                                              "de niveaux")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = fence.line + 1 + mark.line if mark is not None else fence.line
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(filename, line, 1, f"bloc yaml illisible : {reason}")
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(filename, fence.line, 1, "bloc yaml invalide : des lignes « clé: valeur » sont attendues")
        return None
    return {str(key).strip().lower(): value for key, value in data.items()}


def yaml_key_line(fence: Fence, key: str) -> int:
    """Line of `key:` inside the block (for error messages), else the block's first line."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*:", re.IGNORECASE)
    for item in fence.body_lines:
        if pattern.match(item.text):
            return item.line
    return fence.line


def scalar(value: object) -> str | None:
    """A yaml scalar as stripped text (None when absent or empty)."""
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None


def norm_title(title: str) -> str:
    """Section titles compared without case, accents or extra spaces: 'Désactivation ' → 'desactivation'."""
    return " ".join(strip_accents(title).lower().split())


def natural_key(action_id: str) -> tuple:
    """Sort key for dotted ids: 1.2 < 1.10, 1.1.1 < 1.1.1alter."""
    if action_id == "":
        return ()
    key = []
    for segment in action_id.split("."):
        match = re.match(r"^(\d*)(.*)$", segment)
        digits, rest = match.group(1), match.group(2)
        key.append((int(digits) if digits else -1, rest))
    return tuple(key)
