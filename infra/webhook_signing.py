"""Each webhook's signing secret, derived rather than stored: from the server's webhook key
(STEPWISE_WEBHOOK_KEY), the webhook and the nonce its registration or latest rotation recorded
(the command's partId). Nothing in the database can give a secret away without the key."""

from __future__ import annotations

import base64
import hashlib
import hmac

from domain.errors import NotConfigured
from infra.settings import Settings

PREFIX = "whsec_"  # as Standard Webhooks libraries expect a secret to be written


def signing_secret(settings: Settings, webhook_id: str, nonce: str) -> str:
    if settings.webhook_key is None:
        raise NotConfigured(
            "webhooks need STEPWISE_WEBHOOK_KEY (32 characters or more, e.g. from "
            "`openssl rand -base64 32`) to sign deliveries: set it and restart the server",
            "STEPWISE_WEBHOOK_KEY",
        )
    key = settings.webhook_key.get_secret_value().encode()
    derived = hmac.new(key, f"webhook:{webhook_id}:{nonce}".encode(), hashlib.sha256)
    return PREFIX + base64.b64encode(derived.digest()).decode()
