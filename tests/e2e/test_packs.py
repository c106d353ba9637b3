"""A person's evidence pack as an inspector gets it: one HTML page that opens in a browser with
no network (checked in headless Chromium, Debian's package), and a PDF of it (turned into PNG
pages and read back); scoped, consent-gated and logged like every read."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from infra.bootstrap import Runtime
from infra.cli.app import cli
from infra.demo import DEMO_TENANT, STAFF, load_demo
from tests.e2e.helpers import (
    MANAGER,
    OTHER_PROVIDER,
    TENANT,
    TENANT_ADMIN,
    WAIT_FOR_POSITION,
    Api,
    Staff,
    agreed_plan,
    register,
)
from tests.e2e.helpers import last_position as logged_up_to
from tests.support.chromium import installed_chromium, offline

HELEN = Staff(STAFF["helen"].id, STAFF["helen"].name, "manager", tenant=DEMO_TENANT)
SECTIONS = ("The support plan", "How the plan changed", "Progression by outcome",
            "Reviews, and the person's part in them", "Positive risk-taking and restrictions",
            "Incidents: what was in force when each happened", "Chronology",
            "Integrity")  # fmt: skip
ACCESS_LOG = """query($p: ID!) { accessLog(personId: $p, first: 100) {
  edges { node { field outcome purpose actor { id } } } } }"""


def pack(api: Api, person: str, reader: Staff = HELEN, **params: str) -> Any:
    headers = {**reader.headers(), WAIT_FOR_POSITION: str(api.last_written),
               "X-Stepwise-Purpose": "Inspection, December"}  # fmt: skip
    return api.client.get(f"/packs/person/{person}", params=params, headers=headers)


@pytest.fixture
def demo(api: Api, runtime: Runtime) -> list[str]:
    people = load_demo(runtime)
    api.reader, api.last_written = HELEN, logged_up_to(api)
    return people


def rendered_in_chromium(html: str, folder: Path) -> str:
    """The page's DOM once headless Chromium has loaded it from a file, with its network
    switched off: what a reader's browser shows, scripts and all."""
    page = folder / "pack.html"
    page.write_text(html, encoding="utf-8")
    ran = subprocess.run(
        [installed_chromium(), "--headless", *offline(),
         f"--user-data-dir={folder / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return ran.stdout


def test_the_demo_person_s_pack_opens_offline_with_its_sections_and_charts(
    api: Api, demo: list[str], tmp_path: Path
) -> None:
    daniel = demo[0]
    answer = pack(api, daniel)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    # Nothing to fetch: no source or link but to its own sections, no imported styles.
    assert re.findall(r'(?:src|href)="(?!#)[^"]*"', html) == [] and "@import" not in html

    dom = rendered_in_chromium(html, tmp_path)

    assert "Evidence pack: Daniel Price" in dom
    for section in SECTIONS:
        assert f"{section}</h2>" in dom, section
    assert dom.count("<svg") >= 1  # a progression chart per outcome with evidence
    assert 'role="img" aria-label="Line chart of Takes his morning medication' in dom
    assert 'aria-label="Line chart of the weekly support hours the plan set' in dom
    assert "stepwise audit verify" in dom
    assert "In their words: “I don" in dom  # a review, with Daniel's own words
    amira = pack(api, demo[1]).text  # the demo's incident, and what was in force then
    assert "In the person's words: “I got scared when the bus went a different way" in amira
    assert "In force when it happened: as recorded then" in amira
    # Who produced it and why, in the access log; a role that may not read it, refused.
    refused = pack(api, daniel, TENANT_ADMIN)
    log = [edge["node"] for edge in api.query(ACCESS_LOG, {"p": daniel})["accessLog"]["edges"]]
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "rule": "access.role"}
    assert {"field": "pack/person", "outcome": "READ", "purpose": "Inspection, December",
            "actor": {"id": HELEN.id}} in log  # fmt: skip


def test_the_pdf_is_the_same_pack_in_pages(api: Api, demo: list[str], tmp_path: Path) -> None:
    answer = pack(api, demo[0], format="pdf", **{"from": "2026-01-01"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"

    document = pdfium.PdfDocument(answer.content)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    for number, page in enumerate(document):
        page.render(scale=1).to_pil().save(tmp_path / f"page-{number + 1}.png")

    assert len(document) >= 5
    assert len(list(tmp_path.glob("page-*.png"))) == len(document)
    assert "Evidence pack: Daniel Price" in text and f"Page 1 of {len(document)}" in text
    for section in SECTIONS:
        assert section in text, section


def test_a_pack_is_scoped_and_bad_input_refused_with_the_rules_broken(api: Api) -> None:
    daniel = register(api, "Daniel")
    other = pack(api, daniel, OTHER_PROVIDER)
    own = pack(api, daniel, MANAGER)
    bad = pack(api, daniel, MANAGER, **{"from": "2026-05-01", "to": "2026-04-01", "format": "docx"})
    unknown = pack(api, daniel, MANAGER, colour="red")
    unsigned = api.client.get(f"/packs/person/{daniel}")

    assert other.status_code == 404 and own.status_code == 200
    assert bad.status_code == 400
    assert [v["rule"] for v in bad.json()["errors"][0]["extensions"]["violations"]] == [
        "input.pack.format"]  # fmt: skip
    assert unknown.status_code == 400 and "input.pack.parameter" in unknown.text
    assert unsigned.status_code == 401


def test_the_command_writes_the_pack_and_logs_it(
    api: Api, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = agreed_plan(api)
    assert runtime.wait_for_position(api.last_written, 10)
    settings = runtime.settings
    monkeypatch.setenv("STEPWISE_DATABASE_URL", settings.database_url)
    if settings.database_schema:
        monkeypatch.setenv("STEPWISE_DATABASE_SCHEMA", settings.database_schema)
    out = tmp_path / "daniel.html"

    result = CliRunner().invoke(cli, ["pack", "person", plan.person_id, "--purpose",
                                      "Safeguarding", "--out", str(out)])  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Evidence pack: Ruth Evans" in out.read_text(encoding="utf-8")

    monkeypatch.setenv("STEPWISE_PACK_ROWS_PER_LIST", "3")  # a pack stays bounded
    short = tmp_path / "short.html"
    result = CliRunner().invoke(cli, ["pack", "person", plan.person_id, "--purpose",
                                      "Safeguarding", "--out", str(short)])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = short.read_text(encoding="utf-8")
    assert f"The 3 most recent of {plan.version} versions are listed" in page
    assert re.search(r"The 3 most recent of \d+ facts are listed", page)
    api.reader = MANAGER
    log = [e["node"] for e in api.query(ACCESS_LOG, {"p": plan.person_id})["accessLog"]["edges"]]
    assert any(e["field"] == "pack/person" and e["purpose"] == "Safeguarding" for e in log)

    service = tmp_path / "svc-1.html"
    result = CliRunner().invoke(cli, ["pack", "service", "svc-1", "--tenant", TENANT,
                                      "--purpose", "Audit", "--out", str(service)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Service pack: svc-1" in service.read_text(encoding="utf-8")


def test_the_demo_service_s_pack_shows_each_area_by_team_with_trends_and_the_records_behind(
    api: Api, demo: list[str], tmp_path: Path
) -> None:
    service = "riverside-supported-living"
    answer = api.client.get(f"/packs/service/{service}", params={"from": "2026-06-01"},
                            headers={**HELEN.headers(), WAIT_FOR_POSITION: str(api.last_written),
                                     "X-Stepwise-Purpose": "Inspection, December"})  # fmt: skip
    assert answer.status_code == 200, answer.text

    dom = rendered_in_chromium(answer.text, tmp_path)
    printed = api.client.get(f"/packs/service/{service}", params={"format": "pdf"},
                             headers=HELEN.headers())  # fmt: skip
    text = "\n".join(page.get_textpage().get_text_range()
                     for page in pdfium.PdfDocument(printed.content))  # fmt: skip
    log = [edge["node"] for edge in api.query(ACCESS_LOG, {"p": demo[0]})["accessLog"]["edges"]]

    assert f"Service pack: {service}" in dom
    for area in ("Review timeliness", "Restrictive practice", "Care-plan audit", "Progression",
                 "Language", "Workforce", "Incidents", "Integrity"):  # fmt: skip
        assert f"{area}</h2>" in dom, area
    assert "riverside-east</th>" in dom and "riverside-west</th>" in dom  # teams side by side
    assert dom.count("<svg") >= 3  # monthly trends
    # Competency coverage and restrictions in force, as they stood at each month's end.
    assert (
        "Staff holding no current competency sign-off, out of those working (at each month" in dom
    )
    assert "Restrictions in force (at each month" in dom
    assert "Behind “" in dom and "Daniel Price" in dom  # the records behind a figure, named
    assert printed.status_code == 200 and f"Service pack: {service}" in text
    assert any(e["field"] == "pack/service" and e["purpose"] == "Inspection, December"
               for e in log)  # fmt: skip
