"""Settings become exactly the connection the operator asked for, or a clear refusal."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infra.settings import Settings


def test_a_password_with_quotes_and_backslashes_reaches_the_server_as_written() -> None:
    settings = Settings(database_url="postgresql://ann:it's%5Cme@db:5433/care", _env_file=None)

    assert settings.postgres.password == "it's\\me"
    assert settings.postgres.conninfo() == (
        "host=db port=5433 dbname=care user=ann password=it\\'s\\\\me"
    )


def test_connection_options_in_the_url_are_refused_rather_than_ignored() -> None:
    with pytest.raises(ValidationError, match="PGSSLMODE"):
        Settings(database_url="postgresql://ann@db/care?sslmode=require", _env_file=None)


@pytest.mark.parametrize("schema", ["care records", "CareRecords", "1care", ""])
def test_a_schema_name_the_event_store_could_not_use_is_refused(schema: str) -> None:
    with pytest.raises(ValidationError, match="lower-case letters, digits and underscores"):
        Settings(database_url="postgresql://ann@db/care", database_schema=schema,
                 _env_file=None)  # fmt: skip
