"""What the Fiches-actions pages show of an indicator and a fiche, computed by the engine without
Streamlit: the time elapsed in a calendar, the projection sentence of an indicator
(cae_data.fiches.indicateurs), and the fiche typed in the form as YAML (fiches.yaml_format)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cae_data.fiches.indicateurs import (
    FLAG_BEHIND,
    FLAG_STALE,
    elapsed_share,
    indicateur_flags,
    indicateur_projection,
    projection_sentence,
)
from cae_data.fiches.yaml_format import form_yaml, read_fiche_yaml


def test_elapsed_share_and_sentences():
    assert elapsed_share(2020, 2026, date(2019, 5, 1)) == 0
    assert elapsed_share(2020, 2026, date(2027, 1, 1)) == 1
    # 1 Jan 2020 → 31 Dec 2021 is 731 days; 1 Jan 2021 is day 366
    assert elapsed_share(2020, 2021, date(2021, 1, 1)) == pytest.approx(366 / 730)
    assert elapsed_share(None, None, date(2023, 1, 1)) == pytest.approx(1096 / 2556)
    row = {"unite": "km", "status": "en retard", "target": 40.0, "target_year": 2026,
           "projected_value": 31.26, "last_value": 20.0}
    assert projection_sentence(row) == ("Au rythme actuel, la cible 2026 ne sera pas atteinte : valeur "
                                            "projetée 31,3 km au 31/12/2026 pour une cible de 40 km.")
    assert projection_sentence({**row, "status": "pas de cible"}).startswith("Aucune cible chiffrée")


def test_form_yaml_round_trips_through_the_reader():
    text = form_yaml("Titre « test »", "", "Des enjeux", "", [
        {"descriptif": "Faire", "etat": "Réalisé", "debut": 2021, "fin": 2022},
        {"descriptif": "", "etat": "En cours", "debut": 2021, "fin": 2022},  # empty: left out
    ], [{"nom": "Tonnes évitées", "unite": "t", "sens": "baisse", "annee": 2030, "cible": "8,5"}], ["6.1.1"])
    fiche = read_fiche_yaml(text, "f.yaml")
    assert fiche.titre == "Titre « test »" and fiche.enjeux == "Des enjeux"
    assert len(fiche.sous_actions) == 1 and fiche.sous_actions[0].etat == "Réalisé"
    assert fiche.indicateurs[0].cibles == {2030: 8.5} and fiche.indicateurs[0].sens == "baisse"
    assert fiche.mesures == ["6.1.1"]


def test_indicateur_flags():
    assert indicateur_flags({"stale": True, "behind_trajectory": True}) == [FLAG_STALE, FLAG_BEHIND]
    assert indicateur_flags({"stale": False, "behind_trajectory": pd.NA}) == []
    assert indicateur_flags({"stale": False, "behind_trajectory": None}) == []
    assert FLAG_STALE == "Pas de valeur depuis plus de 90 jours"


def test_indicateur_projection_goes_to_the_next_target_year():
    # values 10 on 31/12/2024 and 12 on 31/12/2025: +2 in 365 days
    values = pd.DataFrame({"date": pd.to_datetime(["2024-12-31", "2025-12-31"]), "valeur": [10.0, 12.0]})
    targets = pd.DataFrame({"annee": [2030], "valeur": [20.0]})
    line = indicateur_projection(values, targets, date(2026, 11, 25))
    assert pd.Timestamp(line["date"].iloc[-1]).year == 2030
    # 31/12/2030 is 1 826 days after 31/12/2025: 12 + 2 × 1826 / 365 ≈ 22,0 (the fitted slope)
    assert float(line["valeur"].iloc[-1]) == pytest.approx(12 + 2 * 1826 / 365, abs=0.05)
