"""An inspector keeps the latest signed checkpoint, checks its signature with the provider's
published key, and later asks whether the log still passes through it."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import SecretStr

from infra.bootstrap import Runtime
from infra.settings import Settings
from projections.audit_chain import CHECKPOINT_EVERY, public_bytes, setting_text, signed_message
from tests.e2e.helpers import INSPECTOR, Api, register, rules
from tests.support.staffing import JOINED_EVENTS

KEY = Ed25519PrivateKey.generate()
INTEGRITY = """query($kept: KeptCheckpoint) {
  auditIntegrity(kept: $kept) {
    headPosition headHash extendsKept
    checkpoint { position hash signature publicKey algorithm }
  }
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"audit_key": SecretStr(setting_text(KEY))})


@pytest.fixture
def api(api: Api) -> Api:
    api.reader = INSPECTOR  # who keeps checkpoints
    return api


def integrity(api: Api, kept: dict[str, object] | None = None) -> dict[str, object]:
    answer: dict[str, object] = api.query(INTEGRITY, {"kept": kept})["auditIntegrity"]
    return answer


def test_the_latest_checkpoint_is_signed_by_the_published_key_and_later_still_extended(
    api: Api,
) -> None:
    for number in range(CHECKPOINT_EVERY + 1 - JOINED_EVENTS):  # after the tests' staff
        register(api, name=f"Person {number}")

    answer = integrity(api)
    checkpoint = answer["checkpoint"]
    assert isinstance(checkpoint, dict)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(checkpoint["publicKey"]))
    public.verify(  # raises unless the provider's key signed exactly this
        base64.b64decode(checkpoint["signature"]),
        signed_message(checkpoint["position"], bytes.fromhex(checkpoint["hash"])),
    )
    assert checkpoint["position"] == CHECKPOINT_EVERY and checkpoint["algorithm"] == "Ed25519"
    assert base64.b64decode(checkpoint["publicKey"]) == public_bytes(KEY)  # the server's key
    assert answer["headPosition"] == CHECKPOINT_EVERY + 1

    register(api, name="One more")
    kept = {"position": checkpoint["position"], "hash": checkpoint["hash"]}
    assert integrity(api, kept)["extendsKept"] is True


def test_a_chain_that_no_longer_passes_through_a_kept_checkpoint_says_so(
    api: Api, runtime: Runtime
) -> None:
    for number in range(CHECKPOINT_EVERY - JOINED_EVENTS):
        register(api, name=f"Person {number}")
    checkpoint = integrity(api)["checkpoint"]
    assert isinstance(checkpoint, dict)
    with runtime.store.transaction(write=True) as tx:
        tx.execute("UPDATE audit_chain SET link = %(l)s WHERE position = %(p)s",
                   {"l": bytes(32), "p": checkpoint["position"]})  # fmt: skip

    kept = {"position": checkpoint["position"], "hash": checkpoint["hash"]}
    assert integrity(api, kept)["extendsKept"] is False


def test_a_kept_hash_that_is_not_a_link_is_refused_with_its_rule(api: Api) -> None:
    error = api.failure(INTEGRITY, {"kept": {"position": 1, "hash": "not hex"}})

    assert rules(error) == ["input.audit.hash"]
