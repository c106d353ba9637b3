"""A token's signature is checked once and its claims remembered for a while, so a client
sending the same token on every request pays for verification once; a token past its expiry
is refused all the same, and any other token, however alike, is verified afresh."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

import api.auth
from api.auth import LEEWAY, Authenticator, Unauthenticated, mint
from domain.envelope import Role
from tests.support.tokens import TEST_AUTH


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signatures were checked, from here on."""
    checked: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: object, **kwargs: object) -> object:
        checked.append(token)
        return decode(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api.auth.jwt, "decode", counted)
    return checked


def token(expires_in: timedelta = timedelta(hours=1), name: str = "Ann Lee") -> str:
    return mint(TEST_AUTH, subject="u-ann", name=name, role=Role.MANAGER,
                tenant_id="provider-a", expires_in=expires_in)  # fmt: skip


def test_the_same_token_is_verified_once(decoded: list[str]) -> None:
    authenticator, same = Authenticator(TEST_AUTH), token()

    callers = [authenticator.caller(f"Bearer {same}") for _ in range(3)]

    assert decoded == [same]
    assert {caller.actor.name for caller in callers} == {"Ann Lee"}


def test_another_token_is_verified_afresh_and_a_forged_one_is_refused(decoded: list[str]) -> None:
    authenticator, first = Authenticator(TEST_AUTH), token()
    authenticator.caller(f"Bearer {first}")
    head, payload, signature = first.split(".")

    authenticator.caller(f"Bearer {token(name='Ann Lee-Smith')}")
    with pytest.raises(Unauthenticated, match="refused"):
        authenticator.caller(f"Bearer {head}.{payload}.{signature[:-4]}AAAA")

    assert len(decoded) == 3


def test_a_remembered_token_past_its_expiry_is_refused(decoded: list[str]) -> None:
    # Good for one more second: its expiry, and the leeway allowed for clocks that differ.
    authenticator, short = Authenticator(TEST_AUTH), token(timedelta(seconds=1) - LEEWAY)
    authenticator.caller(f"Bearer {short}")

    time.sleep(1.2)
    with pytest.raises(Unauthenticated, match="expired"):
        authenticator.caller(f"Bearer {short}")
    assert decoded == [short, short]
