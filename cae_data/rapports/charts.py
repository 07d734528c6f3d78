"""Static charts of the committee's PDF: plotly figures exported to PNG by kaleido (which drives
the system's Chromium, offline).

The score pages' builders live in pages/_charts.py, which imports Streamlit through pages/_ui.py
(its palette): the engine never imports Streamlit and pages/ is not installed with the package,
so the report has its own builders here, drawn with the same colour-blind-safe palette and
French formatting, sized for a slide.

kaleido starts a browser for every export unless its sync server runs: `figure_png` starts it
once per process (about 3 s), then an export takes about 0.2 s."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import plotly.graph_objects as go

from ..formatting import NARROW_NBSP, nombre
from . import ReportError

# The palette of pages/_ui.py (Okabe–Ito, colour-blind safe).
COULEUR_FAIT = "#0072B2"
COULEUR_PROGRAMME = "#E69F00"
COULEUR_GAIN = "#009E73"
COULEUR_PERTE = "#D55E00"
SERIE_COULEURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
SERIE_TIRETS = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
GRID = "#D9D9D9"
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=20, color="#1A1A1A")
SEPARATORS = "," + NARROW_NBSP


class ChartExportError(ReportError):
    """The static export of a chart failed (Chromium missing or not starting)."""


_server_lock = threading.Lock()
_server_started = False


def _ensure_server() -> None:
    global _server_started
    if _server_started:
        return
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    _server_started = True


def figure_png(fig: go.Figure, width: int, height: int, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes, `width` × `height` CSS pixels (× `scale` for a sharp print).
    Raises ChartExportError with a French message when Chromium cannot be used."""
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ChartExportError("Export des graphiques impossible : le module kaleido n'est pas installé.") from exc
    try:
        with _server_lock:  # one export at a time through the one browser
            _ensure_server()
            data = kaleido.calc_fig_sync(fig, opts=dict(format="png", width=int(width), height=int(height),
                                                        scale=scale))
    except Exception as exc:
        detail = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise ChartExportError(
            "Export des graphiques impossible : le navigateur Chromium est introuvable ou ne démarre pas "
            f"(installez-le avec scripts/ensure-chromium.sh). Détail : {detail}"
        ) from None
    if not isinstance(data, (bytes, bytearray)) or not bytes(data).startswith(b"\x89PNG"):
        raise ChartExportError("Export des graphiques impossible : kaleido n'a pas renvoyé d'image PNG.")
    return bytes(data)


def _layout(fig: go.Figure, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(
        font=FONT, separators=SEPARATORS, paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=20, r=20, t=70 if title else 20, b=20),
        title=dict(text=title, x=0, xanchor="left", font=dict(size=24)) if title else None,
        showlegend=legend,
        legend=dict(orientation="h", yanchor="top", y=-0.08, x=0.5, xanchor="center", font=dict(size=20),
                    title_text=""),
    )
    return fig


