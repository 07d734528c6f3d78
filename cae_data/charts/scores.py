"""Score figures of the dashboard: the status split of a score as stacked bars, a share per row,
the radar of a share over categories or axes (one line per date, per committee, actual and
simulated…), score lines over time and points gained or lost. Each takes a DataFrame and
returns a go.Figure; colours come from cae_data.palette, every text is French."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..formatting import date_fr, ecart_points, points, pourcentage
from ..palette import (
    COULEUR_FAIT,
    COULEUR_GAIN,
    COULEUR_NON_RENSEIGNE,
    COULEUR_PAS_FAIT,
    COULEUR_PERTE,
    COULEUR_PROGRAMME,
    COULEUR_TEXTE,
    GRIS_AXE,
    GRIS_FONCE,
    SERIE_COULEURS,
    SERIE_TIRETS,
    transparent,
)
from .base import GRID, PERCENT_TICKS, base_layout, percent_texts, percent_ticks, points_words, share_text

# (share column, points column, French label, colour) in stacking order.
STATUT_SEGMENTS = [
    ("part_fait", "point_fait", "Fait", COULEUR_FAIT),
    ("part_programme", "point_programme", "Programmé", COULEUR_PROGRAMME),
    ("part_pas_fait", "point_pas_fait", "Pas fait", COULEUR_PAS_FAIT),
    ("part_non_renseigne", "point_non_renseigne", "Non renseigné", COULEUR_NON_RENSEIGNE),
]
# Text colour readable on each segment (white on the dark ones).
SEGMENT_TEXT = {COULEUR_FAIT: "white", COULEUR_PROGRAMME: COULEUR_TEXTE, COULEUR_PAS_FAIT: "white",
                COULEUR_NON_RENSEIGNE: COULEUR_TEXTE}
# A share below this gets no text inside its segment (it would not fit); hover still tells.
MIN_SHARE_FOR_TEXT = 0.06


def status_bars(frame: pd.DataFrame, label_column: str = "label", hover_column: str | None = None,
                title: str | None = None, bar_height: int = 46, show_labels: bool = True,
                text_size: int = 17) -> go.Figure:
    """One horizontal bar per row, stacked fait / programmé / pas fait / non renseigné as % of
    the row's potential (columns part_* and point_*, as analyses.scores_by_level gives). Rows
    are drawn top to bottom in the frame's order. Hover: « Fait : 12,5 % (25 points sur 200) »."""
    labels = frame[label_column].astype(str).tolist()
    names = frame[hover_column].astype(str).tolist() if hover_column else labels
    potentials = frame["point_potentiel"].to_numpy(dtype=float)
    fig = go.Figure()
    for part, point, label, colour in STATUT_SEGMENTS:
        shares = frame[part].to_numpy(dtype=float)
        values = frame[point].to_numpy(dtype=float)
        hover = [f"<b>{name}</b><br>{label} : {pourcentage(s)} ({points_words(v)} sur {points(p)})"
                 for name, s, v, p in zip(names, shares, values, potentials)]
        fig.add_trace(go.Bar(
            y=labels, x=shares * 100, name=label, orientation="h", marker=dict(color=colour, line=dict(width=0)),
            text=[share_text(s) if s >= MIN_SHARE_FOR_TEXT else "" for s in shares],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont=dict(color=SEGMENT_TEXT[colour], size=text_size),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False,
        ))
    # A segment too narrow for its text at 14 px shows none (the hover still tells).
    fig.update_layout(barmode="stack", bargap=0.25, legend_traceorder="normal",
                      uniformtext=dict(minsize=14, mode="hide"))
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", gridcolor=GRID, zeroline=False, fixedrange=True,
                     automargin=True)
    fig.update_yaxes(autorange="reversed", fixedrange=True, ticklabelstandoff=8, showticklabels=show_labels,
                     automargin=True)
    height = max(170, bar_height * len(labels) + (150 if title else 110))
    return base_layout(fig, height, title)


