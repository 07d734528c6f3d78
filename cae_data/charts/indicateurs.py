"""The chart of one indicator of a fiche-action: its measured values, its yearly targets, the
trajectory towards the next target and the straight-line projection of its trend
(cae_data.fiches.indicateurs). One set of traces, drawn on the Fiches-actions page
(`indicateur_chart`) and, over the last years before a committee, on the committee's PDF
(`indicateur_slide_chart`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from ..formatting import date_fr, nombre_court, shorten
from ..palette import (
    COULEUR_CIBLE,
    COULEUR_PROJECTION,
    COULEUR_TEXTE,
    COULEUR_TRAJECTOIRE,
    COULEUR_VALEURS,
    GRIS_AXE,
)
from .base import GRID, base_layout, paper_layout

# Legend names: in full on the screen, short on a third of an A4 page.
NOMS = {"valeurs": "Valeurs mesurées", "cibles": "Cibles", "trajectoire": "Trajectoire vers la cible",
        "projection": "Projection de la tendance"}
NOMS_COURTS = {"valeurs": "Valeurs", "cibles": "Cible", "trajectoire": "Trajectoire", "projection": "Projection"}


def _unit_suffix(unite: str) -> str:
    return "" if not unite or unite == "nombre" else f" {unite}"


def _traces(values: pd.DataFrame, targets: pd.DataFrame, trajectory: pd.DataFrame, projection: pd.DataFrame,
            unite: str, paper: bool) -> list[go.Scatter]:
    """Values (`date`, `valeur`) as a line with markers, targets (`annee`, `valeur`) as diamonds
    on 31 December of their year (named « Cible 2026 » on the screen), the trajectory dashed and
    the projection (`date`, `valeur`) dotted."""
    names = NOMS_COURTS if paper else NOMS
    suffix = _unit_suffix(unite)
    dates = pd.to_datetime(values["date"]) if len(values) else pd.Series(dtype="datetime64[ns]")
    traces = [go.Scatter(
        x=dates, y=values["valeur"].astype(float), mode="lines+markers", name=names["valeurs"],
        line=dict(color=COULEUR_VALEURS, width=4 if paper else 3), marker=dict(size=8 if paper else 6),
        text=[date_fr(d) for d in dates],
        hovertemplate="%{text} : <b>%{y:,.4~g}" + suffix + "</b><extra></extra>",
    )]
    if len(targets):
        target_dates = pd.to_datetime(targets["annee"].astype(int).astype(str) + "-12-31")
        traces.append(go.Scatter(
            x=target_dates, y=targets["valeur"].astype(float), mode="markers" if paper else "markers+text",
            name=names["cibles"],
            marker=dict(color=COULEUR_CIBLE, size=20 if paper else 16, symbol="diamond",
                        line=dict(color=COULEUR_TEXTE, width=1)),
            text=[f"Cible {int(a)}" for a in targets["annee"]], textposition="middle left",
            textfont=dict(color=COULEUR_CIBLE, size=16),
            hovertemplate="%{text} : <b>%{y:,.4~g}" + suffix + "</b><extra></extra>",
        ))
    if len(trajectory):
        traces.append(go.Scatter(
            x=pd.to_datetime(trajectory["date"]), y=trajectory["valeur"].astype(float), mode="lines",
            name=names["trajectoire"], line=dict(color=COULEUR_TRAJECTOIRE, width=3, dash="dash"),
            hovertemplate="Trajectoire : %{y:,.4~g}" + suffix + "<extra></extra>",
        ))
    if len(projection):
        traces.append(go.Scatter(
            x=pd.to_datetime(projection["date"]), y=projection["valeur"].astype(float), mode="lines",
            name=names["projection"], line=dict(color=COULEUR_PROJECTION, width=2, dash="dot"),
            hovertemplate="Projection : %{y:,.4~g}" + suffix + "<extra></extra>",
        ))
    return traces


def indicateur_chart(values: pd.DataFrame, targets: pd.DataFrame, trajectory: pd.DataFrame,
                    projection: pd.DataFrame, nom: str, unite: str = "", height: int = 420) -> go.Figure:
    """The Fiches-actions page's chart: every value, target, the trajectory and the projection,
    the indicator's name as title (kept in the PNG download), the legend under the plot."""
    fig = go.Figure(_traces(values, targets, trajectory, projection, unite, paper=False))
    base_layout(fig, height, shorten(nom, 60))
    # the legend under the plot: the title (kept for the PNG download) takes the top
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left"),
                      margin=dict(l=10, r=20, t=60, b=10))
    fig.update_xaxes(showgrid=True, gridcolor=GRID, tickformat="%Y", dtick="M12", title_text="")
    fig.update_yaxes(showgrid=True, gridcolor=GRID, rangemode="tozero",
                     title_text="" if not unite or unite == "nombre" else unite)
    return fig


def indicateur_slide_chart(values: pd.DataFrame, targets: pd.DataFrame, trajectory: pd.DataFrame, unite: str,
                          comite_date: dt.date, precedent_date: dt.date | None = None, years: int = 2) -> go.Figure:
    """The same indicator on a committee's slide (PDF): its values over the last `years` years
    up to the committee (the last one written above its point), the targets of those years and
    the trajectory; the previous committee's date as a dotted vertical line. No title: the
    slide writes the name above the image."""
    start = pd.Timestamp(comite_date) - pd.DateOffset(years=years)
    shown = values[pd.to_datetime(values["date"]) >= start] if len(values) else values
    years_shown = targets[targets["annee"].astype(int) >= start.year] if len(targets) else targets
    traces = _traces(shown, years_shown, trajectory, trajectory.iloc[0:0], unite, paper=True)
    fig = go.Figure([trace for trace in traces if len(trace.x)])  # no empty « Valeurs » in the legend
    if len(shown):
        last = shown.iloc[-1]
        fig.add_annotation(x=pd.Timestamp(last["date"]), y=float(last["valeur"]),
                           text=f"<b>{nombre_court(last['valeur'])}</b>", showarrow=False, yshift=26,
                           xanchor="right", font=dict(size=26, color=COULEUR_VALEURS))
    end = pd.Timestamp(comite_date)
    if len(years_shown):
        end = max(end, max(pd.Timestamp(year=int(a), month=12, day=31) for a in years_shown["annee"]))
    if precedent_date is not None and pd.Timestamp(precedent_date) >= start:
        fig.add_vline(x=pd.Timestamp(precedent_date).timestamp() * 1000, line=dict(color=GRIS_AXE, width=2, dash="dot"))
    fig.update_xaxes(range=[start, end + pd.Timedelta(days=45)], tickformat="%m/%Y", nticks=5, gridcolor=GRID,
                     showline=True, linecolor=GRIS_AXE, tickfont=dict(size=20))
    axis_title = unite if unite and str(unite).strip().lower() != "nombre" else None
    fig.update_yaxes(gridcolor=GRID, zeroline=False, title_text=axis_title, rangemode="tozero", tickfont=dict(size=20))
    fig = paper_layout(fig)
    fig.update_layout(margin=dict(l=20, r=30, t=40, b=20), legend=dict(font=dict(size=21)))
    return fig
