"""The one typed settings object: every knob is a `STEPWISE_*` variable (or a line in `.env`)."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg.conninfo import make_conninfo
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.outages import CONNECT_TIMEOUT, STATEMENT_TIMEOUT, connection_options


def signing_key(encoded: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(encoded, validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError:
        raise ValueError(
            "give the base64 of a 32-byte Ed25519 private key; `stepwise keys generate audit` "
            "makes one"
        ) from None


@dataclass(frozen=True)
class PostgresTarget:
    host: str
    port: int
    dbname: str
    user: str
    password: str
    connect_timeout: float

    def conninfo(self) -> str:
        parts = {
            "host": self.host,
            "port": str(self.port),
            "dbname": self.dbname,
            "user": self.user,
            "password": self.password,
        }
        given = {key: value for key, value in parts.items() if value}
        return make_conninfo(**given, **connection_options(self.connect_timeout, None))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEPWISE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///stepwise.db",
        description="sqlite:///relative/or/absolute/path.db or postgresql://user@host:port/db",
    )
    read_database_url: str | None = Field(
        default=None,
        description="postgresql://user@host:port/db of a streaming replica of the database: "
        "the API's reads go there, and a read sent with X-Stepwise-Wait-For-Position waits "
        "until the replica has replayed that position's writes. Unset: reads go to the "
        "database",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema for events and read models (created if absent)"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(
        default=1,
        ge=1,
        description="Server processes answering requests; with more than one, read models are "
        "kept by the serving command's own process",
    )
    http_access_log: bool = Field(default=True, description="Log every HTTP request line")
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="json: one JSON object per line; text: for people; auto: text when "
        "stderr is a terminal, json otherwise",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The least severe log records written"
    )
    metrics: bool = Field(default=True, description="Serve /metrics (Prometheus text format)")
    metrics_max_operations: int = Field(
        default=100,
        ge=1,
        description="Distinct GraphQL operation names counted in /metrics per server process; "
        "others are counted as `other`",
    )
    otel_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP endpoint traces are sent to (needs `stepwise[tracing]`)",
    )
    run_projector: bool = Field(
        default=True, description="Run projections inside the API process (off when a worker runs)"
    )
    poll_interval_seconds: float = 0.5
    projection_batch_size: int = 500
    wait_for_position_timeout_seconds: float = 10.0
    max_waiting_requests: int = Field(
        default=1000,
        ge=1,
        description="Most requests waiting at once for X-Stepwise-Wait-For-Position; more are "
        "refused (BUSY) rather than held",
    )
    wait_for_position_refresh_seconds: float = Field(
        default=0.25,
        description="While requests wait, how often positions are re-read in case no "
        "notification came (SQLite has none)",
    )
    clock_skew_seconds: int = 120
    late_entry_hours: float = Field(
        default=24,
        ge=0,
        description="A fact recorded more than this many hours after it took effect is shown "
        "as a late entry in a person's chronology",
    )
    pack_timezone: str = Field(
        default="Europe/London",
        description="The time zone an evidence pack shows its times in (an IANA name)",
    )
    pack_rows_per_list: int = Field(
        default=500,
        ge=1,
        description="The most rows an evidence pack lists in one table (the most recent; the "
        "table says how many it leaves out), so a pack's size and memory stay bounded",
    )
    pack_locale: str = Field(
        default="en_GB",
        description="The locale an evidence pack writes its dates in (e.g. en_GB, cy_GB)",
    )
    database_connect_timeout_seconds: float = Field(
        default=3.0,
        ge=1,
        description="Longest wait for a PostgreSQL connection; then requests answer UNAVAILABLE",
    )
    database_statement_timeout_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Longest a request's statement may run (PostgreSQL), or wait for the "
        "write lock (SQLite); then it answers UNAVAILABLE. 0: no limit",
    )
    pool_size: int = 10
    pool_max_overflow: int = 10
    record_cache_size: int = Field(
        default=1_000,
        ge=0,
        description="Records each process keeps folded in memory for commands, which are "
        "decided on copies of them and checked against the store once before the save (one "
        "query for all the records a command read); 0: none",
    )
    max_mutations_per_request: int = Field(default=1, ge=1)
    max_root_fields: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    max_query_depth: int = Field(default=10, ge=2)
    max_fields: int = Field(default=2_000, ge=10)
    auth_secret: SecretStr | None = Field(
        default=None,
        description="Secret signing local tokens (HS256) that `stepwise token` mints; "
        "32 characters at least",
    )
    auth_jwks_url: str | None = Field(
        default=None,
        description="The identity provider's JWKS URL: tokens signed with RS256 or ES256 by "
        "one of its keys are accepted",
    )
    auth_issuer: str = Field(default="stepwise", description="Tokens must name this issuer")
    auth_audience: str = Field(default="stepwise", description="Tokens must name this audience")
    audit_key: SecretStr | None = Field(
        default=None,
        description="Ed25519 private key signing the audit chain's checkpoints: base64 of its "
        "32 raw bytes (`stepwise keys generate audit` makes one)",
    )
    cipher_key: SecretStr | None = Field(
        default=None,
        description="AES-GCM key encrypting every stored event and snapshot: base64 of 16, 24 "
        "or 32 bytes (`stepwise keys generate cipher` makes one). Set it before the first event",
    )
    event_mac_key: SecretStr | None = Field(
        default=None,
        description="HMAC key (base64 of 32 bytes; `stepwise keys generate mac` makes one) "
        "that puts a MAC on every event as it is written, so `stepwise audit verify` names "
        "any row forged, changed or appended by SQL. Keep it outside the database",
    )
    audit_checkpoint_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A signed checkpoint of the audit chain is also taken this long after the "
        "last one whenever events came since, bounding the tail no checkpoint covers",
    )
    webhook_key: SecretStr | None = Field(
        default=None,
        description="Secret (32+ characters) each webhook's signing secret is derived from; "
        "without it webhooks cannot be registered",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Deliver webhooks to loopback and private addresses, and over plain "
        "http (local development and tests)",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a webhook delivery may take"
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, description="Failed deliveries in a row before a webhook is paused"
    )
    webhook_retry_seconds: float = Field(
        default=2.0, gt=0, description="Wait after a first failed delivery; doubled after each"
    )
    webhook_longest_wait_seconds: float = Field(
        default=3600.0, gt=0, description="The longest wait between retries of a delivery"
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("use sqlite:///path.db or postgresql://user@host:port/database")
        return _without_options(url) if url.startswith("postgres") else url

    @field_validator("read_database_url")
    @classmethod
    def _replica_scheme(cls, url: str | None) -> str | None:
        if url is not None:
            if not url.startswith(("postgresql://", "postgres://")):
                raise ValueError("a read replica is a PostgreSQL server: postgresql://...")
            _without_options(url)
        return url

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> Settings:
        if self.read_database_url is not None and not self.is_postgres:
            raise ValueError(
                "STEPWISE_READ_DATABASE_URL names a replica of a PostgreSQL database: set "
                "STEPWISE_DATABASE_URL to the primary's postgresql:// URL, or unset it"
            )
        return self

    @field_validator("database_schema")
    @classmethod
    def _plain_schema_name(cls, schema: str | None) -> str | None:
        # The event store looks up its types in the schema by an unquoted name.
        if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ValueError(
                "name the schema with lower-case letters, digits and underscores: the event "
                "store cannot use capitals or spaces there"
            )
        return schema

    @field_validator("pack_timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "name a time zone from the IANA database, e.g. Europe/London"
            ) from None
        return zone

    @field_validator("pack_locale")
    @classmethod
    def _known_locale(cls, locale: str) -> str:
        try:
            Locale.parse(locale)
        except (UnknownLocaleError, ValueError):
            raise ValueError("name a locale, e.g. en_GB or cy_GB") from None
        return locale

    @field_validator("auth_secret", "auth_jwks_url", "webhook_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # as compose passes an unset variable on

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.lower() if value.lower() in ("auto", "json", "text") else value.upper()

    @field_validator("otel_endpoint", "read_database_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value  # as compose passes an unset variable on

    @field_validator("auth_jwks_url")
    @classmethod
    def _keys_over_tls(cls, url: str | None) -> str | None:
        if url is not None:
            parts = urlsplit(url)
            local = parts.hostname in ("localhost", "127.0.0.1", "::1")
            if parts.scheme != "https" and not (parts.scheme == "http" and local):
                raise ValueError("fetch the identity provider's keys over https")
        return url

    @field_validator("auth_secret", "webhook_key")
    @classmethod
    def _long_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError(
                "use a secret of 32 characters or more, e.g. from `openssl rand -base64 32`"
            )
        return secret

    @field_validator("audit_key")
    @classmethod
    def _usable_audit_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value():
            return None  # unset, or set empty (as compose passes an unset variable on)
        signing_key(key.get_secret_value())
        return key

    @field_validator("cipher_key")
    @classmethod
    def _usable_cipher_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value():
            return None
        if _decoded_size(key) not in (16, 24, 32):
            raise ValueError(
                "give the base64 of a 16, 24 or 32-byte key; `stepwise keys generate cipher` "
                "makes one"
            )
        return key

    @field_validator("event_mac_key")
    @classmethod
    def _usable_mac_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value():
            return None
        if _decoded_size(key) < 32:
            raise ValueError(
                "give the base64 of 32 bytes or more; `stepwise keys generate mac` makes one"
            )
        return key

    def audit_signing_key(self) -> Ed25519PrivateKey | None:
        return signing_key(self.audit_key.get_secret_value()) if self.audit_key else None

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite:///")

    @cached_property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///")).expanduser().resolve()

    @cached_property
    def postgres(self) -> PostgresTarget:
        return self._target(self.database_url)

    @cached_property
    def read_replica(self) -> PostgresTarget | None:
        return self._target(self.read_database_url) if self.read_database_url else None

    def _target(self, given: str) -> PostgresTarget:
        url = urlsplit(given)
        return PostgresTarget(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            dbname=url.path.lstrip("/") or "postgres",
            user=unquote(url.username or "postgres"),
            password=unquote(url.password or ""),
            connect_timeout=self.database_connect_timeout_seconds,
        )

    def eventsourcing_env(self) -> dict[str, str]:
        """The library reads its configuration from this dict, never from os.environ."""
        # The mapper always reads a MAC off an event, so events stay readable without the key.
        env = {"CREATE_TABLE": "y", "MAPPER_TOPIC": "infra.event_mac:MacMapper"}
        if self.record_cache_size:
            env["RECORD_CACHE_SIZE"] = str(self.record_cache_size)  # domain.record_cache
        if self.cipher_key is not None:
            env |= {
                "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                "CIPHER_KEY": self.cipher_key.get_secret_value(),
            }
        if self.event_mac_key is not None:  # the key rides in the cipher's slot (infra.event_mac)
            env |= {
                "CIPHER_TOPIC": "infra.event_mac:MacKey",
                "EVENT_MAC_KEY": self.event_mac_key.get_secret_value(),
            }
        if not self.is_postgres:
            # No limit asked for: wait long (the library would take 0 to mean 5 s).
            lock_timeout = math.ceil(self.database_statement_timeout_seconds) or 30
            return env | {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": "infra.event_store:StepwiseSQLiteRecorder",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": str(lock_timeout),
            }
        target = self.postgres
        env |= {
            "PERSISTENCE_MODULE": "infra.event_store:StepwisePostgresFactory",
            "APPLICATION_RECORDER_TOPIC": "infra.event_store:StepwisePostgresRecorder",
            "POSTGRES_DBNAME": target.dbname,
            "POSTGRES_HOST": target.host,
            "POSTGRES_PORT": str(target.port),
            "POSTGRES_USER": target.user,
            "POSTGRES_PASSWORD": target.password,
            # Pool sized with the API's worker threads; see ARCHITECTURE notes.
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.pool_max_overflow),
            # Not POSTGRES_PRE_PING: the pool asks only connections that sat idle (IdleCheck).
            CONNECT_TIMEOUT: str(self.database_connect_timeout_seconds),
            STATEMENT_TIMEOUT: str(self.database_statement_timeout_seconds),
        }
        if self.database_schema:
            env["POSTGRES_SCHEMA"] = self.database_schema
        return env


def _without_options(url: str) -> str:
    if urlsplit(url).query:
        raise ValueError(
            "connection options in the URL are not passed on: set them as libpq "
            "environment variables instead (e.g. PGSSLMODE=require)"
        )
    return url


def _decoded_size(key: SecretStr) -> int:
    """The bytes a base64 key setting holds (0 if it is not base64)."""
    try:
        return len(base64.b64decode(key.get_secret_value(), validate=True))
    except ValueError:
        return 0
