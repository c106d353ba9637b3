"""Records and events are stored under their own registered names, not module paths, and every
name they were ever stored under still reads them."""

from __future__ import annotations

from eventsourcing.utils import get_topic, resolve_topic

from domain.catalogue import ALL_EVENTS, RECORD_TYPES
from domain.topics import FORMER_NAMES, name_classes, stored_names
from projections.assessments import Assessments
from projections.people import People
from projections.support_plans import SupportPlans

NAMED = [*RECORD_TYPES, *ALL_EVENTS]


class Probe:
    """Stands for a class asked for its topic before it was given a name."""


def test_every_record_type_and_event_is_stored_under_its_own_name_not_its_module_path() -> None:
    for cls in NAMED:
        assert get_topic(cls) == cls.__qualname__
        assert resolve_topic(cls.__qualname__) is cls

    assert {get_topic(cls) for cls in RECORD_TYPES} == {
        "Person", "Assessment", "SupportPlan", "EvidenceNote", "ServicePractice",
        "RiskDecision", "Restriction", "ProviderPolicy", "Incident", "StaffMember", "Webhook",
    }  # fmt: skip


def test_a_class_asked_for_its_topic_before_it_was_named_is_stored_under_its_name() -> None:
    assert get_topic(Probe) == f"{__name__}:Probe"  # the library remembers this answer

    name_classes([Probe])

    assert get_topic(Probe) == "Probe"
    assert resolve_topic("Probe") is Probe


def test_every_name_events_were_stored_under_before_still_reads_the_same_class() -> None:
    for former, name in FORMER_NAMES.items():
        assert resolve_topic(former) is resolve_topic(name), former

    assert resolve_topic("domain.person:Person.Moved") is resolve_topic("Person.Moved")
    assert stored_names(resolve_topic("SupportPlan.OutcomeAgreed")) == [
        "SupportPlan.OutcomeAgreed",
        "domain.support_plan:SupportPlan.OutcomeAgreed",
    ]


def test_each_read_model_reads_its_events_under_every_name_they_were_stored_as() -> None:
    for model in (People, Assessments, SupportPlans):
        topics = model.topics()

        expected = {name for event in model.event_types() for name in stored_names(event)}
        assert set(topics) == expected
        assert {resolve_topic(topic) for topic in topics} == model.event_types()
    assert {"Person.Registered", "domain.person:Person.Registered"} <= set(People.topics())
