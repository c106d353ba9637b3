"""Reconstructing an incident, and paging through a person's chronology, must cost the same
however long the person's history.

Two people are written first (infra.bench.incident_history), with histories of 100 and 10,000
events and an incident part-way through each. Then, one request at a time and in turn, so both
meet the same machine: `incidentReconstruction(incidentId)`, the first page of
`personChronology(personId, first: 50)`, and a page from a quarter of the way in as known
when the incident was reported. The 100-event person is the baseline. Each answer is checked
once before timing: a reconstruction with nothing known then would flatter the figure."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.envelope import Role
from infra.bench.as_of import TENANT
from infra.bench.incident_history import IncidentHistory
from infra.bench.load import BadAnswer, Connection, graphql_request, percentile
from infra.bench.report import Figure
from infra.bench.server import Server

SAMPLES = 300  # of each read of each person, a round
TARGET = 1.5
P99_LIMIT_MS = 50.0
SIDE = """fragment side on RecordsInForce { asOf asKnownAt
  plan { version supportHoursPerWeek staffGuidance nextReviewDate
    outcomes { id title target status steps { id weeklyMicroStep } } }
  riskDecisions { riskDecisionId activity status parts { safeguards reviewBy } restrictionIds }
  restrictionsInForce { restrictionId what basis reviewBy daysOverdue incidentId }
  restrictionsOverdue { restrictionId } openPracticeChanges { changeId what reviewBy } }"""
ENTRY = """fragment entry on ChronologyEntry { position recordType recordId eventType effectiveAt
  recordedAt actor { name role } reason lateEntry corrected payload { __typename } }"""
RECONSTRUCTION = f"""query($i: ID!) {{ incidentReconstruction(incidentId: $i) {{ at asKnownAt
  incident {{ incidentId status happenedAt whatHappened harmLevel riskDecisionId restrictionIds }}
  knownThen {{ ...side }} knownNow {{ ...side }}
  differs {{ sections entries {{ eventType effectiveAt recordedAt lateEntry }} }}
  followed {{ eventType effectiveAt actor {{ name }} reason }} }} }}
{SIDE}"""
PAGE = f"""query($p: ID!, $from: DateTime, $k: DateTime) {{
  personChronology(personId: $p, from: $from, asKnownAt: $k, first: 50) {{
    edges {{ cursor node {{ ...entry }} }} pageInfo {{ hasNextPage endCursor }} }} }}
{ENTRY}"""
READS = {
    "incidentReconstruction": "incidentReconstruction p50",
    "first page": "personChronology(first: 50) p50, first page",
    "page part-way": "personChronology(from, asKnownAt, first: 50) p50, a page a quarter in, "
    "as known when the incident was reported",
}


def bodies(person: IncidentHistory) -> dict[str, dict[str, Any]]:
    """The request body of each read, for one person."""
    part_way = {"p": person.person_id, "from": person.part_way.isoformat(),
                "k": person.reported.isoformat()}  # fmt: skip
    return {
        "incidentReconstruction": {"query": RECONSTRUCTION, "variables": {"i": person.incident_id}},
        "first page": {"query": PAGE, "variables": {"p": person.person_id}},
        "page part-way": {"query": PAGE, "variables": part_way},
    }


@dataclass
class Reads:
    """One read of one person, over the rounds: each round's timings, and the failures."""

    rounds: list[list[float]] = field(default_factory=list)
    failed: int = 0
    first_failure: str | None = None

    def ms(self, fraction: float) -> float:
        """The median over rounds of each round's percentile, in ms."""
        kept = [timings for timings in self.rounds if timings]
        if not kept:
            return float("nan")
        return statistics.median(percentile(timings, fraction) * 1000 for timings in kept)


