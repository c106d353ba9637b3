"""Read throughput of each query, beside `{__typename}` (the whole HTTP and GraphQL stack with
no resolver) measured in the same rounds: interleaved, so both meet the same machine."""

from __future__ import annotations

import asyncio
import json
import statistics
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.envelope import Role
from infra.bench.load import BadAnswer, Outcome, closed_loop, graphql_request
from infra.bench.report import Figure
from infra.bench.server import Server

CONNECTIONS = 16
SPREAD = 200  # people each query cycles through: many plans, not one hot row
P99_LIMIT_MS = 50.0
TARGETS = {"supportPlan": 0.7, "planHistory": 0.5}

PLAN = """query($p: ID!) { supportPlan(personId: $p) { id status version supportHoursPerWeek
  staffGuidance nextReviewDate updatedAt assessedStrengths outcomes { id title baseline target
  evidencedBy buildsOn status steps { id strength weeklyMicroStep evidenceRoute }
  currentStage { id title status reviewDate } } } }"""
HISTORY = """query($p: ID!) { planHistory(personId: $p, first: 20) { edges { cursor node {
  version position eventType recordedAt effectiveAt actor { id name role } reason summary
  changes { field before { text number } after { text number } } causationId } }
  pageInfo { hasNextPage endCursor } } }"""
PEOPLE = """query($s: ID) { people(serviceId: $s, first: 50) { edges { node { id name serviceId
  teamId version supportPlan { status version supportHoursPerWeek nextReviewDate
  outcomes { id title status } } } } pageInfo { hasNextPage endCursor } } }"""
TIMELINE = """query($p: ID!, $o: ID!) { progressionTimeline(personId: $p, outcomeId: $o) {
  entries { kind effectiveAt summary detail { hoursPerWeek exitEvidence } recordedBy }
  weeks { weekStart notes
  medianPromptRung meanConfidence stepsCompleted stepsOf refusals } } }"""
RESTRICTION = "restrictionId personId what basis status reviewBy daysOverdue lastOutcome"
PAGE = "pageInfo { hasNextPage endCursor }"
DUE = f"""query($s: ID!, $d: Date!) {{ restrictionsDueForReview(serviceId: $s, before: $d,
  first: 100) {{ edges {{ node {{ {RESTRICTION} }} }} {PAGE} }} }}"""
IN_FORCE = f"""query($s: ID!) {{ restrictionsInForce(serviceId: $s, first: 100) {{
  edges {{ node {{ {RESTRICTION} }} }} {PAGE} }} }}"""
SCHEDULE = f"""query($s: ID!, $d: Date!) {{ reviewSchedule(serviceId: $s, dueBefore: $d,
  first: 100) {{ edges {{ node {{ kind personId itemId title dueOn lastHeld daysOverdue }} }}
  {PAGE} }} }}"""
REPEATS = f"""query($s: ID!) {{ repeatReviews(serviceId: $s, first: 100) {{
  edges {{ node {{ reviewId personId dueOn }} }} {PAGE} }} }}"""
TREND = """query($s: ID!, $f: Date!, $t: Date!) { restrictivePracticeTrend(serviceId: $s,
  from: $f, to: $t) { month imposed reviewedOnTime reviewedLate overdue reduced lifted } }"""
ALIGNMENT = """query($p: ID!) { alignmentFindings(personId: $p) { personId guidance
  findings { kind recordId missing } } }"""
RISK = """query($p: ID!) { riskDecisions(personId: $p) { edges { node { riskDecisionId activity
  status parts { safeguards reviewBy } restrictionIds lastReviewOutcome } } } }"""
TYPENAME = "{ __typename }"


@dataclass(frozen=True)
class Sample:
    """People with plans of one provider, found over GraphQL, to spread requests over."""

    tenant_id: str
    people: list[str]
    services: list[str]
    outcomes: dict[str, str]  # person -> one of their outcomes


