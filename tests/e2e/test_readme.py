"""The README's examples, run: every GraphQL example against the demo on each backend, every
HTTP request in it against the same app, and every `stepwise` command it shows as a process on
the same demo, so the README cannot drift from the product. A note before each block says
how it is run (tests.support.readme); a block that says nothing fails here."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import OperationDefinitionNode, OperationType, parse, validate
from typer.testing import CliRunner

from api.app import create_app
from api.schema import schema
from infra.bootstrap import build
from infra.cli.app import cli
from infra.settings import Settings
from tests.e2e.helpers import WAIT_FOR_POSITION, Api, last_position
from tests.support import readme
from tests.support.readme_examples import (
    DEFAULT_PERSON,
    Demo,
    caller,
    empty,
    filled,
    found_at,
    matches,
    moved,
)
from tests.support.tokens import TEST_SECRET

TEXT = readme.README.read_text(encoding="utf-8")
BLOCKS = readme.blocks(TEXT)
DAYS_SINCE = (date.today() - date.fromisoformat(readme.loaded_on(TEXT))).days
STEPWISE = str(Path(sys.executable).with_name("stepwise"))
WEBHOOK_KEY = "a-webhook-key-for-the-test-suite-0123456789"

# Commands the README shows that no test can run as written, each with why.
SKIPPED = {
    ("make", "serve"): "serves until stopped; `stepwise serve` is run by test_serve_workers",
    ("make", "test"): "the suite itself",
    ("make", "bench"): "an hour of benchmarks on logs of up to 1M events, run on demand",
    ("stepwise", "bench"): "minutes of benchmarks, run on demand",
    ("stepwise", "serve"): "serves until stopped; run as a process by test_serve_workers",
    (
        "stepwise",
        "projections",
        "run",
    ): "follows the log until stopped; run by test_projector_faults",
    ("stepwise", "simulate"): "writes months of records; tests/integration/test_simulate.py",
}
# A command that writes a file of the repository writes it in the temporary folder instead.
REDIRECTED: dict[tuple[str, ...], list[str]] = {
    ("stepwise", "schema", "export"): ["--path", "schema.graphql"]
}


def skipped(words: list[str]) -> str | None:
    name = readme.program(words)
    return next((why for prefix, why in SKIPPED.items() if name[: len(prefix)] == prefix), None)


def known(words: list[str]) -> bool:
    return words[0] == "curl" or readme.program(words)[0] == "stepwise" or bool(skipped(words))


SHELL = [words for b in BLOCKS if b.language in readme.SHELLS for words in readme.commands(b)]
GRAPHQL = [b for b in BLOCKS if b.language == "graphql" and not (b.note and b.note.not_run)]
CURL = [words for words in SHELL if words[0] == "curl"]
# Each `stepwise` command of the README's blocks, and each of its table that runs as it is;
# those that read no records are run once, without the demo.
COMMANDS = [w for w in SHELL if readme.program(w)[0] == "stepwise" and not skipped(w)] + [
    ["stepwise", *words]
    for words, _, runs_as_it_is in map(readme.synopsis, readme.table_commands(TEXT))
    if runs_as_it_is and not skipped(["stepwise", *words])
]
WITHOUT_RECORDS = {("stepwise", "schema"), ("stepwise", "keys")}
ON_THE_DEMO = [w for w in COMMANDS if readme.program(w)[:2] not in WITHOUT_RECORDS]
ON_THEIR_OWN = [w for w in COMMANDS if readme.program(w)[:2] in WITHOUT_RECORDS]


def test_every_example_in_the_readme_says_how_it_is_checked() -> None:
    lacking = readme.unexplained(BLOCKS, known)
    assert not lacking, (
        "Each README example needs a note on the line before it, e.g. "
        "<!-- example: as manager --> (see tests/support/readme.py):\n" + "\n".join(lacking)
    )


def test_a_new_block_that_does_not_say_how_it_is_checked_is_named() -> None:
    text = "<!-- example: as manager -->\n```graphql\n{ a }\n```\n\n```graphql\n{ b }\n```\n"
    text += "```sh\nstepwise demo\nrm -rf build\n```\n```python\nprint()\n```\n"

    lacking = readme.unexplained(readme.blocks(text), known)

    assert lacking == [
        "README.md line 6: a ```graphql block with no note",
        "README.md line 9: `rm -rf build` is neither run nor skipped: list it in the test's "
        "SKIPPED with why",
        "README.md line 13: a ```python block with no note",
    ]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """The demo, recorded once per backend by `stepwise demo` as a reader would, then served by
    the app in this process. Webhooks are registered but never delivered: the README's
    receiver is an example address, not one to call from the suite."""
    folder = tmp_path_factory.mktemp("demo")
    database = {"database_url": f"sqlite:///{folder / 'stepwise.db'}"}
    if request.param == "postgres":
        database = {"database_url": request.getfixturevalue("postgres_url"),
                    "database_schema": f"t_{uuid.uuid4().hex[:12]}"}  # fmt: skip
    settings = {f"STEPWISE_{name.upper()}": value for name, value in database.items()}
    environment = {**os.environ, **settings, "STEPWISE_AUTH_SECRET": TEST_SECRET, "COLUMNS": "200"}
    loaded = run([STEPWISE, "demo"], folder, environment)
    assert loaded.returncode == 0 and "Loaded 3 demo people" in loaded.stdout, loaded.stderr
    runtime = build(Settings(database_url=database["database_url"], pool_size=4,
                             database_schema=database.get("database_schema"),
                             auth_secret=TEST_SECRET, webhook_key=WEBHOOK_KEY,
                             _env_file=None))  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime.deliveries, "start", lambda: None)
        with TestClient(create_app(runtime)) as client:
            found = Demo(Api(client), folder, environment)
            found.api.reader = caller("manager")
            found.api.last_written = last_position(found.api)
            edges = found.api.query("{ people(first: 10) { edges { node { id name } } } }")
            found.people = {edge["node"]["name"]: edge["node"]["id"] for edge in edges["people"]
                            ["edges"]}  # fmt: skip
            yield found
    runtime.close()


@pytest.mark.parametrize("block", GRAPHQL, ids=lambda b: f"line{b.line}")
def test_the_graphql_example_answers_as_the_readme_shows(demo: Demo, block: readme.Block) -> None:
    assert block.note and block.note.role, f"{block.where} has no `as ROLE` note"
    person = block.note.person or DEFAULT_PERSON
    document, variables = filled(block.text, demo.fill(person), DAYS_SINCE)
    if is_subscription(document):  # it streams until stopped: test_live_feed runs the feed
        assert validate(schema._schema, parse(document)) == []
        return
    headers = {**caller(block.note.role).headers(), WAIT_FOR_POSITION: str(demo.api.last_written)}

    body = demo.api.post(document, variables, headers)

    if block.note.refused:
        assert_refused(body, *block.note.refused)
    else:
        assert "errors" not in body, (block.where, body["errors"])
        assert_answers_something(demo, block, body["data"])
    for shown in answers_shown_after(block):
        assert shown.note and shown.note.answer_in
        values = found_at(body, shown.note.answer_in)
        assert any(matches(json.loads(shown.text), value) for value in values), (
            f"{shown.where} is not among the answers at {shown.note.answer_in}",
            values,
        )


def assert_answers_something(demo: Demo, block: readme.Block, data: dict[str, Any]) -> None:
    """Each root field answers something on the demo, but those its note says do not."""
    assert block.note
    for name, value in data.items():
        assert empty(value) == (name in block.note.empty), (
            f"{block.where}: `{name}` answers {'nothing' if empty(value) else 'something'} on "
            "the demo, and its note says otherwise"
        )
        if isinstance(value, dict) and isinstance(value.get("position"), int):
            demo.api.last_written = max(demo.api.last_written, value["position"])


def is_subscription(document: str) -> bool:
    return any(isinstance(d, OperationDefinitionNode) and d.operation is OperationType.SUBSCRIPTION
               for d in parse(document).definitions)  # fmt: skip


def answers_shown_after(block: readme.Block) -> list[readme.Block]:
    """The JSON blocks right after an example that say where in its answer they are."""
    shown = []
    for later in BLOCKS[BLOCKS.index(block) + 1 :]:
        if later.language != "json":
            break
        if later.note and later.note.answer_in:
            shown.append(later)
    return shown


def assert_refused(body: dict[str, Any], code: str, rule: str | None = None) -> None:
    (error,) = body["errors"]
    extensions = error["extensions"]
    assert extensions["code"] == code, error
    if rule is not None:
        rules = [extensions.get("rule")] + [v["rule"] for v in extensions.get("violations", [])]
        assert rule in rules, error


@pytest.mark.parametrize("command", CURL, ids=lambda w: w[-1][:60])
def test_the_http_example_answers(demo: Demo, command: list[str]) -> None:
    """`$TOKEN` is the demo manager's, as the README says; `<id>` is a demo person's."""
    authorization = caller("manager").headers()["Authorization"]
    headers, url, output = readme.curl_request(command, authorization)
    url = moved(url.replace("<id>", demo.people[DEFAULT_PERSON]), DAYS_SINCE)

    response = demo.api.client.get(url.removeprefix("http://127.0.0.1:8000"), headers=headers)

    assert response.status_code == 200, response.text[:500]
    assert "Traceback" not in response.text
    if output.endswith(".pdf"):
        assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("command", ON_THE_DEMO, ids=shlex.join)
def test_the_command_runs_as_the_readme_shows(demo: Demo, command: list[str]) -> None:
    """`<id>` is a demo person's."""
    words = [moved(w.replace("<id>", demo.people[DEFAULT_PERSON]), DAYS_SINCE) for w in command]
    assert_runs(words, demo.folder, demo.environment)


