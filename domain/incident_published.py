"""What the change feed publishes of each incident event (domain.publishing)."""

from __future__ import annotations

from domain.publishing import PERSON_ID, Field, PublishedEvent, value_of

REPORT = {"what_happened": "whatHappened", "staff_involved": "staffInvolved",
          "location": "location", "immediate_actions": "immediateActions",
          "harm_level": "harmLevel", "activity": "activity",
          "risk_decision_id": "riskDecisionId"}  # fmt: skip
ANALYSIS = {"controls_proportionate": "controlsProportionate",
            "person_prepared": "personPrepared", "what_went_wrong": "whatWentWrong",
            "what_went_right": "whatWentRight"}  # fmt: skip

PUBLISHED: tuple[PublishedEvent, ...] = (
    PublishedEvent("Incident.Reported", 1, "An incident was reported; the envelope's "
                   "effective time is when it happened", (
        PERSON_ID,
        Field("report", "whatHappened, staffInvolved (staff ids), location, immediateActions, "
              "harmLevel (none, low, moderate or severe), activity and riskDecisionId (or null)",
              value_of("report", REPORT)))),
    PublishedEvent("Incident.Analysed", 1, "The incident was analysed (replacing an earlier "
                   "analysis)", (
        Field("analysis", "controlsProportionate, personPrepared, whatWentWrong, whatWentRight",
              value_of("analysis", ANALYSIS)),)),
    PublishedEvent("Incident.LearningIdentified", 1, "What was learned (replacing earlier "
                   "learning)", (Field("learning", "The learning, item by item", "learning"),)),
    PublishedEvent("Incident.PracticeChangeAgreed", 1, "A change in practice was agreed", (
        Field("changeId", "The practice change", "change_id"),
        Field("what", "What changes in practice", "what"),
        Field("lead", "Who leads it", "lead"),
        Field("reviewBy", "When it is reviewed by (YYYY-MM-DD)", "review_by"))),
    PublishedEvent("Incident.PracticeChangeMarked", 1, "A practice change was marked done or "
                   "reviewed", (
        Field("changeId", "The practice change", "change_id"),
        Field("state", "done or reviewed", "state"),
        Field("note", "What was done, or what the review found", "note"))),
    PublishedEvent("Incident.PersonViewsRecorded", 1, "The person's views of the incident, in "
                   "their words, and its impact on their wellbeing", (
        Field("views", "The person's views", "views"),
        Field("wellbeingImpact", "The impact on their wellbeing", "wellbeing_impact"))),
    PublishedEvent("Incident.LearningCommunicated", 1, "The learning was communicated", (
        Field("toWhom", "To whom", "to_whom"), Field("on", "When (YYYY-MM-DD)", "on"))),
    PublishedEvent("Incident.RestrictionImposed", 1, "A restriction was imposed on the person "
                   "after the incident, naming it", (
        Field("restrictionId", "The restriction", "restriction_id"),)),
    PublishedEvent("Incident.Closed", 1, "The incident was closed: its learning complete and "
                   "the response aligned with it", (
        Field("noGuidanceChangeReason", "Why staff guidance needed no revision, or null",
              "no_guidance_change_reason"),)),
)  # fmt: skip
