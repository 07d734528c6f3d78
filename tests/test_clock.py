"""The one clock: PCAET_AUJOURDHUI fixes the day for every process, set_today inside one."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from cae_data import clock


def test_the_suite_runs_on_its_fixed_day():
    # conftest.py sets PCAET_AUJOURDHUI=2026-11-25 before any engine import.
    assert clock.today() == date(2026, 11, 25)
    assert clock.now().date() == date(2026, 11, 25)


def test_set_today_then_back_to_the_environment():
    clock.set_today("2031-02-28")
    try:
        assert clock.today() == date(2031, 2, 28)
        assert clock.now().date() == date(2031, 2, 28)
        clock.set_today(date(2027, 1, 1))
        assert clock.today() == date(2027, 1, 1)
    finally:
        clock.set_today(None)
    assert clock.today() == date(2026, 11, 25)


def test_a_subprocess_and_the_command_line_read_the_same_day(monkeypatch):
    monkeypatch.setenv("PCAET_AUJOURDHUI", "2030-06-15")
    out = subprocess.run([sys.executable, "-c", "from cae_data import clock; print(clock.today(), clock.now().date())"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["2030-06-15", "2030-06-15"]


def test_a_malformed_day_is_refused_in_french(monkeypatch):
    monkeypatch.setenv("PCAET_AUJOURDHUI", "25/11/2026")
    with pytest.raises(ValueError, match="date attendue au format AAAA-MM-JJ"):
        clock.today()
