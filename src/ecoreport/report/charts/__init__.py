"""Altair charts for the report. Titles, units and decimals come from the catalogue."""

from ecoreport.report.charts.base import label_status, status_fill
from ecoreport.report.charts.indicators import trend_chart, trend_table

__all__ = ["label_status", "status_fill", "trend_chart", "trend_table"]
