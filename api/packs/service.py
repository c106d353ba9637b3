"""What a service's pack holds, read at one moment: every governance measure for the window,
with its teams side by side and, for what happened, its months; and the records behind each
figure (the first of them, with how many more), named by person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from api.packs.person import Window
from projections.audit_chain import latest_checkpoint
from projections.base import Row, Transaction
from projections.governance import Figure, Phrases, Scope, dashboard, evidence, held_each_month
from projections.governance_measures import Area
from projections.settings import governance_settings

LISTED = 50  # records shown behind each figure; the rest are counted, and a query away
# Measures of what holds, charted as they stood at each month's end: competency coverage, and
# restrictions in force.
HELD_MONTHLY = ("STAFF_WITHOUT_CURRENT_SIGN_OFF", "RESTRICTIONS_IN_FORCE")


@dataclass
class Listed:
    rows: list[Row]
    more: bool


@dataclass
class AreaPart:
    area: Area
    figures: list[Figure]
    listed: dict[str, Listed] = field(default_factory=dict)  # by measure name


@dataclass
class ServicePack:
    tenant_id: str
    service_id: str
    window: Window
    months: list[str]
    teams: list[str | None]
    areas: list[AreaPart]
    names: dict[str, str]  # person id -> name, for everyone listed
    settings: Row
    last_position: int
    checkpoint: Row | None
    held_monthly: tuple[str, ...] = HELD_MONTHLY  # their months are each month's end


def months_between(window: Window) -> list[str]:
    """The months the window touches, oldest first (YYYY-MM): by its days where it was asked by
    day (in the packs' time zone), else by its instants (in UTC)."""
    first, last = window.days or (window.since.date(), window.until.date())
    year, month = first.year, first.month
    found = []
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def service_pack(tx: Transaction, tenant_id: str, service_id: str, window: Window,
                 last_position: int,
                 step: Callable[[str], None] = lambda _: None) -> ServicePack:  # fmt: skip
    at = window.at_end
    settings = governance_settings(tx, tenant_id, at)
    phrases = Phrases(settings["static_plan_months"], settings["doing_for"],
                      settings["supporting_with"])  # fmt: skip
    scope, months = Scope(tenant_id, service_id, None), months_between(window)
    step("counting every measure")
    figures = dashboard(tx, scope, at, phrases, months)
    for figure in figures:
        if figure.measure.name in HELD_MONTHLY:
            step(f"{figure.measure.name} at each month's end")
            figure.months = held_each_month(tx, scope, window.until, window.known_at, phrases,
                                            months, figure.measure)  # fmt: skip
    areas: dict[Area, AreaPart] = {}
    for figure in figures:
        part = areas.setdefault(figure.measure.area, AreaPart(figure.measure.area, []))
        part.figures.append(figure)
        step(f"listing the records behind {figure.measure.name}")
        rows = evidence(tx, scope, at, phrases, months, figure.measure, None, 0, LISTED + 1)
        part.listed[figure.measure.name] = Listed(rows[:LISTED], len(rows) > LISTED)
    listed = {row["person_id"] for part in areas.values() for found in part.listed.values()
              for row in found.rows if row["person_id"]}  # fmt: skip
    teams = list(figures[0].teams or {}) if figures else []
    return ServicePack(tenant_id, service_id, window, months, teams, list(areas.values()),
                       _names(tx, listed), settings, last_position,
                       latest_checkpoint(tx))  # fmt: skip


def _names(tx: Transaction, people: set[str]) -> dict[str, str]:
    if not people:
        return {}
    named = {f"p{n}": person for n, person in enumerate(sorted(people))}
    rows = tx.fetchall(f"SELECT person_id, name FROM people WHERE person_id IN "
                       f"({', '.join(f'%({key})s' for key in named)})", named)  # fmt: skip
    return {row["person_id"]: row["name"] for row in rows}


def steps(measures: int) -> int:
    """How many steps a service pack's progress bar counts."""
    return 1 + len(HELD_MONTHLY) + measures
