"""What every read model shares: its tables, the events it handles, the transaction it writes
in, and how a batch of events becomes one write per touched row.

SQL is written once with `%(name)s` parameters; the SQLite store translates the style. Table
names come from `Tables`, so the same read model can be built into shadow tables during a
rebuild and swapped in when complete.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from eventsourcing.domain import DomainEvent

from domain.catalogue import ALL_EVENTS
from domain.topics import stored_names

Row = dict[str, Any]
Params = Mapping[str, Any]
Event = DomainEvent
Batch = Sequence[tuple[int, Event]]  # (log position, event), in log order
Tables = Mapping[str, str]  # a read model's table name -> the table to write


class EventFailed(Exception):
    """A read model could not apply this event; the cause is chained."""

    def __init__(self, position: int, event: Event) -> None:
        self.position = position
        self.event_type = type(event).__qualname__
        super().__init__(f"could not apply {self.event_type} at position {position}")


class Transaction(Protocol):
    dialect: str  # "sqlite" or "postgres"

    def execute(self, sql: str, params: Params | None = None) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    def copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        types: Sequence[str] | None = None,
    ) -> None:
        """Appends rows in bulk (COPY on PostgreSQL; in binary when given the columns'
        PostgreSQL types, which the values must then match exactly)."""

    def fetchone(self, sql: str, params: Params | None = None) -> Row | None: ...

    def fetchall(self, sql: str, params: Params | None = None) -> list[Row]: ...


@dataclass(frozen=True)
class Index:
    suffix: str
    columns: str
    unique: bool = False


@dataclass(frozen=True)
class Table:
    """A read-model table. `columns` may use {blob} for the dialect's binary type and
    {timestamp} for an instant (timestamptz on PostgreSQL, sortable UTC text on SQLite)."""

    name: str
    columns: str
    primary_key: str
    indexes: tuple[Index, ...] = ()

    def create(self, tx: Transaction, name: str) -> None:
        postgres = tx.dialect == "postgres"
        types = {"blob": "BYTEA" if postgres else "BLOB",
                 "timestamp": "TIMESTAMPTZ" if postgres else "TEXT"}  # fmt: skip
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS {name} ({self.columns.format(**types)}, "
            f"CONSTRAINT {name}_pkey PRIMARY KEY ({self.primary_key}))"
        )

    def create_indexes(self, tx: Transaction, name: str) -> None:
        for index in self.indexes:
            unique = "UNIQUE " if index.unique else ""
            tx.execute(
                f"CREATE {unique}INDEX IF NOT EXISTS {name}_{index.suffix} "
                f"ON {name} ({index.columns})"
            )


def handles(*event_types: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks a read model's method as the handler of these events (or of every event that
    subclasses one of them)."""

    def mark(method: Callable[..., Any]) -> Callable[..., Any]:
        method.__handles__ = event_types  # type: ignore[attr-defined]
        return method

    return mark


class ReadModel(ABC):
    """A read model: its tables, and what each event it handles does to them.

    `version` says which shape of tables and handlers the code expects; a stored read model
    of another version is rebuilt before it is used.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    # Evidence is kept, never rebuilt: a rebuild would attest to the log as it is now.
    evidence: ClassVar[bool] = False
    # Applies each event's stored bytes, read by itself, so an event nobody can decode is
    # applied like any other (it gets a placeholder in the batch).
    stored_bytes: ClassVar[bool] = False
    # Applies each new stretch of the log in a transaction of its own, never together with the
    # other read models (infra.projector): for one whose work on an event can take long (a
    # recount, a signature), which the others would otherwise wait for.
    applies_alone: ClassVar[bool] = False
    # Seconds between calls of on_time() while the projector follows the log (None: never).
    on_time_every: float | None = None
    tables: ClassVar[tuple[Table, ...]]
    _handlers: ClassVar[dict[type, Callable[..., Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared: dict[type, Callable[..., Any]] = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                for event_type in getattr(attribute, "__handles__", ()):
                    declared[event_type] = attribute
        cls._handlers = {
            event: handler
            for declared_type, handler in declared.items()
            for event in ALL_EVENTS
            if issubclass(event, declared_type)
        }

    @classmethod
    def event_types(cls) -> frozenset[type]:
        return frozenset(cls._handlers)

    @classmethod
    def topics(cls) -> list[str]:
        """The only events this read model reads from the log, under every name they may
        have been stored as (domain.topics)."""
        return sorted(name for event_type in cls.event_types() for name in stored_names(event_type))

    def handler(self, event: Event) -> Callable[..., Any]:
        return self._handlers[type(event)]

    def create_tables(self, tx: Transaction, tables: Tables, *, with_indexes: bool = True) -> None:
        for table in self.tables:
            table.create(tx, tables[table.name])
            if with_indexes:
                table.create_indexes(tx, tables[table.name])

    @abstractmethod
    def apply(self, tx: Transaction, tables: Tables, batch: Batch) -> None:
        """Writes the batch's effect. Called inside the transaction that moves the position."""

    def flush(self, tx: Transaction, tables: Tables) -> None:  # noqa: B027 - usually nothing
        """Writes whatever a rebuild has kept back, before its tables are swapped in."""

    def forget(self) -> None:  # noqa: B027 - most read models keep nothing between batches
        """Drops anything kept between batches (a rebuild starts and ends with this)."""

    def on_time(self, tx: Transaction, tables: Tables) -> None:  # noqa: B027 - seldom needed
        """Work due by the clock rather than by an event, in the lane's own transaction."""


def live_tables(model: ReadModel) -> dict[str, str]:
    return {table.name: table.name for table in model.tables}


def json_elements(dialect: str, document: str, key: str, alias: str) -> str:
    """SQL for the elements of a list in a JSON document, to join to its row: `alias.value`
    each element, `alias.key` its place in the list."""
    if dialect == "postgres":  # a function in FROM sees the rows before it, LATERAL or not
        return (f"jsonb_array_elements(CAST({document} AS jsonb) -> '{key}') "
                f"WITH ORDINALITY AS {alias}(value, key)")  # fmt: skip
    return f"json_each({document}, '$.{key}') AS {alias}"


def json_field(dialect: str, element: str, name: str) -> str:
    """SQL for a field of a JSON object, as text (NULL where it has none)."""
    if dialect == "postgres":
        return f"{element} ->> '{name}'"
    return f"json_extract({element}, '$.{name}')"


def one_page(limit: int | None, offset: int = 0) -> tuple[str, dict[str, int]]:
    """SQL ending an ordered list at one page, `limit` rows after the first `offset`, and its
    parameters; with no limit, the whole list."""
    if limit is None:
        return "", {}
    clause = " LIMIT %(page_limit)s OFFSET %(page_offset)s"
    return clause, {"page_limit": limit, "page_offset": offset}


def upsert(table: str, key: str, columns: Sequence[str], keep: Iterable[str] = ()) -> str:
    """INSERT ... ON CONFLICT DO UPDATE of every column but the key and those kept."""
    kept = {key, *keep}
    names = ", ".join(columns)
    values = ", ".join(f"%({column})s" for column in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in kept)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({values}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def select_by_keys(
    tx: Transaction, table: str, key: str, values: Sequence[str], columns: str
) -> list[Row]:
    rows: list[Row] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        names = {f"k{n}": value for n, value in enumerate(chunk)}
        placeholders = ", ".join(f"%({name})s" for name in names)
        sql = f"SELECT {key}, {columns} FROM {table} WHERE {key} IN ({placeholders})"
        rows += tx.fetchall(sql, names)
    return rows
