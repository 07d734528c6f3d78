"""Markdown that is safe to show: texts read from files never run as HTML.

The ADEME texts carry raw `<a href>` tags, often malformed (a markdown link pasted inside the
`href`, a missing quote, a bare `www.` address). `sanitize_markdown` turns each into a plain
markdown link to the cleanest http(s) address it holds (the visible text when it is an address,
else the target), drops links to other schemes, renders `<sup>`/`<sub>`/`<br>` as text, and
escapes every other `<` that could open a tag, so that nothing reaches the browser as HTML even
if a page forgot `unsafe_allow_html=False`. `$` is escaped too: Streamlit would read it as LaTeX.
Single line breaks become hard breaks (the authors mean them). Fenced code blocks are left as
they are.

`escape_markdown` is for plain text (titles, fiche fields): every markdown sign is escaped so the
text shows exactly as written.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_FENCE_SPLIT_RE = re.compile(r"(^[ \t]{0,3}(?:```|~~~).*?^[ \t]{0,3}(?:```|~~~)[ \t]*$)", re.M | re.S)
_ANCHOR_RE = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_OPEN_ANCHOR_RE = re.compile(r"<a\b([^>]*)>", re.I)
_HREF_RE = re.compile(r"""href\s*=\s*["']?([^"'>]*)""", re.I)
_URL_IN_TEXT_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\]]+", re.I)
_VALID_URL_RE = re.compile(r"^https?://[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]\S*)?$", re.I)
_TAG_RE = re.compile(r"<[^<>]*>")
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_SUP_RE = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.I)
_SUB_RE = re.compile(r"<sub>\s*([^<]*?)\s*</sub>", re.I)
_TAG_OPENING_RE = re.compile(r"<(?!https?://)(?=[A-Za-z/!?])")
_UNSAFE_LINK_RE = re.compile(r"\[([^\]]*)\]\(\s*(?:javascript|data|vbscript|file)\s*:(?:[^()]|\([^()]*\))*\)", re.I)
_SOFT_BREAK_RE = re.compile(r"(?<=\S)(?<!  )\n(?=[ \t]*\S)")
_SUPERSCRIPTS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUBSCRIPTS = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_MARKDOWN_SIGNS_RE = re.compile(r"([\\`*_\[\]{}<>#|~$])")
_LINE_START_RE = re.compile(r"^(\s*)([-+>]|\d+[.)])(?=\s|$)", re.M)


def clean_url(candidate: str | None) -> str | None:
    """An http(s) address fit for a markdown link, or None: `www.` gets `https://`, spaces and
    parentheses are percent-encoded, trailing punctuation is dropped."""
    if not candidate:
        return None
    url = candidate.strip().strip("\"'").strip()
    url = url.rstrip(".,;:!?»")
    if url.lower().startswith("www."):
        url = "https://" + url
    url = re.sub(r"\s+", "%20", url)  # spaces inside a path, as typed in some hrefs
    if not _VALID_URL_RE.match(url):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def _link_target(href: str, label: str) -> str | None:
    if "](" in href:  # a markdown link pasted inside the attribute: its target is the real one
        inner = clean_url(href.rsplit("](", 1)[1].split(")", 1)[0])
        if inner:
            return inner
    for candidate in (href, label):
        target = clean_url(candidate)
        if target:
            return target
    found = _URL_IN_TEXT_RE.search(label) or _URL_IN_TEXT_RE.search(href)
    return clean_url(found.group(0)) if found else None


def _anchor_markdown(attributes: str, inner: str) -> str:
    href_match = _HREF_RE.search(attributes)
    href = href_match.group(1) if href_match else ""
    label = " ".join(_TAG_RE.sub(" ", inner).split()).strip().strip("\"'").strip()
    url = _link_target(href, label)
    if url is None:
        return escape_markdown(label or href.strip())
    if not label or _URL_IN_TEXT_RE.fullmatch(label):
        label = url
    return f"[{escape_markdown(label)}]({url})"


def _sanitize_prose(text: str) -> str:
    text = _ANCHOR_RE.sub(lambda m: _anchor_markdown(m.group(1), m.group(2)), text)
    text = _OPEN_ANCHOR_RE.sub(lambda m: _anchor_markdown(m.group(1), ""), text)  # never closed
    text = _BR_RE.sub("  \n", text)
    text = _SUP_RE.sub(lambda m: m.group(1).translate(_SUPERSCRIPTS) if m.group(1).isdigit() else "^" + m.group(1), text)
    text = _SUB_RE.sub(lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    text = _TAG_OPENING_RE.sub("&lt;", text)
    text = _UNSAFE_LINK_RE.sub(lambda m: m.group(1), text)
    text = re.sub(r"(?<!\\)\$", r"\\$", text)
    # The authors' single line breaks are meant as breaks, not as spaces
    return _SOFT_BREAK_RE.sub("  \n", text)


def sanitize_markdown(text: str | None) -> str:
    """Markdown from a file, made safe to render (see the module docstring)."""
    if not text:
        return ""
    parts = _FENCE_SPLIT_RE.split(text)
    # split() with one group: odd items are fenced blocks, kept verbatim
    return "".join(part if index % 2 else _sanitize_prose(part) for index, part in enumerate(parts))


def escape_markdown(text: str | None) -> str:
    """Plain text shown through markdown exactly as written (no emphasis, list, heading or link)."""
    if not text:
        return ""
    escaped = _MARKDOWN_SIGNS_RE.sub(r"\\\1", str(text))
    return _LINE_START_RE.sub(lambda m: m.group(1) + "\\" + m.group(2) if m.group(2)[0] in "-+>"
                              else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)
