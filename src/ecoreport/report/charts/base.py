"""Shared chart conventions: colours, the synthetic-value marking, number formats."""

from __future__ import annotations

import altair as alt

from ecoreport.data.vocab import STATUS_LABELS

REGION_COLOUR = "#1f5f8b"
PEER_COLOUR = "#8c8c8c"
RIKET_COLOUR = "#d08c2f"
# How a län relates to the report: the report's own län, one of its peers, or another.
ROLE_REGION = "Rapportens län"
ROLE_PEER = "Jämförelselän"
ROLE_OTHER = "Övriga län"
ROLE_COLOURS = {ROLE_REGION: REGION_COLOUR, ROLE_PEER: "#6a9fc4", ROLE_OTHER: "#b0b0b0"}
CHART_WIDTH = 560
CHART_HEIGHT = 260


def region_role(code: str, region_code: str | None, peer_codes) -> str:
    """ROLE_REGION, ROLE_PEER or ROLE_OTHER of a län code."""
    if code == region_code:
        return ROLE_REGION
    return ROLE_PEER if code in set(peer_codes) else ROLE_OTHER


def label_status(status: str) -> str:
    """The Swedish legend label of a value status."""
    label = STATUS_LABELS.get(status)
    return label.value if label else status


def status_fill(statuses: list[str], colour: str = REGION_COLOUR) -> alt.Fill:
    """Fill encoding: observed filled, synthetic hollow (white); legend only lists statuses present."""
    present = [key for key in STATUS_LABELS if key in set(statuses)]
    fills = [colour if key == "observed" else "white" for key in present]
    return alt.Fill(
        "status_label:N", title=None,
        scale=alt.Scale(domain=[label_status(key) for key in present], range=fills),
        legend=alt.Legend(orient="bottom", symbolStrokeColor=colour, symbolStrokeWidth=2,
                          symbolType="circle"),
    )
