"""The introduction of « Boîte à outils coopération », read from the seed deck (not from the
database): cut into its question, the line under it and its sections for display."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from cae_data import services
from cae_data.errors import InvalidInput


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
    """The introduction, cached until a seed file changes; None when it cannot be read."""
    seeds = services.seeds_dir().resolve()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in seeds.glob("*"))) if seeds.is_dir() else ()
    return _cooperation_intro(str(seeds), stamp)
