"""The project's fixed vocabulary, each fact stated once: codes and the words they are shown with.

Like PUDL's ``metadata/enums.py``: every module that needs the Riket code, the value
statuses or the normalisation rules imports them from here instead of typing them in.
What the catalogue declares (dimensions, units, indicators) lives in the catalogue, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- regions ------------------------------------------------------------------------------

RIKET_CODE = "00"
# Names statistics producers and spreadsheets use for the whole country, besides Riket's own
# names in regions.yaml (matched case-insensitively by ``regions.RegionNames``).
RIKET_ALIASES: tuple[str, ...] = (
    "Sverige", "Sweden", "hela riket", "hela landet", "samtliga", "samtliga län", "totalt",
    "total",
)

# --- indicators -------------------------------------------------------------------------

# The catalogue's ``polarity`` values and the sign that turns "higher" into "better".
POLARITY_SIGN: dict[str, float] = {"higher_is_better": 1.0, "higher_is_worse": -1.0,
                                   "neutral": 0.0}
POLARITIES: tuple[str, ...] = tuple(POLARITY_SIGN)

# --- value status -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusLabel:
    """Swedish words for one value status, in the grammatical forms the report needs."""

    value: str      # chart legends and tables: "Observerat värde"
    plural: str     # column headings: "Observerade"
    adjective: str  # inside a sentence: "observerat"


STATUSES: tuple[str, ...] = ("observed", "synthetic")
SURVEY_STATUSES: tuple[str, ...] = ("observed",)  # survey items are never invented
STATUS_LABELS: dict[str, StatusLabel] = {
    "observed": StatusLabel("Observerat värde", "Observerade", "observerat"),
    "synthetic": StatusLabel("Syntetiskt värde (framräknat)", "Syntetiska", "syntetiskt"),
}
SYNTHETIC_SOURCE_ID = "synthetic"  # sources.yaml key of generated values

# --- survey -------------------------------------------------------------------------------

# Who a survey question was asked of (``base`` of a survey item) and how the report says it.
SURVEY_BASE_LABELS: dict[str, str] = {
    "all_firms": "alla företag",
    "innovating_firms": "företag som arbetar med innovation",
}
SURVEY_BASES: tuple[str, ...] = tuple(SURVEY_BASE_LABELS)

# --- normalisation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalisation:
    """How a catalogue ``normalise`` value turns a count into a rate."""

    denominator_id: str | None  # context series divided by (None: no normalisation)
    multiplier: float
    unit_sv: str   # appended to the unit label: "antal per 100 000 invånare"
    short_sv: str  # table cell: "100 000 inv."


NORMALISATIONS: dict[str, Normalisation] = {
    "none": Normalisation(None, 1.0, "", "–"),
    "per_capita": Normalisation("befolkning", 100_000.0, "per 100 000 invånare",
                                "100\u00a0000 inv."),
    # Population aged 20–64 stands in for the employed.
    "per_employed": Normalisation("befolkning_20_64", 1_000.0, "per 1 000 invånare 20–64 år",
                                  "1\u00a0000 inv. 20–64 år"),
}