def reconstruction_figures(
    server: Server, people: dict[int, IncidentHistory], rounds: int = 1,
    progress: Callable[[str], None] = print, samples: int = SAMPLES,
) -> list[Figure]:  # fmt: skip
    """Each read of the deepest person against the shallowest; `people` by events written."""
    headers = server.headers(Role.MANAGER, TENANT)
    requests = {(read, events): graphql_request(server.host, server.port, body, headers)
                for events, person in people.items()
                for read, body in bodies(person).items()}  # fmt: skip
    asyncio.run(_check(server, requests))
    reads = {key: Reads() for key in requests}
    for round_ in range(rounds):
        told = _told(progress, f"reconstruction, round {round_ + 1}/{rounds}", samples)
        asyncio.run(_read_in_turn(server, requests, reads, samples, told))
    shallow, deep = min(people), max(people)
    return [_figure(read, deep, shallow, reads[read, deep], reads[read, shallow], samples)
            for read in READS]  # fmt: skip


def _figure(
    read: str, deep: int, shallow: int, measured: Reads, base: Reads, samples: int
) -> Figure:
    for events, reads in ((deep, measured), (shallow, base)):
        if reads.failed:
            print(f"RECONSTRUCTION: {reads.failed} {read} reads of the {events:,}-event person "
                  f"failed; the first: {reads.first_failure}", file=sys.stderr)  # fmt: skip
    return Figure(
        "reconstruction", f"{READS[read]}, {deep:,}-event person", measured.ms(0.5), "ms",
        f"the same, {shallow:,}-event person", base.ms(0.5), TARGET, lower_is_better=True,
        detail={"p50_ms": measured.ms(0.5), "p99_ms": measured.ms(0.99),
                "failed": measured.failed, "baseline_p50_ms": base.ms(0.5),
                "baseline_p99_ms": base.ms(0.99), "baseline_failed": base.failed,
                "p99_limit_ms": P99_LIMIT_MS, "samples": samples,
                "rounds": len(measured.rounds)},
    )  # fmt: skip


async def _check(server: Server, requests: dict[tuple[str, int], bytes]) -> None:
    """Refuses to time answers that would flatter: nothing known then, nothing that differs
    or followed, or an empty page."""
    connection = await Connection.open(server.host, server.port)
    try:
        for (read, events), request in requests.items():
            data = json.loads(await connection.answer(request))["data"]
            if read == "incidentReconstruction":
                _check_reconstruction(data["incidentReconstruction"], events)
            elif not data["personChronology"]["edges"]:
                raise BadAnswer(f"{read} of the {events:,}-event person: an empty page")
    finally:
        await connection.close()


def _check_reconstruction(found: dict[str, Any] | None, events: int) -> None:
    then = (found or {}).get("knownThen") or {}
    missing = [name for name, present in (
        ("the reconstruction", found is not None), ("the plan known then", then.get("plan")),
        ("risk decisions known then", then.get("riskDecisions")),
        ("restrictions known then", then.get("restrictionsInForce")),
        ("entries that differ", found and found["differs"]["entries"]),
        ("what followed", found and found["followed"]))
        if not present]  # fmt: skip
    if missing:
        raise BadAnswer(f"the {events:,}-event person's reconstruction lacks {', '.join(missing)}")


async def _read_in_turn(
    server: Server, requests: dict[tuple[str, int], bytes], reads: dict[tuple[str, int], Reads],
    samples: int, told: Callable[[int], None],
) -> None:  # fmt: skip
    for each in reads.values():
        each.rounds.append([])
    connection = await Connection.open(server.host, server.port)
    try:
        for n in range(samples):
            for key, request in requests.items():
                started = time.perf_counter()
                try:
                    await connection.answer(request)
                except (BadAnswer, OSError, asyncio.IncompleteReadError) as error:
                    reads[key].failed += 1
                    reads[key].first_failure = reads[key].first_failure or str(error)
                    await connection.close()  # its stream may stand mid-answer
                    connection = await Connection.open(server.host, server.port)
                    continue
                reads[key].rounds[-1].append(time.perf_counter() - started)
            told(n + 1)
    finally:
        await connection.close()


def _told(progress: Callable[[str], None], what: str, samples: int) -> Callable[[int], None]:
    def told(done: int) -> None:
        if done % 10 == 0 or done == samples:
            progress(f"{what}: {done}/{samples} reads of each, in turn")

    return told
