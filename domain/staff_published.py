"""What the change feed publishes of each staff record's event (domain.publishing)."""

from __future__ import annotations

from domain.publishing import SERVICE_ID, TEAM_ID, Field, PublishedEvent, value_of

INDUCTION = {"part": "part", "detail": "detail", "on": "on", "follow_up_on": "followUpOn"}
SUPERVISION = {"held_on": "heldOn", "supervisor": "supervisor",
               "doing_for_challenged": "doingForChallenged",
               "restrictive_responses_reviewed": "restrictiveResponsesReviewed",
               "progression_achieved": "progressionAchieved", "agreed_actions": "agreedActions",
               "next_due": "nextDue"}  # fmt: skip
SIGN_OFF = {"technique": "technique", "signed_off_by": "signedOffBy", "evidence": "evidence",
            "signed_off_on": "signedOffOn", "refresher_due": "refresherDue"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("StaffMember.Joined", 1, "Someone joined the staff; the envelope's effective "
                   "time is their start", (
        Field("staffId", "The subject their tokens carry", "subject"),
        Field("name", "Their name", "name"),
        Field("role", "support_worker, senior_support_worker or manager", "role"),
        SERVICE_ID, TEAM_ID)),
    PublishedEvent("StaffMember.Moved", 1, "They moved to another service or team", (
        SERVICE_ID, TEAM_ID,
        Field("fromServiceId", "The service they left", "from_service_id"),
        Field("fromTeamId", "The team they left, or null", "from_team_id"))),
    PublishedEvent("StaffMember.Left", 1, "They left the staff (the envelope's reason says why)",
                   (Field("leftOn", "The day they left (YYYY-MM-DD)", "left_on"),)),
    PublishedEvent("StaffMember.InductionRecorded", 1, "A part of their induction was recorded",
                   (Field("entry", "part (competency_check, observed_practice_discussion, "
                          "learning_outcome, supervision_follow_up or probation_review), detail, "
                          "on, followUpOn", value_of("entry", INDUCTION)),)),
    PublishedEvent("StaffMember.InductionCompleted", 1, "Their induction was completed", (
        Field("confirmation", "How strengths-based practice applies in this service, as they "
              "confirmed it", "confirmation"),
        Field("on", "The day (YYYY-MM-DD)", "on"))),
    PublishedEvent("StaffMember.SupervisionHeld", 1, "A reflective supervision was held", (
        Field("supervision", "heldOn, supervisor, doingForChallenged, "
              "restrictiveResponsesReviewed, progressionAchieved, agreedActions, nextDue",
              value_of("supervision", SUPERVISION)),)),
    PublishedEvent("StaffMember.CompetencySignedOff", 1, "They were signed off in a technique", (
        Field("signOff", "technique, signedOffBy, evidence (the observed practice), "
              "signedOffOn, refresherDue", value_of("sign_off", SIGN_OFF)),)),
)  # fmt: skip
