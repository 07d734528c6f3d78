"""The one clock of the project: every « today » and « now » is read here.

By default it is the machine's clock. The environment variable `PCAET_AUJOURDHUI=AAAA-MM-JJ`
fixes the day for tests, demos and the command line: `today()` is that day, and `now()` is that
day at the machine's current time of day, so that every process (command line, dashboard, tests)
agrees on the date and timestamps written one after the other stay in order.

`set_today()` fixes it inside one process (a test that needs another day than the suite's).
"""

from __future__ import annotations

import os
from datetime import date, datetime

ENV_VAR = "PCAET_AUJOURDHUI"

_override: date | None = None


def _parse(text: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as exc:
        raise ValueError(f"{ENV_VAR}={text!r} : date attendue au format AAAA-MM-JJ") from exc


def fixed_day() -> date | None:
    """The day the clock is fixed to, or None when it follows the machine."""
    if _override is not None:
        return _override
    text = os.environ.get(ENV_VAR, "").strip()
    return _parse(text) if text else None


def now() -> datetime:
    """The current local date and time (naive, like every timestamp stored by the project)."""
    real = datetime.now()
    day = fixed_day()
    return real if day is None else datetime.combine(day, real.time())


def today() -> date:
    day = fixed_day()
    return date.today() if day is None else day


def set_today(value: date | str | None) -> None:
    """Fix the day in this process (None: back to the environment or the machine)."""
    global _override
    if isinstance(value, datetime):
        value = value.date()
    _override = _parse(value) if isinstance(value, str) else value
