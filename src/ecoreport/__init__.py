"""ecoreport: reproducible METRIC innovation-ecosystem reports for Swedish län."""

__version__ = "0.1.0"
