"""The staff the tests write as. Whoever writes in a staff role must be on their provider's
staff (domain.deciding.check_writer), so every store a test opens starts with these people
joined, by the provider's admin, long before anything a test backdates (tests/conftest.py joins
them as each store opens)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.care_records import CareRecords
from domain.commands import STAFF
from domain.envelope import Actor, Envelope, Role
from domain.staff import StaffMember

JOINED_AT = datetime(2000, 1, 3, 9, tzinfo=UTC)
ADMIN = Actor("u-ada", "Ada Price", Role.TENANT_ADMIN)
WRITERS: tuple[tuple[str, str, Role], ...] = (
    ("u-ann", "Ann Lee", Role.SUPPORT_WORKER),
    ("u-sam", "Sam Adeyemi", Role.SENIOR_SUPPORT_WORKER),
    ("u-mo", "Mo Khan", Role.MANAGER),
    ("u-eli", "Eli Ward", Role.MANAGER),
    ("u-nia", "Nia Ford", Role.SUPPORT_WORKER),
    ("u-bea", "Bea Ross", Role.MANAGER),
    ("u-al", "Al Price", Role.MANAGER),
    ("u-bo", "Bo Grant", Role.MANAGER),
    ("staff-x", "X", Role.MANAGER),
    # The unit tests' writers: one of each staff role (tests.unit.given).
    *((f"staff-{role}", f"A {role}", role) for role in sorted(STAFF)),
)
TENANTS = ("provider-a", "provider-b", "provider-riverside")


def join_test_staff(records: CareRecords) -> None:
    """Joins the tests' writers to their providers' staff, unless they are on it already: as the
    provider's admin would with joinStaff, saved at once (dozens of stores a minute open)."""
    if records.recorder.select_events(StaffMember.create_id(TENANTS[0], WRITERS[0][0]), limit=1):
        return
    joined = []
    for tenant in TENANTS:
        envelope = Envelope(ADMIN, JOINED_AT, None, tenant, "svc-1", "test-staff")
        joined += [StaffMember(envelope, subject, name, role, "svc-1", None,
                               id=StaffMember.create_id(tenant, subject))
                   for subject, name, role in WRITERS]  # fmt: skip
    records.save(*joined)


# Every store's log begins with their joining: the first position a test writes is one later.
JOINED_EVENTS = len(TENANTS) * len(WRITERS)
# The records of their joining, which a reader of staff records finds in the change feed.
JOINED_RECORDS = frozenset(str(StaffMember.create_id(tenant, subject))
                           for tenant in TENANTS for subject, _, _ in WRITERS)  # fmt: skip
