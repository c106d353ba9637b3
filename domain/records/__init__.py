"""CareRecords: the one event-sourced application, for every kind of record.

One application (one event store) gives one total order: the change feed's cursor, the audit
chain and every projection's position are all the same number.
"""

from domain.records.assessments import AssessmentCommands
from domain.records.base import Written
from domain.records.people import PeopleCommands
from domain.records.support_plans import SupportPlanCommands
from domain.support_plan import SupportPlan


class CareRecords(PeopleCommands, AssessmentCommands, SupportPlanCommands):
    """Records of people supported, their assessments and their support plans."""

    # A living plan gathers events for years; snapshots keep loading it cheap.
    snapshotting_intervals = {SupportPlan: 50}


__all__ = ["CareRecords", "Written"]