def post(server: Server, headers: dict[str, str], query: str, **variables: Any) -> Any:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        f"{server.url}/graphql", body, {"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        document = json.loads(answer.read())
    if document.get("errors"):
        raise BadAnswer(f"{query[:60]}...: {document['errors']}")
    return document["data"]


def sample(server: Server, tenant_id: str, most: int = 2000) -> Sample:
    headers = server.headers(Role.MANAGER, tenant_id)
    query = """query($after: String) { people(first: 100, after: $after) { edges { node {
      id serviceId supportPlan { outcomes { id } } } } pageInfo { hasNextPage endCursor } } }"""
    people: list[str] = []
    services: set[str] = set()
    outcomes: dict[str, str] = {}
    after = None
    while len(people) < most:
        page = post(server, headers, query, after=after)["people"]
        for edge in page["edges"]:
            node = edge["node"]
            if node["supportPlan"] is not None:
                people.append(node["id"])
                services.add(node["serviceId"])
                if node["supportPlan"]["outcomes"]:
                    outcomes[node["id"]] = node["supportPlan"]["outcomes"][0]["id"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    if not people:
        raise RuntimeError(f"no person of provider {tenant_id} has a plan to read")
    return Sample(tenant_id, people, sorted(services), outcomes)


def read_queries(data: Sample) -> dict[str, list[dict[str, Any]]]:
    """Each query's request bodies, over many people (or every service)."""
    people = data.people[:SPREAD]
    with_outcomes = [(p, o) for p, o in data.outcomes.items()][:SPREAD]
    ahead = (date.today() + timedelta(days=90)).isoformat()
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    today = date.today().isoformat()

    def each(query: str, **fixed: str) -> list[dict[str, Any]]:
        return [{"query": query, "variables": {"p": p, **fixed}} for p in people]

    def per_service(query: str, **fixed: str) -> list[dict[str, Any]]:
        return [{"query": query, "variables": {"s": s, **fixed}} for s in data.services]

    queries = {
        "supportPlan": each(PLAN),
        "planHistory(first: 20)": each(HISTORY),
        "people(first: 50) with plans": per_service(PEOPLE),
        "progressionTimeline": [
            {"query": TIMELINE, "variables": {"p": p, "o": o}} for p, o in with_outcomes
        ],
        "restrictionsDueForReview": per_service(DUE, d=ahead),
        "reviewSchedule": per_service(SCHEDULE, d=ahead),
        "repeatReviews": per_service(REPEATS),
        "restrictionsInForce": per_service(IN_FORCE),
        "restrictivePracticeTrend (12 months)": per_service(TREND, f=year_ago, t=today),
        "alignmentFindings": each(ALIGNMENT),
        "riskDecisions": each(RISK),
    }
    return {name: bodies for name, bodies in queries.items() if bodies}


def read_figures(
    server: Server, data: Sample, seconds: float, rounds: int,
    progress: Callable[[str], None] = print,
) -> list[Figure]:  # fmt: skip
    headers = server.headers(Role.MANAGER, data.tenant_id)
    built = {
        name: [graphql_request(server.host, server.port, body, headers) for body in bodies]
        for name, bodies in read_queries(data).items()
    }
    baseline = [graphql_request(server.host, server.port, {"query": TYPENAME}, headers)]
    measured: dict[str, list[Outcome]] = {name: [] for name in [TYPENAME, *built]}
    for round_ in range(rounds):
        for name, requests in [(TYPENAME, baseline), *built.items()]:
            progress(f"reads, round {round_ + 1}/{rounds}: {name}")
            outcome = asyncio.run(_spread(server, requests, seconds))
            outcome.check(f"reads: {name}")
            measured[name].append(outcome)
    base = measured.pop(TYPENAME)
    return [_figure(name, outcomes, base) for name, outcomes in measured.items()]


async def _spread(server: Server, requests: list[bytes], seconds: float) -> Outcome:
    """Each connection starts at its own place in the list, so they read different people."""
    step = max(1, len(requests) // CONNECTIONS)
    lists = [requests[n * step % len(requests) :] + requests[: n * step % len(requests)]
             for n in range(CONNECTIONS)]  # fmt: skip
    return await closed_loop(server.host, server.port, lists, seconds)


def _figure(name: str, outcomes: list[Outcome], base: list[Outcome]) -> Figure:
    key = name.split("(")[0].split(" ")[0]
    return Figure(
        section="reads",
        name=f"{name}, {CONNECTIONS} connections",
        value=statistics.median(o.rate for o in outcomes),
        unit="req/s",
        baseline_name="{__typename}",
        baseline=statistics.median(o.rate for o in base),
        target=TARGETS.get(key),
        detail=latency_detail(outcomes)
        | latency_detail(base, "baseline_")
        | ({"p99_limit_ms": P99_LIMIT_MS} if key in TARGETS else {}),
    )


def latency_detail(outcomes: list[Outcome], prefix: str = "") -> dict[str, float]:
    """Median over rounds of each round's p50 and p99, in ms."""
    return {
        f"{prefix}p50_ms": statistics.median(o.percentile_ms(0.5) for o in outcomes),
        f"{prefix}p99_ms": statistics.median(o.percentile_ms(0.99) for o in outcomes),
    }
