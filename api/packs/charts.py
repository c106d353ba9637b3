"""Charts as inline SVG, drawn by pygal with no script (a pack opens with no network)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pygal
from pygal.style import Style

from projections.base import Row

# Dark ink on white, and series colours distinct in greyscale print.
STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a",
              foreground_strong="#000000", foreground_subtle="#555555",
              colors=("#1f4e79", "#b35900", "#2e7d32", "#b71c1c"),
              font_family="DejaVu Sans, Arial, sans-serif", label_font_size=11,
              major_label_font_size=11, legend_font_size=11, title_font_size=13)  # fmt: skip
MARKED = {"stage_completed": "Stage completed", "setback": "Setback",
          "stage_stepped_back": "Stepped back"}  # fmt: skip


def progression_chart(title: str, weeks: list[Row], entries: list[Row]) -> str:
    """Per week: the median prompt rung and the mean confidence, with the weeks a stage was
    completed or a setback happened marked on the rung line."""
    labels = [str(week["week_start"]) for week in weeks]
    rungs = [week["median_rung"] for week in weeks]
    highest = max([rung for rung in rungs if rung is not None] or [1])
    chart = pygal.Line(
        style=STYLE, js=[], disable_xml_declaration=True, width=760, height=300,
        title=title, x_label_rotation=30, show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // 12), truncate_legend=-1,
        legend_at_bottom=True, dots_size=3, allow_interruptions=True,
        range=(0, highest), secondary_range=(0, 10), y_labels=list(range(highest + 1)),
        y_title="Prompt rung", include_x_axis=True,
    )  # fmt: skip
    chart.x_labels = labels
    chart.add("Prompt rung (median)", rungs)
    chart.add("Confidence, 1-10 (mean)", [_rounded(week["confidence"]) for week in weeks],
              secondary=True)  # fmt: skip
    for kind, name in MARKED.items():
        weeks_marked = {_monday(entry["effective_at"]) for entry in entries
                        if entry["kind"] == kind}  # fmt: skip
        if weeks_marked:
            points = [rung if label in weeks_marked else None
                      for label, rung in zip(labels, rungs, strict=True)]  # fmt: skip
            chart.add(name, points, stroke=False, dots_size=7)
    return str(chart.render(is_unicode=True))


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _monday(value: Any) -> str:
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return date.fromordinal(day.toordinal() - day.weekday()).isoformat()


def trend_chart(title: str, months: list[str], series: dict[str, list[float | None]],
                percent: bool) -> str:  # fmt: skip
    """Per month: one line per measure (a share of its `out of` as a percentage, or a count)."""
    chart = pygal.Line(
        style=STYLE, js=[], disable_xml_declaration=True, width=760, height=280, title=title,
        x_label_rotation=30, truncate_legend=-1, legend_at_bottom=True, dots_size=3,
        allow_interruptions=True, include_x_axis=True,
        y_title="% of those counted" if percent else "How many",
        range=(0, 100) if percent else None,
    )  # fmt: skip
    chart.x_labels = months
    for name, values in series.items():
        chart.add(name, values)
    return str(chart.render(is_unicode=True))


def hours_chart(points: list[tuple[datetime, float]]) -> str:
    """The weekly support hours the plan set, each from when it took effect."""
    chart = pygal.DateTimeLine(
        style=STYLE, js=[], disable_xml_declaration=True, width=760, height=240,
        title="Support hours a week", x_label_rotation=30, show_legend=False, dots_size=4,
        include_x_axis=True, y_title="Hours a week",
        x_value_formatter=lambda at: at.strftime("%d %b %Y"),
    )  # fmt: skip
    chart.add("Support hours a week", points)
    return str(chart.render(is_unicode=True))
