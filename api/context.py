"""Per-request context: who is asking (from their verified token), and how to reach the records
and the read models without blocking the event loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.auth import Caller, Unauthenticated
from api.common import moment, plain_text
from api.correlation import correlation
from api.metrics import counted
from api.waiting import WAIT_FOR_POSITION, ReadModelWatch
from domain.care_records import LAST_POSSIBLE_POSITION, CareRecords, Written
from domain.commands import Command
from domain.envelope import CommandContext
from domain.errors import Forbidden, RulesViolated, Violation
from infra.access_log import DENIED, READ, AccessEntry
from infra.bootstrap import Runtime
from projections.base import Row, Transaction
from projections.people import People, consented, owner_of, person_scope
from projections.states import Moment
from projections.support_plans import current_plans_for

T = TypeVar("T")

IDEMPOTENCY_KEY = "Idempotency-Key"
PURPOSE = "X-Stepwise-Purpose"  # why records are read, kept in the access log
MAX_HEADER = 200  # characters in a purpose header


@dataclass(frozen=True)
class RequestFields:
    """What every mutation input carries besides the command itself."""

    effective_at: datetime | None
    reason: str | None
    expected_version: int | None
    idempotency_key: str | None


class Context(BaseContext):
    def __init__(
        self,
        runtime: Runtime,
        watch: ReadModelWatch,
        request: HTTPConnection,
        caller: Caller | None,
    ) -> None:
        super().__init__()
        self._caller = caller
        self.connection_params: dict[str, object] | None = None  # a subscription's init
        self.runtime = runtime
        self.watch = watch
        self.headers = request.headers
        self.correlation = correlation(request)
        self.correlation_id = self.correlation.id
        self._wait_header = request.headers.get(WAIT_FOR_POSITION)
        self.plans_by_person: DataLoader[str, Row | None] = DataLoader(load_fn=self._load_plans)

    async def read(self, query: Callable[[Transaction], T], *read_models: str) -> T:
        """Runs a query on the given read models, once they show the position the client
        sent in X-Stepwise-Wait-For-Position (if any)."""
        if self._wait_header is not None and read_models:
            timeout = self.runtime.settings.wait_for_position_timeout_seconds
            await self.watch.until(_position(self._wait_header), read_models, timeout)
        return await run_in_threadpool(self._read, query)

    async def records(self, query: Callable[[CareRecords], T]) -> T:
        return await run_in_threadpool(query, self.runtime.records)

    async def read_person(
        self, field: str, person_id: str, query: Callable[[Transaction], T], *read_models: str
    ) -> T | None:
        """Runs a query on one person's records if they are within the caller's reach (None
        otherwise: another provider's person reads as absent), logging the read or refusal."""

        def scoped(tx: Transaction) -> tuple[Row | None, T | None, bool]:
            scope = person_scope(tx, person_id)
            if scope is None or not self.caller().reaches(scope["tenant_id"], scope["service_id"]):
                return scope, None, True
            if not self._shared(tx, person_id):
                return scope, None, False
            return scope, query(tx), True

        scope, found, shared = await self.read(scoped, People.name, *read_models)
        if scope is not None:
            self._log_gated(field, scope, shared, person_id)
        return found

    async def read_record(
        self, field: str, record_id: str, query: Callable[[Transaction], T], *read_models: str
    ) -> T | None:
        """Runs a query on one record (of any kind) if it is within the caller's reach, found
        through the person index (None otherwise), logging the read or refusal."""

        def scoped(tx: Transaction) -> tuple[Row | None, T | None, bool]:
            owner = owner_of(tx, record_id)
            if owner is None or not self.caller().reaches(owner["tenant_id"], owner["service_id"]):
                return owner, None, True
            if owner["person_id"] is not None and not self._shared(tx, owner["person_id"]):
                return owner, None, False
            return owner, query(tx), True

        owner, found, shared = await self.read(scoped, People.name, *read_models)
        if owner is not None:
            self._log_gated(field, owner, shared, owner["person_id"], record_id)
        return found

    def moment(self, as_of: datetime | None, as_known_at: datetime | None) -> Moment:
        """The moment a list of people describes, for this caller: an integration client's
        lists leave out people who do not consent to share with it."""
        at = moment(as_of, as_known_at)
        recipients = self.caller().shares_with
        return at if recipients is None else replace(at, shared_with=tuple(sorted(recipients)))

    def _shared(self, tx: Transaction, person_id: str) -> bool:
        """Whether the person's consent to share lets the caller read their records (always,
        for callers consent does not gate: staff, inspectors, commissioners)."""
        recipients = self.caller().shares_with
        return recipients is None or bool(consented(tx, [person_id], recipients))

    def _log_gated(self, field: str, scope: Row, shared: bool, person_id: str | None,
                   record_id: str | None = None) -> None:  # fmt: skip
        if shared:
            self.log_read(field, scope, person_id, record_id)
        else:  # the gate, for the audit: read as absent, logged as refused and why
            detail = f"no consent to share with {self.caller().actor.id} in force"
            self._record(self._entry(field, DENIED, person_id, record_id, detail,
                                     scope["tenant_id"]))  # fmt: skip

    def reached_service(self, field: str, service_id: str) -> str:
        """The service a query names, if the caller's access covers it; otherwise the refusal
        is logged and raised."""
        service = plain_text(service_id, "serviceId")
        caller = self.caller()
        if not caller.reaches(caller.tenant_id, service):
            refused = Forbidden(f"{caller.actor.name}'s access does not cover the service "
                                f"{service!r}", "access.service")  # fmt: skip
            self.log_refused(field, str(refused), None, None)
            raise refused
        return service

    def log_read(
        self, field: str, scope: Row, person_id: str | None = None, record_id: str | None = None
    ) -> bool:
        """Logs a read of a record of this provider and service (or its refusal, logged for
        the record's provider); says whether the caller reaches it."""
        reached = self.caller().reaches(scope["tenant_id"], scope["service_id"])
        self.log_access(field, scope["tenant_id"], reached, person_id, record_id)
        return reached

    def log_access(
        self,
        field: str,
        tenant_id: str,
        reached: bool,
        person_id: str | None = None,
        record_id: str | None = None,
    ) -> None:
        detail = None if reached else "outside the caller's provider or services"
        self._record(self._entry(field, READ if reached else DENIED, person_id, record_id,
                                 detail, tenant_id))  # fmt: skip

    def log_refused(
        self, field: str, detail: str, person_id: str | None, record_id: str | None
    ) -> None:
        """A read refused before any record was looked at: logged for the provider of the
        person named, once the log's writer has looked them up."""
        self._record(self._entry(field, DENIED, person_id, record_id, detail, None))

    def log_reads(
        self, field: str, tenant_id: str, reads: Sequence[tuple[str | None, str]]
    ) -> None:
        """Logs reads of several records at once: (person id if known, record id) each."""
        one = self._entry(field, READ, None, None, None, tenant_id)
        self._record(*(one.about(person, record) for person, record in reads))

    def _entry(
        self,
        field: str,
        outcome: str,
        person_id: str | None,
        record_id: str | None,
        detail: str | None,
        tenant_id: str | None,
    ) -> AccessEntry:
        caller = self.caller()
        return AccessEntry(
            tenant_id=tenant_id or caller.tenant_id, field=field, actor=caller.actor,
            outcome=outcome, read_at=datetime.now(UTC), person_id=person_id,
            record_id=record_id, detail=detail, purpose=self.headers.get(PURPOSE),
            correlation_id=self.correlation_id, owner_unknown=tenant_id is None,
        ).cleaned()  # fmt: skip

    def _record(self, *entries: AccessEntry) -> None:
        self.runtime.access_log.record(*entries)

    def check_purpose(self) -> None:
        purpose = self.headers.get(PURPOSE)
        if purpose is not None and not (len(purpose) <= MAX_HEADER and purpose.isprintable()):
            violation = Violation(
                "input.header.purpose", PURPOSE, f"at most {MAX_HEADER} printable characters"
            )
            raise RulesViolated([violation])

    async def execute(self, command: Command, request: RequestFields) -> Written:
        with counted(command):
            context = self.command_context(request)
            return await run_in_threadpool(self.runtime.records.execute, context, command)

    def sign_in(self, caller: Caller) -> None:
        """A subscription's caller, verified once its socket's connection_init arrives."""
        self._caller = caller

    def caller(self) -> Caller:
        """Who is asking: verified from their token before the request got this far."""
        if self._caller is None:
            raise Unauthenticated("send a bearer token")
        return self._caller

    def refuse_shared_header_key(self) -> None:
        """One Idempotency-Key header cannot stand for several mutations of one document."""
        if self.headers.get(IDEMPOTENCY_KEY) is not None:
            violation = Violation(
                "input.idempotency_key.one_mutation",
                IDEMPOTENCY_KEY,
                "the header covers one mutation: send one mutation per request, or give each "
                "mutation its own idempotencyKey",
            )
            raise RulesViolated([violation])

    def command_context(self, request: RequestFields) -> CommandContext:
        caller = self.caller()
        if self.correlation.refused is not None:  # a write names the request it came from
            raise RulesViolated([self.correlation.refused])
        return CommandContext(
            actor=caller.actor,
            tenant_id=caller.tenant_id,
            correlation_id=self.correlation_id,
            effective_at=request.effective_at,
            reason=request.reason,
            expected_version=request.expected_version,
            idempotency_key=self._idempotency_key(request.idempotency_key),
            services=caller.services,
            writes_granted=caller.writes_granted,
        )

    def _idempotency_key(self, given: str | None) -> str | None:
        header = self.headers.get(IDEMPOTENCY_KEY)
        if given is not None and header is not None and given != header:
            violation = Violation(
                "input.idempotency_key.conflict",
                "idempotencyKey",
                f"the input's idempotencyKey differs from the {IDEMPOTENCY_KEY} header; send one",
            )
            raise RulesViolated([violation])
        key = given if given is not None else header
        if key is not None and not (0 < len(key) <= 200 and key.isprintable()):
            violation = Violation(
                "input.idempotency_key.invalid",
                "idempotencyKey",
                "an idempotency key is 1 to 200 printable characters, e.g. a UUID",
            )
            raise RulesViolated([violation])
        return key

    async def _load_plans(self, person_ids: list[str]) -> list[Row | None]:
        rows = await self.read(lambda tx: current_plans_for(tx, person_ids), "support_plans")
        by_person = {row["person_id"]: row for row in rows}
        return [by_person.get(person_id) for person_id in person_ids]

    def _read(self, query: Callable[[Transaction], T]) -> T:
        with self.runtime.reads.transaction() as tx:
            return query(tx)


def _position(header: str) -> int:
    try:
        position = int(header)
    except ValueError:
        position = -1
    if not 0 <= position <= LAST_POSSIBLE_POSITION:
        violation = Violation(
            "input.wait_for_position.invalid", WAIT_FOR_POSITION, "send a log position number"
        )
        raise RulesViolated([violation])
    return position
