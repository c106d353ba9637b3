"""What each field of a command's input means: the vocabulary the generated mutations share
(api.mutations), one description per field name, with the few names that mean something
different in one command said for that command."""

from __future__ import annotations

FIELDS: dict[str, str] = {
    "activity": "The activity the person wants to do (a risk decision), or was doing "
    "(reportIncident)",
    "advocateViews": "The person's advocate's views, in their words (required to agree when "
    "the person has an advocate)",
    "agreedActions": "The actions agreed",
    "agreedBy": "Who agreed the restriction",
    "assessmentId": "The assessment",
    "barriers": "What stands in the way",
    "baseline": "Where the person is now",
    "basis": "On what basis the restriction is imposed",
    "basisDetail": "The basis, when it is OTHER",
    "buildsOn": "The assessed strengths the outcome builds on",
    "changeId": "The practice change, within the incident",
    "confidence": "How confident the person said they felt, 1 to 10",
    "confirmation": "The new starter's confirmation, in their words, of how strengths-based "
    "practice applies in this service",
    "consentId": "The consent, as giveSharingConsent's partId named it",
    "contact": "How to reach the advocate",
    "controlsProportionate": "Whether the controls in place were proportionate, and why",
    "couldGoRight": "What could go right",
    "couldGoWrong": "What could go wrong",
    "dateOfBirth": "The person's date of birth",
    "days": "The longest a restriction may go between reviews, in days (7 to 366)",
    "decideAdvanceStageOf": "Decided: complete the stage under way of this outcome (and start "
    "the next)",
    "decideNextReviewOn": "Decided: book the next review for this date",
    "decideStageReviewOn": "Decided: the review date of the stage the review starts, when it "
    "starts on or after its own (then required)",
    "decideSupportHours": "Decided: weekly support hours from now on",
    "description": "What it is",
    "detail": "What was done or found",
    "doingFor": "Phrases that mark an evidence note or staff guidance as doing for (matched "
    'ignoring case), e.g. "staff completed"',
    "doingForChallenged": 'Where "doing for" was challenged',
    "dueOn": "When the review is due",
    "entries": "The section's entries, in the person's words (they replace earlier ones)",
    "escalation": "The escalation procedure",
    "escalationTriggers": "What should make staff escalate",
    "eventId": "The fact, as <recordId>/<version> (as causation ids and audit trails name it)",
    "eventTypes": "Only these event types, e.g. Person.Moved (default: all; see "
    "publishedEventTypes)",
    "evidence": "The observed practice the sign-off rests on",
    "evidenceRoute": "How progress on the step is evidenced",
    "evidencedBy": "How progress towards the outcome is evidenced",
    "exitCriteria": "When the stage is done",
    "exitEvidence": "How the stage's exit criteria were met",
    "followUpOn": "The supervision follow-up date agreed (a supervision follow-up)",
    "given": "Whether the person consents",
    "guidance": "The guidance staff follow, in full (it replaces the earlier text)",
    "harmLevel": "The level of harm",
    "hoursPerWeek": "Weekly support hours (0 to 168)",
    "immediateActions": "What was done at once",
    "incidentId": "The incident (imposeRestriction: the incident of the same person the "
    "restriction is imposed after, if any)",
    "justification": "The fresh justification (required to continue it)",
    "lead": "Who leads the practice change",
    "learning": "What was learned, item by item (it replaces earlier learning)",
    "lessRestrictiveOptions": "The less restrictive options considered",
    "location": "Where it happened",
    "mode": "How the person took part",
    "mood": "The person's mood",
    "name": "A name: the person's (registerPerson), the advocate's (recordAdvocate), or the "
    "staff member's (joinStaff)",
    "newGoals": "New goals",
    "newOutcomeBaseline": "A new outcome decided: its baseline",
    "newOutcomeBuildsOn": "A new outcome decided: the strengths it builds on",
    "newOutcomeEvidencedBy": "A new outcome decided: how it is evidenced",
    "newOutcomeTarget": "A new outcome decided: its target",
    "newOutcomeTitle": "A new outcome decided: its title",
    "newStrengths": "New strengths or skills found",
    "nextDue": "When the next supervision is due",
    "nextReviewBy": "When it is next reviewed",
    "noGuidanceChangeReason": "Why staff guidance needed no revision after the incident (required "
    "to close without one)",
    "note": "What happened, as observed; or what was done or found (markPracticeChange)",
    "outcome": "What the review decided",
    "outcomeId": "The outcome, within the person's plan",
    "part": "The part of the induction",
    "personAttended": "Whether the person attended",
    "personContributed": "Whether the person contributed",
    "personId": "The person supported",
    "personPrepared": "Whether the person was prepared and supported, and how",
    "personViews": "The person's views, in their own words",
    "progress": "The progress made",
    "progressionAchieved": "The progression achieved with the people they support",
    "promptLevel": "The rung of the service's prompt ladder the person needed",
    "proportionality": "Why the restriction is proportionate",
    "purpose": "What the sharing is for",
    "reasonNotPossible": "Why the person could not contribute directly",
    "recipient": "Whom the person consents to share with: an integration client's id, or an "
    "organisation's, as its tokens carry them",
    "recordTypes": "Only events of these kinds of record, e.g. SupportPlan (default: all)",
    "refresherDue": "When the sign-off must be refreshed; it lapses after that day",
    "refused": "Whether the person refused",
    "relationship": "The advocate's relationship to the person",
    "response": "What was decided about the stage",
    "restrictionId": "The restriction",
    "restrictiveResponsesReviewed": "The restrictive responses reviewed",
    "reviewBy": "When it is to be reviewed",
    "reviewDate": "A review date: the plan's next (setNextReviewDate), the stage's "
    "(addPathwayStage), or the stage's new one when it starts on or after its own (startStage)",
    "reviewId": "The review, within the plan",
    "riskDecisionId": "The positive risk-taking decision",
    "risks": "The risks identified",
    "role": "Their role",
    "rungs": "The ladder's rungs, most independent first",
    "safeguards": "The safeguards, as they now stand",
    "scope": "What may be shared, and with whom",
    "section": "The assessment's section",
    "serviceId": "The service",
    "spokenForBy": "Who spoke for the person",
    "staffId": "The member of staff: the subject their tokens carry",
    "staffInvolved": "The staff involved, by staff id",
    "staffWill": "What staff will do at this stage",
    "stageId": "The stage, within the outcome's pathway",
    "state": "DONE (put into practice) or REVIEWED (its effect looked at)",
    "staticPlanMonths": "Months without a change after which an agreed plan counts as static "
    "(1-36)",
    "stepsCompleted": "Independence steps completed",
    "stepsOf": "Independence steps there were",
    "strength": "The assessed strength the step uses",
    "summary": "What the person (or who spoke for them) contributed",
    "supportCanReduce": "Whether support can reduce safely",
    "supportingWith": "Phrases that mark an evidence note or staff guidance as supporting with "
    '(matched ignoring case), e.g. "with one prompt"',
    "target": "The measurable target",
    "teamId": "The team within the service",
    "technique": "A technique of the provider (see the `techniques` query), e.g. PROMPT_LADDER; "
    "on an outcome or stage, the one staff rely on",
    "title": "The title",
    "toWhom": "To whom the learning was communicated",
    "url": "Where the webhook's deliveries go: an absolute https:// address",
    "validFrom": "The first day the consent covers (default: today)",
    "validUntil": "The last day the consent covers (default: until withdrawn)",
    "views": "The person's views of the incident, in their own words",
    "viewsNotGivenBecause": "Why the person's views could not be given",
    "webhookId": "The webhook",
    "weeklyMicroStep": "The step the person takes each week",
    "wellbeingImpact": "The impact on the person's wellbeing",
    "what": "What is restricted (imposeRestriction), or what changes in practice "
    "(agreePracticeChange)",
    "whatChanged": "What changed (required to reduce it)",
    "whatHappened": "What happened",
    "whatWasDone": "What was done about it",
    "whatWentRight": "What went right",
    "whatWentWrong": "What went wrong",
    "whatWorked": "What worked since the last review",
    "why": "Why",
}


def described(name: str) -> str:
    """A command field's description; a field the vocabulary lacks fails at start-up."""
    try:
        return FIELDS[name]
    except KeyError:
        raise LookupError(f"describe the input field {name!r} in api.input_fields") from None
