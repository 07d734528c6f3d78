"""The one set of figure builders: plotly figures for the dashboard's screens, the static PNG
export and the committee's PDF, drawn with the one palette (cae_data.palette) and French
formatting (cae_data.formatting). Each builder takes a DataFrame and returns a go.Figure, so
it is tested without Streamlit (tests/test_charts.py).

base.py        fonts, layouts (screen, paper), toolbar, short texts on figures
scores.py      status bars, share bars, radar, score lines, points gained or lost
indicateurs.py an indicator against its targets (page and slide)
comites.py     the committee's radar (page, projector, paper) and its points bars
export.py      PNG through kaleido and the system's Chromium"""

from .base import (
    FONT,
    FONT_PAPIER,
    GRID,
    PERCENT_TICKS,
    SEPARATORS,
    base_layout,
    chart_config,
    paper_layout,
    percent_texts,
    percent_ticks,
    points_words,
    share_text,
)
from .comites import comite_points_bars, comite_radar
from .export import ChartExportError, figure_png, static_export_available
from .indicateurs import indicateur_chart, indicateur_slide_chart
from .scores import (
    MIN_SHARE_FOR_TEXT,
    SEGMENT_TEXT,
    STATUT_SEGMENTS,
    history_lines,
    points_delta_bars,
    radar,
    share_bars,
    simulation_radar,
    status_bars,
)

__all__ = [
    "FONT", "FONT_PAPIER", "GRID", "PERCENT_TICKS", "SEPARATORS", "base_layout", "chart_config", "paper_layout",
    "percent_texts", "percent_ticks", "points_words", "share_text",
    "comite_points_bars", "comite_radar", "ChartExportError", "figure_png", "static_export_available",
    "indicateur_chart", "indicateur_slide_chart",
    "MIN_SHARE_FOR_TEXT", "SEGMENT_TEXT", "STATUT_SEGMENTS", "history_lines", "points_delta_bars", "radar",
    "share_bars", "simulation_radar", "status_bars",
]
