"""Who writes the demo records, and on which day: each command through `execute`, as staff
would have recorded it, on the day it took effect (or, for a late entry, the day it was written
up): each fact is stamped as recorded half an hour after that day's time, so reading the demo
as known on a past date shows what had been written by then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from uuid import uuid4

from domain.care_records import CareRecords, Written
from domain.commands import Command
from domain.envelope import Actor, CommandContext, Role
from domain.record import recorded_at

DEMO_TENANT = "demo-provider"
DEMO_SERVICES = ("riverside-supported-living", "northgate-community-support")
STAFF = {
    "priya": Actor("staff-priya", "Priya Shah", Role.SUPPORT_WORKER),
    "tom": Actor("staff-tom", "Tom Okafor", Role.SENIOR_SUPPORT_WORKER),
    "helen": Actor("staff-helen", "Helen Marsh", Role.MANAGER),
}
ADMIN = Actor("staff-ada", "Ada Price", Role.TENANT_ADMIN)  # keeps the staff list


@dataclass
class DemoLoader:
    """Writes demo records as the named staff member, so many days ago."""

    records: CareRecords
    now: datetime
    writing: int | None = None  # the day being written up, when not the day it took effect
    _order: Iterator[int] = field(default_factory=count)

    def run(self, who: str, days_ago: int, command: Command, reason: str | None = None) -> Written:
        context = CommandContext(
            actor=ADMIN if who == "ada" else STAFF[who],
            tenant_id=DEMO_TENANT,
            correlation_id=f"demo-{uuid4().hex[:8]}",
            effective_at=self.now - timedelta(days=days_ago),
            reason=reason,
        )
        written = days_ago if self.writing is None else self.writing
        if written <= 0:  # written today: as it is recorded
            return self.records.execute(context, command)
        # A microsecond apart, so a record's facts written on one day keep their order.
        stamp = timedelta(days=-written, minutes=30, microseconds=next(self._order))
        with recorded_at(self.now + stamp):
            return self.records.execute(context, command)

    @contextmanager
    def written_up(self, days_ago: int) -> Iterator[None]:
        """Facts run in this block were written up `days_ago`, whenever they took effect."""
        self.writing = days_ago
        try:
            yield
        finally:
            self.writing = None

    def review_date(self, days_ago: int, weeks_later: int) -> date:
        return (self.now - timedelta(days=days_ago) + timedelta(weeks=weeks_later)).date()
