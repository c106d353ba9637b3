"""What governance's tallies count (projections.tallies): each measure of a person's records as
terms, products of one row of each factor (a mark, where the person was placed, and for
guidance not aligned the guidance), and what one combination of rows adds where: +1 where the
span it counts begins and -1 where it ends, or +1 at a point."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from projections.base import Row
from projections.governance_measures import DUE_SOON_DAYS, MEASURES, Measure, Select
from projections.governance_query import Phrases
from projections.marks import months_before
from projections.people import People
from projections.staff import Staff
from projections.support_plans import SupportPlans

PLACED = "_PLACED"  # not a measure: the people a team supported (the teams a scope lists)
POINTS = (Select.HAPPENED, Select.DOING_FOR, Select.SUPPORTING_WITH)
TALLIED = (Select.HELD, Select.DUE, Select.OVERDUE, Select.STATIC, Select.NOT_ALIGNED, *POINTS)
SETTINGS_READ = (Select.DOING_FOR, Select.SUPPORTING_WITH, Select.STATIC)


@dataclass(frozen=True)
class Factor:
    """One kind of row a term pairs: a mark, the table keeping it, and its read model."""

    mark: str
    table: str
    model: str


@dataclass(frozen=True)
class Term:
    """What one combination of rows, one of each factor, adds to a measure's tally."""

    measure: Measure | None  # None: PLACED
    factors: tuple[Factor, ...]  # the placement last
    sign: int = 1


PLACEMENT = Factor("placement", People.marks, People.name)
GUIDANCE = Factor("guidance", SupportPlans.marks or "", SupportPlans.name)


def tallied(measure: Measure) -> bool:
    """Whether the tallies keep the measure (those of staff are counted from their marks)."""
    return measure.select in TALLIED and all(source is not Staff for _, source in measure.marks)


def _terms() -> tuple[Term, ...]:
    terms = [Term(None, (PLACEMENT,))]
    for measure in MEASURES:
        if not tallied(measure):
            continue
        for mark, source in measure.marks:
            factor = Factor(mark, getattr(source, "marks", ""), source.name)
            terms.append(Term(measure, (factor, PLACEMENT)))
            if measure.select is Select.NOT_ALIGNED:
                terms.append(Term(measure, (factor, GUIDANCE, PLACEMENT), sign=-1))
    return tuple(terms)


TERMS = _terms()
MODELS = {factor.model for term in TERMS for factor in term.factors}


def phrases_of(settings: Row) -> Phrases:
    """The settings a provider's governance views read, as projections.settings gives them."""
    return Phrases(settings["static_plan_months"], tuple(settings["doing_for"]),
                   tuple(settings["supporting_with"]))  # fmt: skip


def text_of(phrases: Phrases) -> str:
    return json.dumps([phrases.static_plan_months, phrases.doing_for, phrases.supporting_with])


def phrases_from(text: str) -> Phrases:
    months, doing, supporting = json.loads(text)
    return Phrases(months, tuple(doing), tuple(supporting))


Span = tuple[datetime | None, datetime | None]  # from (None: always), to (None: open)


def contribution(term: Term, rows: Sequence[Row], settings: Phrases
                  ) -> list[tuple[str, datetime, int]]:  # fmt: skip
    placement = rows[-1]
    placed = (placement["effective_from"], placement["effective_to"])
    if term.measure is None:
        return _edges(placed)
    measure, mark = term.measure, rows[0]
    start, end = mark["effective_from"], mark["effective_to"]
    if measure.select in POINTS:
        if end != start or not _holds(placed, start):
            return []
        counted = _counted(measure, mark, settings)
        shared = measure.share is not None or measure.select in SETTINGS_READ
        found = [("of", start, 1)] if shared else []
        return [*found, ("n", start, 1)] if counted else found
    if end is not None and end <= start:
        return []  # a point is never in force
    spans = [(start, end), placed, _window(measure, mark["on_date"], settings)]
    if len(rows) == 3:  # the guidance: taken off where it contains the text
        guidance = rows[1]
        if guidance["detail"] is None or (mark["detail"] is not None and mark["detail"].lower()
                                          not in guidance["detail"].lower()):  # fmt: skip
            return []
        spans.append((guidance["effective_from"], guidance["effective_to"]))
    return _edges(_overlap(spans))


def _counted(measure: Measure, mark: Row, settings: Phrases) -> bool:
    if measure.share is not None:
        return bool(mark["detail"] == measure.share)
    if measure.select in (Select.DOING_FOR, Select.SUPPORTING_WITH):
        return language_kind(mark["detail"], settings) == measure.select.value
    return True


def language_kind(text: str | None, settings: Phrases) -> str | None:
    """Which list a text's words match ('doing for' first), as the dashboard's SQL says."""
    words = (text or "").lower()
    if any(phrase.casefold() in words for phrase in settings.doing_for):
        return Select.DOING_FOR.value
    if any(phrase.casefold() in words for phrase in settings.supporting_with):
        return Select.SUPPORTING_WITH.value
    return None


def _window(measure: Measure, on: str | None, settings: Phrases) -> Span | None:
    """When a mark counts, by the date it is compared on (None: never)."""
    if measure.select in (Select.HELD, Select.NOT_ALIGNED):
        return (None, None)
    if on is None:
        return None
    day = date.fromisoformat(on)
    if measure.select is Select.OVERDUE:
        return (_midnight(day + timedelta(days=1)), None)
    if measure.select is Select.DUE:
        return (_midnight(day - timedelta(days=DUE_SOON_DAYS)), _midnight(day + timedelta(1)))
    # STATIC: from the first day whose static-plan months before fall after it
    first = day + timedelta(days=28 * settings.static_plan_months - 5)
    while months_before(first, settings.static_plan_months) <= day:
        first += timedelta(days=1)
    return (_midnight(first), None)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _holds(span: Span, at: datetime) -> bool:
    start, end = span
    return (start is None or start <= at) and (end is None or end > at)


def _overlap(spans: Sequence[Span | None]) -> Span | None:
    start: datetime | None = None
    end: datetime | None = None
    for span in spans:
        if span is None:
            return None
        if span[0] is not None:
            start = span[0] if start is None else max(start, span[0])
        if span[1] is not None:
            end = span[1] if end is None else min(end, span[1])
    if start is not None and end is not None and end <= start:
        return None
    return (start, end)


def _edges(span: Span | None) -> list[tuple[str, datetime, int]]:
    if span is None:
        return []
    start, end = span
    if start is None:
        raise ValueError("a span in force for ever has no beginning to count")
    return [("n", start, 1)] + ([("n", end, -1)] if end is not None else [])
