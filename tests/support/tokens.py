"""Bearer tokens for tests, signed with the suite's local secret."""

from __future__ import annotations

from functools import lru_cache

from api.auth import mint
from domain.envelope import Role
from infra.settings import Settings

TEST_SECRET = "a-secret-for-the-test-suite-only-0123456789"
TEST_AUTH = Settings(auth_secret=TEST_SECRET, _env_file=None)


@lru_cache(maxsize=64)
def bearer(subject: str, name: str, role: str, tenant: str) -> dict[str, str]:
    token = mint(TEST_AUTH, subject=subject, name=name, role=Role.named(role), tenant_id=tenant)
    return {"Authorization": f"Bearer {token}"}
