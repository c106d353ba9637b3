"""An HTTP client on a running app, over each backend's fresh storage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.bootstrap import Runtime
from tests.e2e.helpers import Api


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """The app as served: entering the client runs its lifespan, which starts the projector."""
    with TestClient(create_app(runtime)) as client:
        yield client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def api_allowing_two_mutations(runtime: Runtime) -> Iterator[Api]:
    """The app served with STEPWISE_MAX_MUTATIONS_PER_REQUEST=2."""
    runtime.settings.max_mutations_per_request = 2
    with TestClient(create_app(runtime)) as client:
        yield Api(client)
