"""Settings become exactly the connection the operator asked for, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.settings import Settings


def test_a_password_with_quotes_and_backslashes_reaches_the_server_as_written() -> None:
    settings = Settings(database_url="postgresql://ann:it's%5Cme@db:5433/care", _env_file=None)

    assert settings.postgres.password == "it's\\me"
    assert settings.postgres.conninfo().startswith(
        "host=db port=5433 dbname=care user=ann password=it\\'s\\\\me connect_timeout=3 "
    )


def test_the_connect_timeout_reaches_libpq_in_whole_seconds_and_never_below_its_minimum() -> None:
    def conninfo(seconds: float) -> str:
        settings = Settings(database_url="postgresql://ann@db/care",
                            database_connect_timeout_seconds=seconds, _env_file=None)  # fmt: skip
        return settings.postgres.conninfo()

    assert "connect_timeout=2 " in conninfo(1)  # libpq waits 2 s at least
    assert "connect_timeout=5 " in conninfo(4.2)


def test_connection_options_in_the_url_are_refused_rather_than_ignored() -> None:
    with pytest.raises(ValidationError, match="PGSSLMODE"):
        Settings(database_url="postgresql://ann@db/care?sslmode=require", _env_file=None)


@pytest.mark.parametrize("schema", ["care records", "CareRecords", "1care", ""])
def test_a_schema_name_the_event_store_could_not_use_is_refused(schema: str) -> None:
    with pytest.raises(ValidationError, match="lower-case letters, digits and underscores"):
        Settings(database_url="postgresql://ann@db/care", database_schema=schema,
                 _env_file=None)  # fmt: skip


def test_an_audit_key_that_is_not_an_ed25519_key_is_refused_and_an_empty_one_is_no_key() -> None:
    with pytest.raises(ValidationError, match="stepwise keys generate audit"):
        Settings(audit_key="bm90IGEga2V5", _env_file=None)

    assert Settings(audit_key="", _env_file=None).audit_signing_key() is None


def test_a_short_token_secret_is_refused_and_an_empty_one_is_none() -> None:
    with pytest.raises(ValidationError, match="32 characters or more"):
        Settings(auth_secret="short", _env_file=None)

    assert Settings(auth_secret="", auth_jwks_url="", _env_file=None).auth_secret is None


def test_the_identity_provider_s_keys_are_fetched_over_tls() -> None:
    with pytest.raises(ValidationError, match="over https"):
        Settings(auth_jwks_url="http://idp.example/jwks.json", _env_file=None)

    assert Settings(auth_jwks_url="http://127.0.0.1:9/jwks.json", _env_file=None).auth_jwks_url


def test_every_setting_has_a_line_in_the_readme_s_settings_table() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Settings", 1)[1]
    table = section[section.index("| variable |") :].split("\n\n", 1)[0]
    missing = [f"STEPWISE_{name.upper()}" for name in Settings.model_fields
               if f"`STEPWISE_{name.upper()}`" not in table]  # fmt: skip
    assert missing == []


def test_a_read_replica_is_a_postgresql_server_beside_a_postgresql_database() -> None:
    with pytest.raises(ValidationError, match="STEPWISE_DATABASE_URL to the primary"):
        Settings(read_database_url="postgresql://ann@replica/care", _env_file=None)
    with pytest.raises(ValidationError, match="a read replica is a PostgreSQL server"):
        Settings(database_url="postgresql://ann@db/care", read_database_url="sqlite:///r.db",
                 _env_file=None)  # fmt: skip
    with pytest.raises(ValidationError, match="PGSSLMODE"):
        Settings(database_url="postgresql://ann@db/care",
                 read_database_url="postgresql://ann@replica/care?sslmode=require",
                 _env_file=None)  # fmt: skip

    replica = "postgresql://bea@replica:5433/care"
    given = Settings(database_url="postgresql://ann@db/care", read_database_url=replica,
                     _env_file=None)  # fmt: skip
    assert given.read_replica is not None
    assert given.read_replica.conninfo().startswith("host=replica port=5433 dbname=care user=bea")
    assert Settings(read_database_url="", _env_file=None).read_replica is None  # as compose sends
