"""What closing an incident requires: the learning complete, and the response aligned with it.
Every missing part is its own violation, so one refusal lists all that is left to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from domain.errors import Rules

if TYPE_CHECKING:
    from domain.incident import Incident


@dataclass(frozen=True)
class RestrictionSeen:
    """A restriction on the person, as closing needs to know it."""

    restriction_id: str
    imposed_at: datetime
    incident_id: str | None
    why: str
    review_by: date | None


@dataclass(frozen=True)
class Alignment:
    """What the person's other records say about the response, read as they stand when the
    incident is closed."""

    restrictions: tuple[RestrictionSeen, ...]  # every restriction on the person
    decision_reviewed_at: datetime | None  # the linked risk decision's last review
    guidance_revised_at: datetime | None  # the latest standing revision of staff guidance


def check_learning(rules: Rules, incident: Incident) -> None:
    rules.check(incident.analysis is not None, "incident.close.analysis_required", "incidentId",
                "analyse the incident: were the controls proportionate, was the person "
                "prepared and supported, what went wrong and what went right")  # fmt: skip
    rules.check(bool(incident.learning), "incident.close.learning_required", "incidentId",
                "identify what was learned")  # fmt: skip
    changes = list(incident.practice_changes.values())
    rules.check(bool(changes), "incident.close.practice_changes_required", "incidentId",
                "agree at least one practice change, with a lead and a review date")  # fmt: skip
    for change in changes:
        rules.check(bool(change.lead.strip()), "incident.close.practice_change_lead_required",
                    "incidentId", f"practice change {change.change_id} needs a responsible "
                    "lead")  # fmt: skip
        rules.check(change.review_by is not None,
                    "incident.close.practice_change_review_date_required", "incidentId",
                    f"practice change {change.change_id} needs a review date")  # fmt: skip
    rules.check(bool(incident.person_views), "incident.close.person_views_required",
                "incidentId", "record the person's views, in their words")  # fmt: skip
    rules.check(bool(incident.wellbeing_impact), "incident.close.wellbeing_impact_required",
                "incidentId", "record the impact on the person's wellbeing")  # fmt: skip


def check_alignment(
    rules: Rules, incident: Incident, alignment: Alignment, no_guidance_change_reason: str | None
) -> None:
    since = incident.occurred_at
    incident_id = str(incident.id)
    for seen in alignment.restrictions:
        if seen.imposed_at < since:
            continue
        # One naming a later incident of the person answers to that one.
        rules.check(seen.incident_id is not None, "incident.close.restriction_unlinked",
                    "incidentId", f"restriction {seen.restriction_id} was imposed after the "
                    "incident and names no incident: impose restrictions after an incident "
                    "naming it")  # fmt: skip
        if seen.incident_id == incident_id:
            justified = bool(seen.why.strip()) and seen.review_by is not None
            rules.check(justified, "incident.close.restriction_unjustified", "incidentId",
                        f"restriction {seen.restriction_id} needs a justification and a review "
                        "date")  # fmt: skip
    if incident.report.risk_decision_id:
        reviewed = alignment.decision_reviewed_at
        rules.check(reviewed is not None and reviewed >= since,
                    "incident.close.risk_decision_not_reviewed", "incidentId",
                    f"review risk decision {incident.report.risk_decision_id} for the activity "
                    "after the incident")  # fmt: skip
    revised = alignment.guidance_revised_at
    rules.check(bool(no_guidance_change_reason) or (revised is not None and revised >= since),
                "incident.close.guidance_not_revised", "noGuidanceChangeReason",
                "revise the staff guidance after the incident, or say why no change was "
                "needed")  # fmt: skip
