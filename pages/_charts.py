"""Plotly figure builders shared by the pages: each takes a DataFrame and returns a go.Figure,
so they are tested without Streamlit (tests/test_charts.py). Colours come from the one palette
of `_ui.py`; every label and hover text is French (`12,5 %`, `1 234`, `jj/mm/aaaa`).

Sections: common layout, then one section per area (scores, …); add yours at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cae_data.formatting import NARROW_NBSP, date_fr, ecart_points, points, pourcentage
from pages._ui import (
    COULEUR_FAIT, COULEUR_GAIN, COULEUR_NON_RENSEIGNE, COULEUR_PAS_FAIT, COULEUR_PERTE, COULEUR_PROGRAMME,
    SERIE_COULEURS, SERIE_TIRETS,
)

# --- common layout ------------------------------------------------------------------------

FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=18, color="#1A1A1A")
# Decimal comma and a narrow space between thousands on axes and default hover numbers.
SEPARATORS = "," + NARROW_NBSP
GRID = "#D9D9D9"


def chart_config(filename: str) -> dict:
    """`st.plotly_chart(..., config=chart_config("score-par-axe"))`: no plotly logo, and the
    camera button of the toolbar saves a PNG under that French file name."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def base_layout(fig: go.Figure, height: int, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, font=FONT, separators=SEPARATORS, paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=10, r=20, t=60 if title else 20, b=10),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=22)) if title else None,
        hoverlabel=dict(font_size=18, bgcolor="white"), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left", font=dict(size=18),
                    title_text=""),
    )
    return fig


def share_text(ratio: float) -> str:
    """0.125 → « 12,5 % », 0.6 → « 60 % »: a decimal only when there is one."""
    return pourcentage(ratio, 0 if round(float(ratio) * 100, 1).is_integer() else 1)


def percent_texts(ratios) -> list[str]:
    """0.125 → « 12,5 % » for each value (always one decimal: values side by side align)."""
    return [pourcentage(float(r)) for r in np.asarray(ratios, dtype=float)]


PERCENT_TICKS = [0, 20, 40, 60, 80, 100]


def percent_ticks(values) -> list[str]:
    """Tick labels « 20 % » (ticksuffix is ignored where tick values are given)."""
    return [f"{v:g}\u00a0%" for v in values]


def points_words(value: float) -> str:
    """12 → « 12 points », 1 → « 1 point » (French: plural from 2), signless."""
    return f"{points(value)} point{'s' if abs(round(float(value), 1)) >= 2 else ''}"


def shorten(text: str, width: int = 48) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- scores -------------------------------------------------------------------------------

# (share column, points column, French label, colour) in stacking order.
STATUT_SEGMENTS = [
    ("part_fait", "point_fait", "Fait", COULEUR_FAIT),
    ("part_programme", "point_programme", "Programmé", COULEUR_PROGRAMME),
    ("part_pas_fait", "point_pas_fait", "Pas fait", COULEUR_PAS_FAIT),
    ("part_non_renseigne", "point_non_renseigne", "Non renseigné", COULEUR_NON_RENSEIGNE),
]
# Text colour readable on each segment (white on the dark ones).
SEGMENT_TEXT = {COULEUR_FAIT: "white", COULEUR_PROGRAMME: "#1A1A1A", COULEUR_PAS_FAIT: "white",
                COULEUR_NON_RENSEIGNE: "#1A1A1A"}
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
            fillcolor=_transparent(colour, 0.12),
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
    fig.update_xaxes(tickformat="%d/%m/%Y", gridcolor=GRID, showline=True, linecolor="#888888", automargin=True)
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
                     zeroline=True, zerolinecolor="#555555", zerolinewidth=2,
                     gridcolor=GRID, title_text="Points faits gagnés (+) ou perdus (−)", fixedrange=True,
                     automargin=True)
    fig.update_yaxes(autorange="reversed", fixedrange=True, ticklabelstandoff=8, automargin=True)
    return base_layout(fig, max(220, bar_height * len(labels) + (170 if title else 130)), title, legend=False)


