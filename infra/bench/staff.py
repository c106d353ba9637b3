"""The bench's own writers: whoever writes as staff must be on the provider's staff, so the
bench's callers are joined to each provider it writes for before it measures."""

from __future__ import annotations

from domain.care_records import CareRecords
from domain.envelope import Actor, CommandContext, Role
from domain.staff import StaffMember
from domain.staff_commands import JoinStaff

ADMIN = Actor("bench-admin", "Bench admin", Role.TENANT_ADMIN)
# The subjects the bench writes as: its in-process authors, and its tokens' (`bench-<role>`).
WRITERS = (
    ("bench-manager", "Bench manager", Role.MANAGER),
    ("bench-author", "Bench author", Role.SENIOR_SUPPORT_WORKER),
    ("bench-senior_support_worker", "Bench caller", Role.SENIOR_SUPPORT_WORKER),
    ("bench-support_worker", "Bench caller", Role.SUPPORT_WORKER),
)


def join_bench_staff(records: CareRecords, tenant_id: str) -> None:
    """Joins the bench's writers to the provider's staff, unless they are on it already."""
    context = CommandContext(ADMIN, tenant_id, "bench-staff")
    for subject, name, role in WRITERS:
        if not records.recorder.select_events(StaffMember.create_id(tenant_id, subject), limit=1):
            records.execute(context, JoinStaff(subject, name, role, "bench"))
