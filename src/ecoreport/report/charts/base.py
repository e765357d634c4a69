"""Shared chart conventions: colours, the synthetic-value marking, number formats."""

from __future__ import annotations

import altair as alt

# Observed values are drawn as filled markers, synthetic ones hollow; the legend says so.
STATUS_LABELS = {"observed": "Observerat värde", "synthetic": "Syntetiskt värde (framräknat)"}

REGION_COLOUR = "#1f5f8b"
PEER_COLOUR = "#8c8c8c"
RIKET_COLOUR = "#d08c2f"
CHART_WIDTH = 560
CHART_HEIGHT = 260


def label_status(status: str) -> str:
    """The Swedish legend label of a value status."""
    return STATUS_LABELS.get(status, status)


def status_fill(statuses: list[str], colour: str = REGION_COLOUR) -> alt.Fill:
    """Fill encoding: observed filled, synthetic hollow (white); legend only lists statuses present."""
    present = [label for key, label in STATUS_LABELS.items() if key in set(statuses)]
    fills = [colour if label == STATUS_LABELS["observed"] else "white" for label in present]
    return alt.Fill(
        "status_label:N", title=None,
        scale=alt.Scale(domain=present, range=fills),
        legend=alt.Legend(orient="bottom", symbolStrokeColor=colour, symbolStrokeWidth=2,
                          symbolType="circle"),
    )
