"""A pack as one self-contained HTML page (styles inline, charts as inline SVG, nothing fetched
when it opens), and as a PDF of the same page, printed by WeasyPrint."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from api.packs.charts import hours_chart, progression_chart, trend_chart
from api.packs.person import PersonPack
from api.packs.service import ServicePack
from projections.chronology import instant
from projections.governance import Figure


class Formats:
    """Dates and times in the reader's locale and time zone (the settings)."""

    def __init__(self, zone: str, locale: str) -> None:
        self.zone, self.locale = ZoneInfo(zone), locale

    def when(self, value: Any) -> str:
        if value is None:
            return ""
        at = instant(value).astimezone(self.zone)
        return format_datetime(at, "medium", tzinfo=self.zone, locale=self.locale) + " " + (
            at.tzname() or "")  # fmt: skip

    def day(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        if isinstance(found, datetime):
            found = found.astimezone(self.zone).date()
        return format_date(found, "medium", locale=self.locale)


def shown(value: Any) -> str:
    """A plan field's value as a reader reads it: a part by its title, a list joined."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, dict):
        titled = value.get("title") or value.get("name")
        return (
            str(titled)
            if titled
            else "; ".join(
                f"{key}: {shown(item)}" for key, item in value.items() if item not in (None, "")
            )
        )
    if isinstance(value, list):
        return "; ".join(shown(item) for item in value)
    return str(value)


_templates = Environment(loader=PackageLoader("api.packs"), autoescape=select_autoescape(),
                         trim_blocks=True, lstrip_blocks=True)  # fmt: skip
_templates.filters["shown"] = shown
_templates.filters["happened"] = lambda event_type: re.sub(
    r"(?<!^)(?=[A-Z])", " ", event_type.split(".", 1)[-1]
).capitalize()  # Stage completed


def person_html(pack: PersonPack, formats: Formats, produced_by: str, produced_at: datetime,
                verify_command: str) -> str:  # fmt: skip
    charts: dict[Any, Markup] = {}
    for outcome in pack.outcomes:
        if outcome.weeks:
            title = f"{outcome.title}: prompt rung and confidence per week"
            drawn = progression_chart(title, outcome.weeks, outcome.entries.rows)
            charts[outcome.outcome_id] = Markup(drawn)  # pygal draws the SVG: markup to keep
    if pack.hours:
        charts["hours"] = Markup(hours_chart(pack.hours))  # pygal draws the SVG: markup to keep
    return _page("person.html", pack, charts, formats, produced_by, produced_at, verify_command)


def service_html(pack: ServicePack, formats: Formats, produced_by: str, produced_at: datetime,
                 verify_command: str) -> str:  # fmt: skip
    charts: dict[Any, Markup] = {}
    for part in pack.areas:
        for percent in (True, False):
            series = {_series(figure, pack): [_per_month(n, of, percent) for n, of in
                                                   (figure.months or {}).values()]
                      for figure in part.figures if figure.months is not None
                      and (figure.out_of is not None) == percent}  # fmt: skip
            if series:
                kind = "share" if percent else "count"
                charts[(part.area.value, kind)] = Markup(
                    trend_chart(
                        f"{part.area.value.capitalize()}, per month", pack.months, series, percent
                    )
                )
    return _page("service.html", pack, charts, formats, produced_by, produced_at, verify_command)


def _page(template: str, pack: PersonPack | ServicePack, charts: dict[Any, Markup],
          formats: Formats, produced_by: str, produced_at: datetime,
          verify_command: str) -> str:  # fmt: skip
    link = bytes(pack.checkpoint["link"]).hex() if pack.checkpoint else ""
    return _templates.get_template(template).render(
        pack=pack, charts=charts, f=formats, produced_by=produced_by, produced_at=produced_at,
        verify_command=verify_command, checkpoint_link=link, lang=formats.locale.split("_")[0],
    )  # fmt: skip


def _series(figure: Figure, pack: ServicePack) -> str:
    held = figure.measure.name in pack.held_monthly
    return figure.measure.description + (" (at each month's end)" if held else "")


def _per_month(count: int, out_of: int, percent: bool) -> float | None:
    if not percent:
        return count
    return round(100 * count / out_of, 1) if out_of else None


def pdf(html: str) -> bytes:
    from weasyprint import HTML  # a second or two to import: only when a PDF is asked for

    for chatty in ("fontTools", "weasyprint"):  # font subsetting logs each step as INFO
        logging.getLogger(chatty).setLevel(logging.WARNING)
    document: bytes = HTML(string=html).write_pdf()
    return document
