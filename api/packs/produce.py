"""Producing a pack, for the command line and for HTTP alike: the window asked for, the read
at one moment, the page, and the access log's entry saying who produced it and why."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from api.packs.person import PersonPack, Window, person_pack
from api.packs.render import Formats, person_html, service_html
from api.packs.service import ServicePack, service_pack
from api.slices.governance import READ_MODELS as GOVERNANCE_READ_MODELS
from domain.errors import RulesViolated, Violation
from infra.bootstrap import Runtime
from projections.base import Transaction
from projections.support_plans import SupportPlans

DEFAULT_MONTHS = 12
READ_MODELS = ("people", "support_plans", "chronology", "progression", "evidence_notes",
               "risk_decisions", "restrictions", "incidents", "audit_chain")  # fmt: skip
SERVICE_READ_MODELS = (*GOVERNANCE_READ_MODELS, "audit_chain")


def window(runtime: Runtime, first: date | None, last: date | None,
           known_at: datetime | None) -> Window:  # fmt: skip
    """The days asked for, whole, in the packs' time zone (default: the year to today), as
    the records stood at `known_at` (default: now)."""
    zone = ZoneInfo(runtime.settings.pack_timezone)
    now = datetime.now(UTC)
    last = last or now.astimezone(zone).date()
    first = first or last - timedelta(days=365 * DEFAULT_MONTHS // 12)
    if first > last:
        violation = Violation("input.time.range", "from", "`from` must not be after `to`")
        raise RulesViolated([violation])
    if known_at is not None and known_at.tzinfo is None:
        violation = Violation("input.time.timezone_required", "asKnownAt",
                              "include a timezone offset, e.g. 2026-05-14T09:00:00Z")  # fmt: skip
        raise RulesViolated([violation])
    since = datetime.combine(first, time.min, zone)
    until = datetime.combine(last + timedelta(days=1), time.min, zone) - timedelta(microseconds=1)
    return Window(
        since.astimezone(UTC), until.astimezone(UTC), min(known_at or now, now), (first, last)
    )


def instant_param(text: str | None, name: str) -> datetime | None:
    """An instant a request or command names, refused unless it is one."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        violation = Violation("input.time.invalid", name,
                              "an instant with its offset, e.g. 2026-05-14T18:00:00Z")  # fmt: skip
        raise RulesViolated([violation]) from None


def read_pack(runtime: Runtime, person_id: str, asked: Window,
              step: Callable[[str], None] = lambda _: None) -> PersonPack | None:  # fmt: skip
    step("reading the records")
    with runtime.reads.transaction() as tx:
        return pack_query(runtime, person_id, asked)(tx)


def pack_query(runtime: Runtime, person_id: str,
               asked: Window) -> Callable[[Transaction], PersonPack | None]:  # fmt: skip
    """The read of a person's pack, in one transaction, from read models that have all
    reached the position it names."""
    positions = runtime.projector.positions()
    built_from = min(positions[name] for name in READ_MODELS)
    plans = cast(SupportPlans, runtime.projector.model(SupportPlans.name))
    late_after = timedelta(hours=runtime.settings.late_entry_hours)
    limit = runtime.settings.pack_rows_per_list
    return lambda tx: person_pack(tx, plans, person_id, asked, late_after, built_from, limit)


def service_query(runtime: Runtime, tenant_id: str, service_id: str, asked: Window,
                  step: Callable[[str], None] = lambda _: None,
                  ) -> Callable[[Transaction], ServicePack]:  # fmt: skip
    """The read of a service's pack, in one transaction."""
    positions = runtime.projector.positions()
    built_from = min(positions[name] for name in SERVICE_READ_MODELS)
    return lambda tx: service_pack(tx, tenant_id, service_id, asked, built_from, step)


def service_page(runtime: Runtime, pack: ServicePack, produced_by: str) -> str:
    formats = Formats(runtime.settings.pack_timezone, runtime.settings.pack_locale)
    return service_html(pack, formats, produced_by, datetime.now(UTC), verify_command(pack))


def page(runtime: Runtime, pack: PersonPack, produced_by: str,
         step: Callable[[str], None] = lambda _: None) -> str:  # fmt: skip
    step("drawing the charts and the page")
    formats = Formats(runtime.settings.pack_timezone, runtime.settings.pack_locale)
    return person_html(pack, formats, produced_by, datetime.now(UTC), verify_command(pack))


def verify_command(pack: PersonPack | ServicePack) -> str:
    """How an inspector checks the records against the audit chain: with the provider's
    published key, when the checkpoints are signed."""
    key = pack.checkpoint["public_key"] if pack.checkpoint else None
    if not key:
        return "stepwise audit verify"
    return f"stepwise audit verify --public-key {base64.b64encode(bytes(key)).decode()}"
