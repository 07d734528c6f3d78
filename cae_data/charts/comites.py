"""Figures of a steering committee: the radar by category of this committee and the previous one
(this one filled and solid, the previous one dashed), sized for the dashboard's page, for a
1920×1080 projector or for the PDF, and the points faits gained or lost per axe or mesure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..palette import GRIS_FONCE
from .base import FONT_PAPIER, paper_layout
from .scores import points_delta_bars, radar

SUPPORTS = ("ecran", "projecteur", "papier")


def comite_radar(frame: pd.DataFrame, presentation: bool = False, support: str | None = None) -> go.Figure:
    """% fait by category (`serie`, `categorie`, `part_fait`, the previous committee's series
    first as rapports.category_frame gives): this committee is drawn first (blue, filled), the
    previous one dashed. `support`: « ecran » (the page), « projecteur » (the presentation mode,
    type for the back of a room; also `presentation=True`) or « papier » (the PDF's PNG)."""
    support = support or ("projecteur" if presentation else "ecran")
    if support not in SUPPORTS:
        raise ValueError(f"support inconnu « {support} » (attendus : {', '.join(SUPPORTS)})")
    series = list(dict.fromkeys(frame["serie"].astype(str)))
    ordered = pd.concat([frame[frame["serie"].astype(str) == name] for name in reversed(series)]) \
        if series else frame
    ordered = ordered.assign(categorie=[str(c)[:1].upper() + str(c)[1:] for c in ordered["categorie"]])
    fig = radar(ordered, "categorie", "serie", height=680 if support == "projecteur" else 560)
    # the legend under the radar: above it, it would cover the top category's label
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center"),
                      margin=dict(l=140, r=140, t=50, b=90))
    if support == "projecteur":
        fig.update_layout(
            font=dict(size=28), margin=dict(l=210, r=210, t=80, b=110),
            legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center", font=dict(size=28)),
            hoverlabel=dict(font_size=26),
            polar=dict(angularaxis=dict(tickfont=dict(size=38)), radialaxis=dict(tickfont=dict(size=24))),
        )
        fig.update_traces(line=dict(width=6), marker=dict(size=16))
    elif support == "papier":
        paper_layout(fig)
        fig.update_layout(
            height=None, margin=dict(l=150, r=150, t=50, b=30),
            polar=dict(angularaxis=dict(tickfont=dict(size=24)),
                       radialaxis=dict(tickfont=dict(size=17, color=GRIS_FONCE, family=FONT_PAPIER["family"]))),
        )
        fig.update_traces(line=dict(width=5), marker=dict(size=13))
    return fig


def comite_points_bars(frame: pd.DataFrame, label_column: str, title: str | None = None) -> go.Figure:
    """Points faits gained or lost per row (ComiteChanges.axes or .mesures with a label
    column), largest first as the frame gives them."""
    return points_delta_bars(frame, label_column=label_column, hover_column="nom", title=title)
