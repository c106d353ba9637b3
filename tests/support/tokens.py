"""Bearer tokens for tests, signed with the suite's local secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from api.auth import mint
from domain.envelope import Role
from infra.settings import Settings

TEST_SECRET = "a-secret-for-the-test-suite-only-0123456789"
TEST_AUTH = Settings(auth_secret=TEST_SECRET, _env_file=None)


@lru_cache(maxsize=64)
def bearer(
    subject: str,
    name: str,
    role: str,
    tenant: str,
    services: tuple[str, ...] | None = None,
    grant_days: float | None = None,
    scope: str | None = None,
    organisation: str | None = None,
) -> dict[str, str]:
    """`grant_days`: an inspector's grant ends this many days from now (negative: ended)."""
    grant = datetime.now(UTC) + timedelta(days=grant_days) if grant_days is not None else None
    token = mint(TEST_AUTH, subject=subject, name=name, role=Role.named(role), tenant_id=tenant,
                 services=list(services) if services is not None else None,
                 grant_expires=grant, scope=scope, organisation=organisation)  # fmt: skip
    return {"Authorization": f"Bearer {token}"}
