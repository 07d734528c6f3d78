"""Engine of the PCAET dashboard: parsing, validation, DuckDB storage, scoring.

Never imports streamlit: the dashboard and the `pcaet` command line both sit on top of it.
"""

__version__ = "0.1.0"
