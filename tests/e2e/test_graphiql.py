"""GraphiQL works with no network: `stepwise serve --demo` serves the page and everything it
loads; in headless Chromium (Debian's, driven by Playwright) that can reach nothing but that
server, a token the command printed, pasted into the page's Headers, runs a query whose answer
shows on the page, and loads the schema for the docs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect, sync_playwright

from infra.settings import Settings
from tests.support.chromium import installed_chromium, offline
from tests.support.server import serve_process

PEOPLE = "{ people(first: 3) { edges { node { id name serviceId } } } }"  # as the README has it
ON_SCREEN_MS = 30_000  # as Playwright counts time: long enough for a slow machine's first render


@pytest.fixture
def served_with_demo(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The base URL of `stepwise serve --demo`, and the manager's token it printed."""
    with serve_process(settings, tmp_path, {}, "--demo") as (url, _):
        yield url, printed_token(tmp_path, "manager")


def printed_token(folder: Path, role: str) -> str:
    (log,) = folder.glob("server-*.log")
    printed = log.read_text()
    found = re.search(rf"^ +{role} .* (ey[\w-]+\.[\w-]+\.[\w-]+)$", printed, re.MULTILINE)
    assert found, f"no {role} token among what `stepwise serve --demo` printed:\n{printed}"
    return found.group(1)


@dataclass
class Traffic:
    """What the page asked for and what went wrong, as the browser saw it."""

    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_ok: list[str] = field(default_factory=list)  # GETs (the page, its assets) but a 200
    errors: list[str] = field(default_factory=list)  # uncaught errors, refused by the policy

    def saw_response(self, response: Response) -> None:
        if response.request.method == "GET" and response.status != 200:
            self.not_ok.append(f"{response.status} {response.url}")

    def saw_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)


@contextmanager
def offline_browser(url: str, folder: Path) -> Iterator[tuple[Page, Traffic]]:
    """A page in headless Chromium that reaches the server at `url` and nothing else."""
    traffic = Traffic()
    with sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            folder / "profile", executable_path=installed_chromium(), headless=True,
            args=offline(reachable=urlsplit(url).netloc),
        )  # fmt: skip
        page = browser.pages[0] if browser.pages else browser.new_page()
        page.on("request", lambda request: traffic.requested.append(request.url))
        page.on("requestfailed", lambda request: traffic.failed.append(_failure(request)))
        page.on("response", traffic.saw_response)
        page.on("console", traffic.saw_console)
        page.on("pageerror", lambda error: traffic.errors.append(str(error)))
        try:
            yield page, traffic
        finally:
            browser.close()


def _failure(request: Request) -> str:
    return f"{request.url}: {request.failure}"


def paste(page: Page, editor: str, text: str) -> None:
    """Replaces an editor's text as a person pasting would (no brackets closed for them)."""
    page.locator(f"{editor} .CodeMirror:visible").click()  # Headers, not the hidden Variables
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def the_schema_is_loaded(page: Page) -> None:
    page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    expect(docs).to_contain_text("query: Query", timeout=ON_SCREEN_MS)
    paste(page, ".graphiql-query-editor", "{ peo")
    page.keyboard.press("Control+Space")
    expect(page.locator(".CodeMirror-hints")).to_contain_text("people")


def test_a_pasted_demo_token_runs_a_query_in_graphiql_with_nothing_fetched_from_elsewhere(
    served_with_demo: tuple[str, str], tmp_path: Path
) -> None:
    url, token = served_with_demo
    shown = httpx.post(f"{url}/graphql", json={"query": PEOPLE},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
    names = [edge["node"]["name"] for edge in shown.json()["data"]["people"]["edges"]]
    assert len(names) == 3

    with offline_browser(url, tmp_path) as (page, traffic):
        page.goto(f"{url}/graphql")
        answer = page.locator(".graphiql-response")
        # Before a token the schema is refused, and the page says what to send.
        expect(answer).to_contain_text("send a bearer token", timeout=ON_SCREEN_MS)
        expect(page.locator(".graphiql-editor-tool")).to_contain_text('"Authorization": "Bearer "')

        paste(page, ".graphiql-editor-tool", json.dumps({"Authorization": f"Bearer {token}"}))
        paste(page, ".graphiql-query-editor", PEOPLE)
        page.locator(".graphiql-execute-button").click()

        for name in names:
            expect(answer).to_contain_text(name, timeout=ON_SCREEN_MS)
        # What the page keeps (its address, the query's history in storage): never the token.
        history = f"() => (localStorage['graphiql:queries'] || '').includes({json.dumps(PEOPLE)})"
        page.wait_for_function(history, timeout=ON_SCREEN_MS)
        assert PEOPLE in unquote(page.url) and token not in page.url
        assert token not in page.evaluate("JSON.stringify([localStorage, sessionStorage])")
        # The schema came with the token: the docs and autocompletion know it.
        the_schema_is_loaded(page)

    elsewhere = [address for address in traffic.requested if not address.startswith(f"{url}/")]
    assert elsewhere == [] and traffic.failed == [] and traffic.not_ok == []
    assert traffic.errors == []
    assets = [address for address in traffic.requested if "/graphiql/assets/" in address]
    assert len(assets) == 6  # React, ReactDOM, GraphiQL's script and styles, the explorer's


def test_the_graphiql_page_and_its_assets_come_from_the_server_without_source_maps(
    client: TestClient,
) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Authorization" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    loaded = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert len(loaded) == 7  # the inline icon and six assets
    for address in loaded:
        if address.startswith("data:"):
            continue
        assert address.startswith("/graphiql/assets/"), address
        asset = client.get(address)
        assert asset.status_code == 200, address
        assert "sourceMappingURL" not in asset.text, address