@pytest.mark.parametrize("command", ON_THEIR_OWN, ids=shlex.join)
def test_the_command_that_reads_no_records_runs_as_the_readme_shows(
    command: list[str], tmp_path: Path
) -> None:
    assert_runs(command, tmp_path, {**os.environ, "COLUMNS": "200"})


def assert_runs(command: list[str], folder: Path, environment: dict[str, str]) -> None:
    """Exit code 0, whatever it printed; settings written before the command are its
    environment."""
    settings = dict(word.split("=", 1) for word in command if "=" in word and word[0] != "-")
    words = [w for w in command if "=" not in w or w[0] == "-"][1:]
    words += REDIRECTED.get(readme.program(command), [])

    done = run([STEPWISE, *words], folder, {**environment, **settings})

    assert done.returncode == 0, (shlex.join(command), done.stdout[-2000:], done.stderr[-2000:])
    assert "Traceback" not in done.stdout + done.stderr
    for option, written in pairwise(words):
        if option in ("--out", "--path"):  # the file it says it writes
            assert (folder / written).stat().st_size > 0, shlex.join(command)


def run(
    words: list[str], folder: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(words, cwd=folder, env=environment, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


@pytest.mark.parametrize("row", readme.table_commands(TEXT), ids=lambda r: r.split(" [")[0])
def test_each_command_in_the_table_takes_the_options_it_shows(row: str) -> None:
    words, options, _ = readme.synopsis(row)

    helped = CliRunner().invoke(cli, [*words, "--help"], env={"COLUMNS": "200"}, terminal_width=200)

    assert helped.exit_code == 0, (row, helped.output)
    assert [option for option in options if option not in helped.output] == [], helped.output
