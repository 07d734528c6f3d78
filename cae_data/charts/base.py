"""What every figure shares: fonts, French number separators, the layout of a screen figure and
of a paper one (PDF), the toolbar of st.plotly_chart, and the short French texts written on the
figures (`12,5 %`, `12 points`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..formatting import NARROW_NBSP, points, pourcentage
from ..palette import COULEUR_GRILLE, COULEUR_TEXTE

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=18, color=COULEUR_TEXTE)  # the screen's
FONT_PAPIER = dict(family="DejaVu Sans, Arial, sans-serif", size=20, color=COULEUR_TEXTE)  # the PDF's
# Decimal comma and a narrow space between thousands on axes and default hover numbers.
SEPARATORS = "," + NARROW_NBSP
GRID = COULEUR_GRILLE
PERCENT_TICKS = [0, 20, 40, 60, 80, 100]


def chart_config(filename: str) -> dict:
    """`st.plotly_chart(..., config=chart_config("score-par-axe"))`: no plotly logo, and the
    camera button of the toolbar saves a PNG under that French file name."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def base_layout(fig: go.Figure, height: int, title: str | None = None, legend: bool = True) -> go.Figure:
    """A screen figure: `height` pixels, the title at the top left, the legend above the plot."""
    fig.update_layout(
        height=height, font=FONT, separators=SEPARATORS, paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=10, r=20, t=60 if title else 20, b=10),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=22)) if title else None,
        hoverlabel=dict(font_size=18, bgcolor="white"), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left", font=dict(size=18),
                    title_text=""),
    )
    return fig


def paper_layout(fig: go.Figure, title: str | None = None, legend: bool = True) -> go.Figure:
    """A figure for the PDF (exported to PNG): the system's font a little larger, the legend
    centred under the plot."""
    fig.update_layout(
        font=FONT_PAPIER, separators=SEPARATORS, paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=20, r=20, t=70 if title else 20, b=20),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=24)) if title else None,
        showlegend=legend,
        legend=dict(orientation="h", yanchor="top", y=-0.08, x=0.5, xanchor="center", font=dict(size=20),
                    title_text=""),
    )
    return fig


def share_text(ratio: float) -> str:
    """0.125 → « 12,5 % », 0.6 → « 60 % »: a decimal only when there is one."""
    return pourcentage(ratio, 0 if round(float(ratio) * 100, 1).is_integer() else 1)


def percent_texts(ratios) -> list[str]:
    """0.125 → « 12,5 % » for each value (always one decimal: values side by side align)."""
    return [pourcentage(float(r)) for r in np.asarray(ratios, dtype=float)]


def percent_ticks(values) -> list[str]:
    """Tick labels « 20 % » (ticksuffix is ignored where tick values are given)."""
    return [f"{v:g}\u00a0%" for v in values]


def points_words(value: float) -> str:
    """12 → « 12 points », 1 → « 1 point » (French: plural from 2), signless."""
    return f"{points(value)} point{'s' if abs(round(float(value), 1)) >= 2 else ''}"
