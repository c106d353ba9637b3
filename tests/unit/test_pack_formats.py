"""Evidence packs write times in the reader's zone and locale (settings refused unless they
name a real one), and plan values as a reader reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from api.packs.render import Formats, shown
from infra.settings import Settings


@pytest.mark.parametrize(("setting", "value"), [("pack_timezone", "Mars/Olympus"),
                                                 ("pack_locale", "xx_NOPE")])  # fmt: skip
def test_an_unknown_zone_or_locale_is_refused(setting: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, **{setting: value})
    assert refused.value.errors()[0]["loc"] == (setting,)


def test_times_are_shown_in_the_reader_s_zone_and_locale() -> None:
    summer = datetime(2026, 5, 14, 13, 10, tzinfo=UTC)

    london = Formats("Europe/London", "en_GB")
    welsh = Formats("Europe/London", "cy_GB")

    assert london.when(summer) == "14 May 2026, 14:10:00 BST"
    assert london.day("2026-05-14") == "14 May 2026"
    assert welsh.day("2026-05-14") == "14 Mai 2026"


def test_plan_values_read_as_a_reader_reads_them() -> None:
    assert shown(None) == "(none)"
    assert shown({"stageId": "s-1", "title": "Pops his own dose"}) == "Pops his own dose"
    assert shown(["Phone charged", "Texts when home"]) == "Phone charged; Texts when home"
    assert shown(14.0) == "14.0"