def _transparent(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


# --- indicators
# The chart of one indicator of a fiche-action: measured values, yearly targets, the trajectory
# towards the next target and the straight-line projection (cae_data.fiches.indicateurs).

COULEUR_CIBLE = "#009E73"  # bluish green: the targets
COULEUR_TRAJECTOIRE = "#E69F00"  # orange, dashed
COULEUR_PROJECTION = "#555555"  # dark grey, dotted


def _valeur_hover(unite: str) -> str:
    return "" if not unite or unite == "nombre" else f" {unite}"


def indicator_chart(values: pd.DataFrame, targets: pd.DataFrame, trajectory: pd.DataFrame,
                    projection: pd.DataFrame, nom: str, unite: str = "", height: int = 420) -> go.Figure:
    """Values (`date`, `valeur`) as a line with markers, targets (`annee`, `valeur`) as diamonds
    on 31 December of their year, the trajectory and the projection (`date`, `valeur`) dashed."""
    fig = go.Figure()
    suffix = _valeur_hover(unite)
    dates = pd.to_datetime(values["date"]) if len(values) else pd.Series(dtype="datetime64[ns]")
    fig.add_trace(go.Scatter(
        x=dates, y=values["valeur"].astype(float), mode="lines+markers", name="Valeurs mesurées",
        line=dict(color=COULEUR_FAIT, width=3), marker=dict(size=6),
        text=[date_fr(d) for d in dates],
        hovertemplate="%{text} : <b>%{y:,.4~g}" + suffix + "</b><extra></extra>",
    ))
    if len(targets):
        target_dates = pd.to_datetime(targets["annee"].astype(int).astype(str) + "-12-31")
        fig.add_trace(go.Scatter(
            x=target_dates, y=targets["valeur"].astype(float), mode="markers+text", name="Cibles",
            marker=dict(color=COULEUR_CIBLE, size=16, symbol="diamond", line=dict(color="#1A1A1A", width=1)),
            text=[f"Cible {int(a)}" for a in targets["annee"]], textposition="middle left",
            textfont=dict(color=COULEUR_CIBLE, size=16),
            hovertemplate="%{text} : <b>%{y:,.4~g}" + suffix + "</b><extra></extra>",
        ))
    if len(trajectory):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(trajectory["date"]), y=trajectory["valeur"].astype(float), mode="lines",
            name="Trajectoire vers la cible", line=dict(color=COULEUR_TRAJECTOIRE, width=3, dash="dash"),
            hovertemplate="Trajectoire : %{y:,.4~g}" + suffix + "<extra></extra>",
        ))
    if len(projection):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(projection["date"]), y=projection["valeur"].astype(float), mode="lines",
            name="Projection de la tendance", line=dict(color=COULEUR_PROJECTION, width=2, dash="dot"),
            hovertemplate="Projection : %{y:,.4~g}" + suffix + "<extra></extra>",
        ))
    base_layout(fig, height, shorten(nom, 60))
    # the legend under the plot: the title (kept for the PNG download) takes the top
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left"),
                      margin=dict(l=10, r=20, t=60, b=10))
    fig.update_xaxes(showgrid=True, gridcolor=GRID, tickformat="%Y", dtick="M12", title_text="")
    fig.update_yaxes(showgrid=True, gridcolor=GRID, rangemode="tozero",
                     title_text="" if not unite or unite == "nombre" else unite)
    return fig


# --- committee
# Charts of « Comité de pilotage » and of the presentation mode: the radar by category of the
# two committees (this one filled and solid, the previous one dashed), and the same sized for a
# 1920×1080 projector.


def committee_radar(frame: pd.DataFrame, presentation: bool = False) -> go.Figure:
    """% fait by category (`serie`, `categorie`, `part_fait`, the previous committee's series
    first as rapports.category_frame gives): this committee is drawn first (blue, filled), the
    previous one dashed. With `presentation`, type for the back of a room."""
    series = list(dict.fromkeys(frame["serie"].astype(str)))
    ordered = pd.concat([frame[frame["serie"].astype(str) == name] for name in reversed(series)]) \
        if series else frame
    ordered = ordered.assign(categorie=[str(c)[:1].upper() + str(c)[1:] for c in ordered["categorie"]])
    fig = radar(ordered, "categorie", "serie", height=680 if presentation else 560)
    # the legend under the radar: above it, it would cover the top category's label
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center"),
                      margin=dict(l=140, r=140, t=50, b=90))
    if presentation:
        fig.update_layout(
            font=dict(size=28), margin=dict(l=210, r=210, t=80, b=110),
            legend=dict(orientation="h", yanchor="top", y=-0.06, x=0.5, xanchor="center", font=dict(size=28)),
            hoverlabel=dict(font_size=26),
            polar=dict(angularaxis=dict(tickfont=dict(size=38)), radialaxis=dict(tickfont=dict(size=24))),
        )
        fig.update_traces(line=dict(width=6), marker=dict(size=16))
    return fig


def committee_points_bars(frame: pd.DataFrame, label_column: str, title: str | None = None) -> go.Figure:
    """Points faits gained or lost per row (CommitteeChanges.axes or .mesures with a label
    column), largest first as the frame gives them."""
    return points_delta_bars(frame, label_column=label_column, hover_column="nom", title=title)
