"""The plotly figure builders of cae_data/charts/, on hand-made frames: traces, values, French
texts and hovers, the palette's colours. No Streamlit app runs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cae_data import charts, palette
from cae_data.formatting import shorten

BLUE, ORANGE, VERMILLION, GREY, GREEN = "#0072B2", "#E69F00", "#D55E00", "#BBBBBB", "#009E73"
NNBSP, NBSP = "\u202f", "\u00a0"


def two_mesures() -> pd.DataFrame:
    """A: 200 points of potential = 25 fait + 50 programmé + 100 pas fait + 25 non renseigné;
    B: 100 points, all fait."""
    return pd.DataFrame({
        "label": ["A", "B"], "nom": ["Mesure A", "Mesure B"],
        "point_potentiel": [200.0, 100.0], "point_fait": [25.0, 100.0], "point_programme": [50.0, 0.0],
        "point_pas_fait": [100.0, 0.0], "point_non_renseigne": [25.0, 0.0],
        "part_fait": [0.125, 1.0], "part_programme": [0.25, 0.0], "part_pas_fait": [0.5, 0.0],
        "part_non_renseigne": [0.125, 0.0],
    })


def test_status_bars_stack_the_four_shares_in_the_palette():
    fig = charts.status_bars(two_mesures(), hover_column="nom")
    assert [t.name for t in fig.data] == ["Fait", "Programmé", "Pas fait", "Non renseigné"]
    assert [t.marker.color for t in fig.data] == [BLUE, ORANGE, VERMILLION, GREY]
    assert fig.layout.barmode == "stack"
    fait, programme, pas_fait, non_renseigne = fig.data
    assert list(fait.x) == [12.5, 100.0] and list(fait.y) == ["A", "B"]
    assert list(programme.x) == [25.0, 0.0] and list(pas_fait.x) == [50.0, 0.0]
    assert list(non_renseigne.x) == [12.5, 0.0]
    # texts inside the segments: one decimal only when there is one, nothing on an empty one
    assert list(fait.text) == [f"12,5{NBSP}%", f"100{NBSP}%"]
    assert list(pas_fait.text) == [f"50{NBSP}%", ""]
    assert fait.hovertext[0] == f"<b>Mesure A</b><br>Fait : 12,5{NBSP}% (25 points sur 200)"
    assert programme.hovertext[0] == f"<b>Mesure A</b><br>Programmé : 25,0{NBSP}% (50 points sur 200)"
    assert fig.layout.xaxis.range == (0, 100)
    assert fig.layout.yaxis.autorange == "reversed"  # first row on top
    assert fig.layout.separators == "," + NNBSP


def test_status_bars_grow_with_the_rows_and_can_hide_their_labels():
    one = charts.status_bars(two_mesures().iloc[[0]], show_labels=False)
    two = charts.status_bars(two_mesures())
    assert one.layout.yaxis.showticklabels is False
    assert two.layout.height > one.layout.height


def test_share_bars_write_the_share_at_the_end_of_each_bar():
    frame = pd.DataFrame({"label": ["1. Planification", "2. Patrimoine"], "part_fait": [0.503, 0.0],
                          "point_fait": [49.01, 0.0], "point_potentiel": [97.5, 64.0]})
    fig = charts.share_bars(frame)
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert list(bar.x) == pytest.approx([50.3, 0.0])
    assert list(bar.text) == [f"50,3{NBSP}%", f"0,0{NBSP}%"]
    assert bar.marker.color == BLUE
    assert bar.hovertext[0] == f"<b>1. Planification</b><br>Fait : 50,3{NBSP}% (49 points sur 97,5)"
    assert list(fig.layout.xaxis.ticktext) == [f"{v}{NBSP}%" for v in (0, 20, 40, 60, 80, 100)]


def test_radar_draws_one_closed_line_per_date_with_its_own_colour_and_dash():
    frame = pd.DataFrame({
        "serie": ["17/11/2026"] * 3 + ["10/11/2026"] * 3,
        "categorie": ["Bases", "Mise en œuvre", "Effets"] * 2,
        "part_fait": [0.125, 0.5, 0.0, 0.1, 0.4, 0.0],
    })
    fig = charts.radar(frame, "categorie", "serie")
    assert [t.name for t in fig.data] == ["17/11/2026", "10/11/2026"]
    latest, before = fig.data
    assert list(latest.r) == [12.5, 50.0, 0.0, 12.5]  # closed: back to the first point
    assert list(latest.theta) == ["Bases", "Mise en œuvre", "Effets", "Bases"]
    assert list(before.r) == pytest.approx([10.0, 40.0, 0.0, 10.0])
    assert latest.line.color != before.line.color and latest.line.dash != before.line.dash
    assert latest.hovertext[0] == f"<b>17/11/2026</b><br>Bases : 12,5{NBSP}%"
    assert before.hovertext[1] == f"<b>10/11/2026</b><br>Mise en œuvre : 40,0{NBSP}%"
    assert fig.layout.polar.radialaxis.range == (0, 100)
    assert list(fig.layout.polar.radialaxis.ticktext) == [f"{v}{NBSP}%" for v in (25, 50, 75, 100)]


def test_radar_hover_can_name_what_the_axis_abbreviates():
    frame = pd.DataFrame({"serie": ["d"] * 2, "theta": ["6.1.1", "6.1.2"], "part_fait": [0.45, 0.6],
                          "survol": ["6.1.1 Développer une stratégie", "6.1.2 Renforcer la coopération"]})
    fig = charts.radar(frame, "theta", "serie", hover_column="survol")
    assert fig.data[0].hovertext[1] == f"<b>d</b><br>6.1.2 Renforcer la coopération : 60,0{NBSP}%"


def test_history_lines_one_per_series_over_the_dates():
    frame = pd.DataFrame({
        "date": [date(2026, 6, 15), date(2026, 1, 15), date(2026, 1, 15), date(2026, 6, 15)],
        "part_fait": [140 / 300, 105 / 300, 0.2, 0.45],
        "serie": ["Score global", "Score global", "6.1.1", "6.1.1"],
    })
    fig = charts.history_lines(frame, "serie")
    assert [t.name for t in fig.data] == ["Score global", "6.1.1"]
    global_line, mesure = fig.data
    assert [pd.Timestamp(x).date() for x in global_line.x] == [date(2026, 1, 15), date(2026, 6, 15)]
    assert list(global_line.y) == pytest.approx([35.0, 46.6667], abs=1e-3)
    assert global_line.hovertext[1] == f"<b>15/06/2026</b> — Score global : 46,7{NBSP}%"
    assert global_line.line.width > mesure.line.width  # the global score stands out
    assert global_line.line.dash != mesure.line.dash
    assert fig.layout.xaxis.tickformat == "%d/%m/%Y"


def test_points_delta_bars_diverge_green_blue_and_vermillion():
    frame = pd.DataFrame({"label": ["6.1.1", "6.5.1"], "delta_point_fait": [25.0, -1.0]})
    fig = charts.points_delta_bars(frame)
    bar = fig.data[0]
    assert list(bar.x) == [25.0, -1.0]
    assert list(bar.marker.color) == [GREEN, VERMILLION]
    assert list(bar.text) == ["+25", "−1"]
    assert bar.hovertext[0] == "<b>6.1.1</b><br>Gagné : +25 points faits"
    assert bar.hovertext[1] == "<b>6.5.1</b><br>Perdu : −1 point fait"
    low, high = fig.layout.xaxis.range
    assert low < -1 and high > 25  # both bars and their texts fit


def test_points_delta_bars_only_gains_keep_zero_on_the_left():
    fig = charts.points_delta_bars(pd.DataFrame({"label": ["a"], "delta_point_fait": [4.0]}))
    low, high = fig.layout.xaxis.range
    assert -1 < low < 0 and high > 4


def test_chart_config_saves_a_png_under_a_french_name_without_the_plotly_logo():
    config = charts.chart_config("score-par-axe-2026-11-17")
    assert config["displaylogo"] is False
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config["toImageButtonOptions"]["filename"] == "score-par-axe-2026-11-17"


def test_share_text_and_shorten():
    assert charts.share_text(0.6) == f"60{NBSP}%"
    assert charts.share_text(0.625) == f"62,5{NBSP}%"
    assert shorten("Développer une stratégie partenariale", 12) == "Développer…"
    assert shorten("court", 12) == "court"
    # French plural from 2
    assert [charts.points_words(v) for v in (0, 1, 1.5, 2, 12.25)] == [
        "0 point", "1 point", "1,5 point", "2 points", "12,2 points"]


# --- indicators and committees (moved with the builders from the pages' tests) ---------------------

def test_indicateur_chart_traces():
    values = pd.DataFrame({"date": pd.to_datetime(["2024-01-31", "2025-01-31"]), "valeur": [2.0, 4.0]})
    targets = pd.DataFrame({"annee": [2026], "valeur": [10.0]})
    trajectory = pd.DataFrame({"date": pd.to_datetime(["2024-01-31", "2026-12-31"]), "valeur": [2.0, 10.0]})
    projection = pd.DataFrame({"date": pd.to_datetime(["2024-01-31", "2026-12-31"]), "valeur": [2.0, 7.9]})
    fig = charts.indicateur_chart(values, targets, trajectory, projection, "Mon indicateur", "km")
    names = [t.name for t in fig.data]
    assert names == ["Valeurs mesurées", "Cibles", "Trajectoire vers la cible", "Projection de la tendance"]
    assert list(fig.data[1].x) == [pd.Timestamp("2026-12-31")] and list(fig.data[1].text) == ["Cible 2026"]
    assert fig.data[2].line.dash == "dash" and fig.data[3].line.dash == "dot"
    assert list(fig.data[0].text) == ["31/01/2024", "31/01/2025"]
    assert fig.layout.yaxis.title.text == "km" and fig.layout.title.text == "Mon indicateur"
    empty = charts.indicateur_chart(values, targets.iloc[0:0], trajectory.iloc[0:0], projection.iloc[0:0], "X")
    assert [t.name for t in empty.data] == ["Valeurs mesurées"]


def test_comite_radar_draws_this_comite_first_and_big_on_a_projector():
    categories = pd.DataFrame({
        "serie": ["Comité du 12/11/2026"] * 3 + ["Comité du 19/11/2026"] * 3,
        "categorie": ["bases", "mise en œuvre", "effets"] * 2, "part_fait": [0.5, 0.2, 0.0, 0.6, 0.25, 0.1]})
    fig = charts.comite_radar(categories)
    assert [t.name for t in fig.data] == ["Comité du 19/11/2026", "Comité du 12/11/2026"]
    assert fig.data[0].fill == "toself" and fig.data[1].fill in (None, "none")
    assert list(fig.data[0].r) == pytest.approx([60, 25, 10, 60])  # closed line, in %
    assert list(fig.data[0].theta) == ["Bases", "Mise en œuvre", "Effets", "Bases"]
    assert fig.layout.legend.y < 0  # under the radar
    big = charts.comite_radar(categories, presentation=True)
    assert big.layout.polar.angularaxis.tickfont.size >= 36
    assert big.layout.legend.font.size >= 28
    assert big.layout.height == 680


def test_comite_points_bars():
    frame = pd.DataFrame({"label": ["Axe 1", "Axe 2"], "nom": ["Un", "Deux"], "delta_point_fait": [2.5, -1.0]})
    fig = charts.comite_points_bars(frame, "label", "Points faits gagnés ou perdus par axe")
    assert list(fig.data[0].x) == [2.5, -1.0]
    assert list(fig.data[0].marker.color) == [palette.COULEUR_GAIN, palette.COULEUR_PERTE]
    assert list(fig.data[0].text) == ["+2,5", "−1"]
    assert fig.layout.title.text == "Points faits gagnés ou perdus par axe"
