"""Static export of a figure to PNG by kaleido, which drives the system's Chromium, offline: the
charts of the committee's PDF and the « Télécharger le graphique (PNG) » buttons.

kaleido starts a browser for every export unless its sync server runs: `figure_png` starts it
once per process (about 3 s), then an export takes about 0.2 s."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


class ChartExportError(RuntimeError):
    """The static export of a chart failed (Chromium missing or not starting); French message."""


_server_lock = threading.Lock()
_server_started = False


def _ensure_server() -> None:
    global _server_started
    if _server_started:
        return
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    _server_started = True


def static_export_available() -> bool:
    """Whether a Chromium is installed for kaleido's static export."""
    return any(Path(p).exists() for p in CHROMIUM_CANDIDATES) or bool(shutil.which("chromium"))


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
