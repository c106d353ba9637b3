"""Verifying the audit chain against the log as stored now.

Each link is checked against the event at its position and the link before it as stored, so
every tampered position shows up on its own rather than as one break that runs to the end.
Checkpoints are then checked against the chain and against the provider's public key, which
catches a chain rewritten to match altered events by someone without the signing key. With the
MAC key (infra.event_mac), each event's own MAC is checked as well, which names a changed or
appended row even where the chain was recomputed to match it; and a checkpoint an inspector
kept shows whether the log was cut back before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification

from domain.care_records import CareRecords
from infra.event_mac import Mac, MacKey
from infra.read_store import ReadStore
from projections.audit_chain import CHECKPOINT_EVERY, GENESIS, link, link_at, signed_message

PAGE = 5_000


@dataclass
class Findings:
    changed: list[int] = field(default_factory=list)  # bytes differ from what was chained
    deleted: list[int] = field(default_factory=list)  # chained, no longer in the log
    inserted: list[int] = field(default_factory=list)  # in the log, never chained, below the head
    cut: list[int] = field(default_factory=list)  # links removed from the chain just before these
    checkpoints: list[str] = field(default_factory=list)  # checkpoints that do not hold
    forged: list[int] = field(default_factory=list)  # the MAC does not match the row
    unsigned: list[int] = field(default_factory=list)  # no MAC, after events with one
    gaps: list[str] = field(default_factory=list)  # a record's versions skip one
    kept: list[str] = field(default_factory=list)  # a kept checkpoint the log no longer holds
    before_macs: int = 0  # events written before MACs began (the chain alone covers them)
    verified: int = 0  # links checked
    head: int = 0  # the chain's last position
    unchained: int = 0  # events after the head, not chained yet

    @property
    def intact(self) -> bool:
        return not (self.changed or self.deleted or self.inserted or self.cut or self.checkpoints
                    or self.forged or self.unsigned or self.gaps or self.kept)  # fmt: skip


@dataclass(frozen=True)
class Kept:
    """A checkpoint (or head) an inspector kept outside the database: its position and link."""

    position: int
    link: bytes


def verify(
    records: CareRecords,
    store: ReadStore,
    public_key: Ed25519PublicKey | None,
    progress: Callable[[int], None] | None = None,
    *,
    macs: MacKey | None = None,
    kept: Kept | None = None,
) -> Findings:
    findings = Findings()
    with store.transaction() as tx:
        head = tx.fetchone("SELECT max(position) AS head FROM audit_chain")
    findings.head = int(head["head"] or 0) if head else 0
    signed = _checkpoint_positions(store)
    previous, length = GENESIS, 0
    chained = _chain(store)
    stored = _checked(_log(records), macs, findings)
    chain_entry, event = next(chained, None), next(stored, None)
    while chain_entry is not None or event is not None:
        if event is not None and (chain_entry is None or event.id < chain_entry[0]):
            if event.id <= findings.head:
                findings.inserted.append(event.id)
            else:
                findings.unchained += 1
            event = next(stored, None)
            continue
        assert chain_entry is not None
        position, chained_length, chained_link = chain_entry
        if chained_length != length + 1:
            findings.cut.append(position)
        if chained_length % CHECKPOINT_EVERY == 0 and position not in signed:
            findings.checkpoints.append(f"{position}: its checkpoint is missing")
        length = chained_length
        if event is None or event.id > position:
            findings.deleted.append(position)
        else:
            if link(previous, event) != chained_link:
                findings.changed.append(position)
            event = next(stored, None)
        findings.verified += 1
        previous = chained_link
        chain_entry = next(chained, None)
        if progress and findings.verified % PAGE == 0:
            progress(position)
    _check_points(store, public_key, findings)
    if kept is not None:
        _check_kept(store, records, kept, findings)
    if progress:
        progress(findings.head)
    return findings


def _checkpoint_positions(store: ReadStore) -> set[int]:
    with store.transaction() as tx:
        return {
            int(row["position"]) for row in tx.fetchall("SELECT position FROM audit_checkpoints")
        }


def _chain(store: ReadStore) -> Iterator[tuple[int, int, bytes]]:
    after = -1
    while True:
        with store.transaction() as tx:
            rows = tx.fetchall(
                "SELECT position, length, link FROM audit_chain WHERE position > %(after)s "
                "ORDER BY position LIMIT %(page)s",
                {"after": after, "page": PAGE},
            )
        for row in rows:
            yield int(row["position"]), int(row["length"]), bytes(row["link"])
        if len(rows) < PAGE:
            return
        after = int(rows[-1]["position"])


def _log(records: CareRecords) -> Iterator[Notification]:
    start = 1
    while True:
        page = records.recorder.select_notifications(start=start, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        start = page[-1].id + 1


def _checked(log: Iterator[Notification], macs: MacKey | None,
             found: Findings) -> Iterator[Notification]:  # fmt: skip
    """The log as it is read, each event's MAC (with the key) and version checked on the way.
    Versions are checked without the key too: a record's events are numbered from 1 without a
    gap, so an event deleted from the middle of a record shows even if the chain was rebuilt."""
    versions: dict[object, int] = {}
    macs_began = False
    for event in log:
        last = versions.get(event.originator_id, 0)
        if event.originator_version != last + 1:
            found.gaps.append(f"record {event.originator_id} goes from version {last} to "
                              f"{event.originator_version} at position {event.id}")  # fmt: skip
        versions[event.originator_id] = event.originator_version
        if macs is not None:
            mac = macs.check(event)
            if mac is Mac.INVALID:
                found.forged.append(event.id)
            elif mac is Mac.ABSENT and macs_began:
                found.unsigned.append(event.id)
            elif mac is Mac.ABSENT:
                found.before_macs += 1
            macs_began = macs_began or mac is not Mac.ABSENT
        yield event


def _check_kept(store: ReadStore, records: CareRecords, kept: Kept, found: Findings) -> None:
    if (last := records.last_position()) < kept.position:
        found.kept.append(f"the log ends at {last}, before the kept "
                          f"checkpoint at {kept.position}: it was cut back")  # fmt: skip
    with store.transaction() as tx:
        chained = link_at(tx, kept.position)
    if chained is None:
        found.kept.append(
            f"the chain has no link at the kept checkpoint's position {kept.position}"
        )
    elif chained != kept.link:
        found.kept.append(f"the chain no longer passes through the kept checkpoint at "
                          f"{kept.position}: it was rewritten")  # fmt: skip


def _check_points(store: ReadStore, public_key: Ed25519PublicKey | None, found: Findings) -> None:
    with store.transaction() as tx:
        rows = tx.fetchall(
            "SELECT c.position, c.link, c.signature, a.link AS chained "
            "FROM audit_checkpoints c LEFT JOIN audit_chain a ON a.position = c.position "
            "ORDER BY c.position"
        )
    for row in rows:
        position, checkpoint_link = int(row["position"]), bytes(row["link"])
        if row["chained"] is None or bytes(row["chained"]) != checkpoint_link:
            found.checkpoints.append(f"{position}: the chain no longer passes through it")
        if public_key is None:
            continue
        if row["signature"] is None:
            found.checkpoints.append(f"{position}: not signed")
            continue
        try:
            public_key.verify(bytes(row["signature"]), signed_message(position, checkpoint_link))
        except InvalidSignature:
            found.checkpoints.append(f"{position}: the signature does not match the key")
