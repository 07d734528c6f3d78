"""The error of a report that could not be produced (no font, no browser for the charts…)."""


class ReportError(RuntimeError):
    """A report could not be produced; its message is French and says what to install."""