def share_bars(frame: pd.DataFrame, label_column: str = "label", value_column: str = "part_fait",
               hover_column: str | None = None, title: str | None = None, colour: str = COULEUR_FAIT,
               bar_height: int = 52) -> go.Figure:
    """One horizontal bar per row: the share `value_column` (0–1) as %, written at the bar's end
    (the score per axe). Rows top to bottom in the frame's order."""
    labels = frame[label_column].astype(str).tolist()
    names = frame[hover_column].astype(str).tolist() if hover_column else labels
    shares = frame[value_column].to_numpy(dtype=float)
    missing = np.full(len(frame), np.nan)
    fait = frame["point_fait"].to_numpy(dtype=float) if "point_fait" in frame else missing
    potentials = frame["point_potentiel"].to_numpy(dtype=float) if "point_potentiel" in frame else missing
    hover = [f"<b>{n}</b><br>Fait : {pourcentage(s)}"
             + ("" if np.isnan(f) else f" ({points_words(f)} sur {points(p)})")
             for n, s, f, p in zip(names, shares, fait, potentials)]
    fig = go.Figure(go.Bar(
        y=labels, x=shares * 100, orientation="h", marker=dict(color=colour), name="Fait",
        text=percent_texts(shares), textposition="outside", textfont=dict(size=18),
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False,
    ))
    fig.update_xaxes(range=[0, 115], tickvals=PERCENT_TICKS, ticktext=percent_ticks(PERCENT_TICKS), gridcolor=GRID,
                     zeroline=False, fixedrange=True, automargin=True, showticklabels=False)
    fig.update_yaxes(autorange="reversed", fixedrange=True, ticklabelstandoff=8, automargin=True)
    return base_layout(fig, max(180, bar_height * len(labels) + (120 if title else 80)), title, legend=False)