def _transparent(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def radar_categories(frame: pd.DataFrame) -> go.Figure:
    """% fait by category, one closed line per series (`serie`, `categorie`, `part_fait`): the
    last series (this committee) filled and solid, the earlier ones dashed grey."""
    fig = go.Figure()
    series = list(dict.fromkeys(frame["serie"].astype(str)))
    for index, name in enumerate(series):
        rows = frame[frame["serie"].astype(str) == name]
        theta = [str(t)[:1].upper() + str(t)[1:] for t in rows["categorie"]]
        shares = rows["part_fait"].to_numpy(dtype=float)
        current = index == len(series) - 1
        colour = COULEUR_FAIT if current else "#555555"
        fig.add_trace(go.Scatterpolar(
            r=list(shares * 100) + list(shares[:1] * 100), theta=theta + theta[:1], name=name, mode="lines+markers",
            line=dict(color=colour, width=5 if current else 3, dash="solid" if current else "dash"),
            marker=dict(size=13 if current else 10, color=colour), fill="toself" if current else "none",
            fillcolor=_transparent(COULEUR_FAIT, 0.15),
        ))
    fig.update_layout(polar=dict(
        radialaxis=dict(range=[0, 100], ticksuffix=" %", tickvals=[25, 50, 75, 100], gridcolor=GRID, angle=90,
                        tickangle=90, tickfont=dict(size=17, color="#555555")),
        angularaxis=dict(gridcolor=GRID, tickfont=dict(size=24), direction="clockwise", rotation=90),
        bgcolor="white",
    ))
    fig = _layout(fig)
    fig.update_layout(margin=dict(l=150, r=150, t=50, b=30))
    return fig


def indicator_chart(nom: str, unite: str, values: pd.DataFrame, targets: pd.DataFrame,
                    trajectory: pd.DataFrame, comite_date: dt.date, precedent_date: dt.date | None = None,
                    years: int = 2) -> go.Figure:
    """One indicator for a slide: its values (`date`, `valeur`) over the last `years` years up to
    the committee (the last one written above its point), its targets (`annee`, `valeur`, drawn
    on 31 December as diamonds) and the trajectory towards the next target (dashed); the
    previous committee's date as a dotted vertical line. `nom` is the hover title."""
    fig = go.Figure()
    start = pd.Timestamp(comite_date) - pd.DateOffset(years=years)
    shown = values[pd.to_datetime(values["date"]) >= start] if len(values) else values
    if len(shown):
        dates = pd.to_datetime(shown["date"])
        fig.add_trace(go.Scatter(
            x=dates, y=shown["valeur"].astype(float), name="Valeurs", mode="lines+markers",
            line=dict(color=COULEUR_FAIT, width=4), marker=dict(size=8, color=COULEUR_FAIT),
            hovertemplate=f"<b>{nom}</b><br>%{{x|%d/%m/%Y}} : %{{y}}<extra></extra>",
        ))
        last = shown.iloc[-1]
        fig.add_annotation(x=pd.Timestamp(last["date"]), y=float(last["valeur"]),
                           text=f"<b>{nombre_court(last['valeur'])}</b>", showarrow=False, yshift=26,
                           xanchor="right", font=dict(size=26, color=COULEUR_FAIT))
    if len(trajectory):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(trajectory["date"]), y=trajectory["valeur"].astype(float), name="Trajectoire",
            mode="lines", line=dict(color="#555555", width=3, dash="dash"),
        ))
    end = pd.Timestamp(comite_date)
    if len(targets):
        years_shown = targets[targets["annee"].astype(int) >= start.year]
        if len(years_shown):
            x = [pd.Timestamp(year=int(a), month=12, day=31) for a in years_shown["annee"]]
            fig.add_trace(go.Scatter(
                x=x, y=years_shown["valeur"].astype(float), name="Cible", mode="markers",
                marker=dict(symbol="diamond", size=20, color=COULEUR_PROGRAMME, line=dict(color="#1A1A1A", width=1)),
            ))
            end = max(end, max(x))
    if precedent_date is not None and pd.Timestamp(precedent_date) >= start:
        fig.add_vline(x=pd.Timestamp(precedent_date).timestamp() * 1000, line=dict(color="#888888", width=2, dash="dot"))
    fig.update_xaxes(range=[start, end + pd.Timedelta(days=45)], tickformat="%m/%Y", nticks=5, gridcolor=GRID,
                     showline=True, linecolor="#888888", tickfont=dict(size=20))
    axis_title = unite if unite and str(unite).strip().lower() != "nombre" else None
    fig.update_yaxes(gridcolor=GRID, zeroline=False, title_text=axis_title, rangemode="tozero", tickfont=dict(size=20))
    fig = _layout(fig)
    fig.update_layout(margin=dict(l=20, r=30, t=40, b=20), legend=dict(font=dict(size=21)))
    return fig


def nombre_court(value) -> str:
    """12 → « 12 », 12.5 → « 12,5 », 1234 → « 1 234 » (at most two decimals)."""
    value = float(value)
    if value != value:
        return "–"
    rounded = round(value, 2)
    decimals = 0 if rounded.is_integer() else (1 if round(rounded, 1) == rounded else 2)
    return nombre(rounded, decimals)
