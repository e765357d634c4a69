"""ecoreport: reproducible METRIC innovation-ecosystem reports for Swedish län."""

from importlib.metadata import PackageNotFoundError, version

try:  # the version is stated once, in pyproject.toml
    __version__ = version("ecoreport")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