def radar(frame: pd.DataFrame, theta_column: str, series_column: str, value_column: str = "part_fait",
          title: str | None = None, height: int = 560, hover_column: str | None = None) -> go.Figure:
    """One closed Scatterpolar line per series (e.g. per evaluation date), in the frame's order
    of series, over the categories of `theta_column` in the frame's order; radius = % fait.
    Each series has its own colour and line dash; hover « Bases : 12,5 % » (the text of
    `hover_column` instead of the category when given)."""
    fig = go.Figure()
    series = list(dict.fromkeys(frame[series_column].astype(str)))
    for index, name in enumerate(series):
        rows = frame[frame[series_column].astype(str) == name]
        theta = rows[theta_column].astype(str).tolist()
        shares = rows[value_column].to_numpy(dtype=float)
        colour = SERIE_COULEURS[index % len(SERIE_COULEURS)]
        names = rows[hover_column].astype(str).tolist() if hover_column else theta
        hover = [f"<b>{name}</b><br>{t} : {pourcentage(s)}" for t, s in zip(names, shares)]
        fig.add_trace(go.Scatterpolar(
            r=list(shares * 100) + [shares[0] * 100] if len(shares) else [], theta=theta + theta[:1],
            name=name, mode="lines+markers",
            line=dict(color=colour, width=4, dash=SERIE_TIRETS[index % len(SERIE_TIRETS)]),
            marker=dict(size=11, color=colour), fill="toself" if index == 0 else "none",
            fillcolor=transparent(colour, 0.12),
            hovertext=hover + hover[:1], hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_layout(polar=dict(
        radialaxis=dict(range=[0, 100], tickvals=[25, 50, 75, 100], ticktext=percent_ticks([25, 50, 75, 100]),
                        gridcolor=GRID,
                        angle=90, tickangle=90, tickfont=dict(size=15)),
        angularaxis=dict(gridcolor=GRID, tickfont=dict(size=18), direction="clockwise", rotation=90),
        bgcolor="white",
    ))
    fig = base_layout(fig, height, title)
    fig.update_layout(margin=dict(l=140, r=140, t=100 if title else 70, b=40))
    return fig


def history_lines(frame: pd.DataFrame, series_column: str, value_column: str = "part_fait",
                  title: str | None = None, height: int = 480) -> go.Figure:
    """One line per series over `date` (the % fait at each evaluation); series in the frame's
    order, each with its colour, dash and marker. Hover « 17/11/2026 — Axe 1 : 50,1 % »."""
    fig = go.Figure()
    series = list(dict.fromkeys(frame[series_column].astype(str)))
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "star"]
    for index, name in enumerate(series):
        rows = frame[frame[series_column].astype(str) == name].sort_values("date")
        shares = rows[value_column].to_numpy(dtype=float)
        colour = SERIE_COULEURS[index % len(SERIE_COULEURS)]
        hover = [f"<b>{date_fr(d)}</b> — {name} : {pourcentage(s)}" for d, s in zip(rows["date"], shares)]
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(rows["date"]), y=shares * 100, name=name, mode="lines+markers",
            # The first series (the global score) is the thickest.
            line=dict(color=colour, width=6 if index == 0 else 3, dash=SERIE_TIRETS[index % len(SERIE_TIRETS)]),
            marker=dict(size=12 if index == 0 else 9, color=colour, symbol=symbols[index % len(symbols)]),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_xaxes(tickformat="%d/%m/%Y", gridcolor=GRID, showline=True, linecolor=GRIS_AXE, automargin=True)
    fig.update_yaxes(range=[0, 100], ticksuffix=" %", gridcolor=GRID, zeroline=False, title_text="Score réalisé",
                     automargin=True)
    fig = base_layout(fig, height, title)
    # Many series: the legend goes to the right, one line each.
    fig.update_layout(legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"))
    return fig


def points_delta_bars(frame: pd.DataFrame, label_column: str = "label", value_column: str = "delta_point_fait",
                      hover_column: str | None = None, title: str | None = None, bar_height: int = 44) -> go.Figure:
    """Diverging horizontal bars of points gained (> 0, bluish green) or lost (< 0, vermillion),
    one per row in the frame's order, the signed value written beside each bar."""
    labels = frame[label_column].astype(str).tolist()
    names = frame[hover_column].astype(str).tolist() if hover_column else labels
    values = frame[value_column].to_numpy(dtype=float)
    colours = [COULEUR_GAIN if v > 0 else COULEUR_PERTE for v in values]
    signed = [ecart_points(v) for v in values]
    hover = [f"<b>{n}</b><br>{'Gagné' if v > 0 else 'Perdu'} : {s} "
             + ("points faits" if abs(round(v, 1)) >= 2 else "point fait")
             for n, v, s in zip(names, values, signed)]
    fig = go.Figure(go.Bar(
        y=labels, x=values, orientation="h", marker=dict(color=colours), text=signed, textposition="outside",
        textfont=dict(size=18), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False,
        name="Points faits",
    ))
    reach = float(np.abs(values).max()) if len(values) and np.abs(values).max() > 0 else 1.0
    low = min(float(values.min()) if len(values) else 0.0, 0.0)
    high = max(float(values.max()) if len(values) else 0.0, 0.0)
    # Room for the written values beyond the longest bars; the zero line always shows.
    fig.update_xaxes(range=[low - reach * (0.3 if low < 0 else 0.05), high + reach * (0.3 if high > 0 else 0.05)],
                     zeroline=True, zerolinecolor=GRIS_FONCE, zerolinewidth=2,
                     gridcolor=GRID, title_text="Points faits gagnés (+) ou perdus (−)", fixedrange=True,
                     automargin=True)
    fig.update_yaxes(autorange="reversed", fixedrange=True, ticklabelstandoff=8, automargin=True)
    return base_layout(fig, max(220, bar_height * len(labels) + (170 if title else 130)), title, legend=False)


def simulation_radar(frame: pd.DataFrame, title: str, height: int = 560) -> go.Figure:
    """The simulator's radar: « Actuel » and « Simulé » (`collectivite`) over `label`, the
    legend below the circle (at the top it covers the label of the first branch)."""
    figure = radar(frame, "label", "collectivite", title=title, height=height)
    figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center"),
                         margin=dict(t=70, b=80))
    return figure
