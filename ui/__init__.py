"""The dashboard's Streamlit side: dashboard.py (navigation only) runs the pages of ui/pages/,
one screen a file, declared once in routes.py. Pages read the engine through cae_data.services
only, through cached reads (lecture.py: one line a read); the helpers they share are small
modules by kind: session.py (login, roles, sidebar), textes.py (texts, French formatting, safe
markdown), widgets_*.py (one per area: scores, simulation and import, indicators, committee,
presentation, journal, cooperation tools). Logic without Streamlit lives in the engine
(cae_data.simulation, cae_data.fiches.indicateurs, cae_data.rapports.tables, cae_data.charts)."""
