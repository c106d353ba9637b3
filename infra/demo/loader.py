"""Who writes the demo records, and on which day: each command through `execute`, as staff
would have recorded it, on the day it took effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import uuid4

from domain.care_records import CareRecords, Written
from domain.commands import Command
from domain.envelope import Actor, CommandContext, Role

DEMO_TENANT = "demo-provider"
DEMO_SERVICES = ("riverside-supported-living", "northgate-community-support")
STAFF = {
    "priya": Actor("staff-priya", "Priya Shah", Role.SUPPORT_WORKER),
    "tom": Actor("staff-tom", "Tom Okafor", Role.SENIOR_SUPPORT_WORKER),
    "helen": Actor("staff-helen", "Helen Marsh", Role.MANAGER),
}


@dataclass
class DemoLoader:
    """Writes demo records as the named staff member, so many days ago."""

    records: CareRecords
    now: datetime

    def run(self, who: str, days_ago: int, command: Command, reason: str | None = None) -> Written:
        context = CommandContext(
            actor=STAFF[who],
            tenant_id=DEMO_TENANT,
            correlation_id=f"demo-{uuid4().hex[:8]}",
            effective_at=self.now - timedelta(days=days_ago),
            reason=reason,
        )
        return self.records.execute(context, command)

    def review_date(self, days_ago: int, weeks_later: int) -> date:
        return (self.now - timedelta(days=days_ago) + timedelta(weeks=weeks_later)).date()
