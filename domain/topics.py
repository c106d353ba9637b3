"""The names record types and events are stored under.

Every stored event names its class, and a Created event its record's class too. By default the
library names a class by its module path (`domain.person:Person.Moved`), so moving a module
would leave every event already stored unreadable. Instead each class is stored under its own
registered name, its qualified name (`Person.Moved`), wherever its module lives.

Names are stored for ever. Renaming a class renames what it is stored as from then on: keep
its former name here, in FORMER_NAMES, or the events already stored under it no longer load
(tests/fixtures/stored_events.json holds one of each, so CI says so).
"""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.utils import _type_cache, get_topic, register_topic, resolve_topic

# What events were stored as before each class had a registered name (and any later renames):
# a topic once stored -> the name of the class that now reads it. Spelled out, not derived,
# because they must stay what was stored even after the classes move.
FORMER_NAMES: dict[str, str] = {
    "domain.person:Person": "Person",
    "domain.person:Person.Registered": "Person.Registered",
    "domain.person:Person.Moved": "Person.Moved",
    "domain.person:Person.AdvocateRecorded": "Person.AdvocateRecorded",
    "domain.person:Person.ConsentToShareRecorded": "Person.ConsentToShareRecorded",
    "domain.assessment:Assessment": "Assessment",
    "domain.assessment:Assessment.Started": "Assessment.Started",
    "domain.assessment:Assessment.SectionRecorded": "Assessment.SectionRecorded",
    "domain.assessment:Assessment.ContributionRecorded": "Assessment.ContributionRecorded",
    "domain.assessment:Assessment.Completed": "Assessment.Completed",
    "domain.support_plan:SupportPlan": "SupportPlan",
    "domain.support_plan:SupportPlan.Drafted": "SupportPlan.Drafted",
    "domain.support_plan:SupportPlan.OutcomeAgreed": "SupportPlan.OutcomeAgreed",
    "domain.support_plan:SupportPlan.EnablementStepAdded": "SupportPlan.EnablementStepAdded",
    "domain.support_plan:SupportPlan.StaffGuidanceWritten": "SupportPlan.StaffGuidanceWritten",
    "domain.support_plan:SupportPlan.StaffGuidanceRewritten": (
        "SupportPlan.StaffGuidanceRewritten"
    ),
    "domain.support_plan:SupportPlan.SupportHoursSet": "SupportPlan.SupportHoursSet",
    "domain.support_plan:SupportPlan.SupportHoursReduced": "SupportPlan.SupportHoursReduced",
    "domain.support_plan:SupportPlan.SupportHoursIncreased": "SupportPlan.SupportHoursIncreased",
    "domain.support_plan:SupportPlan.NextReviewDateSet": "SupportPlan.NextReviewDateSet",
    "domain.support_plan:SupportPlan.NextReviewBroughtForward": (
        "SupportPlan.NextReviewBroughtForward"
    ),
    "domain.support_plan:SupportPlan.NextReviewPostponed": "SupportPlan.NextReviewPostponed",
    "domain.support_plan:SupportPlan.OutcomeRevised": "SupportPlan.OutcomeRevised",
    "domain.support_plan:SupportPlan.OutcomeRetired": "SupportPlan.OutcomeRetired",
    "domain.support_plan:SupportPlan.Agreed": "SupportPlan.Agreed",
}


def name_classes(classes: Iterable[type]) -> None:
    """Gives each class its registered name, then makes every former name read its class."""
    for cls in classes:
        name = cls.__qualname__
        cls.TOPIC = name  # type: ignore[attr-defined]  # the library's hook for explicit names
        register_topic(name, cls)
        # A class asked for its topic before it had a name would keep its module path.
        _type_cache.pop(cls, None)
        if get_topic(cls) != name:
            raise RuntimeError(f"{cls!r} is still stored as {get_topic(cls)}, not {name}")
    for former, name in FORMER_NAMES.items():
        register_topic(former, resolve_topic(name))


def stored_names(cls: type) -> list[str]:
    """Every name events of this class may be stored under: its own, then its former ones."""
    name = get_topic(cls)
    return [name, *(former for former, now in FORMER_NAMES.items() if now == name)]
