"""The schema other systems build against is published as api/schema.graphql, and a change that
would break them is named before it ships."""

from __future__ import annotations

from api.published_schema import EXPORT_COMMAND, PUBLISHED, compare, current_sdl, report

PUBLISHED_SDL = """
type Query {
  plan(personId: ID!): Plan
}

type Plan {
  status: String!
  reason: String
  hoursPerWeek: Float
}
"""


def test_the_published_schema_is_the_one_the_code_serves() -> None:
    assert PUBLISHED.read_text(encoding="utf-8") == current_sdl(), (
        f"{PUBLISHED} differs from the code's schema: run `{EXPORT_COMMAND}` "
        "(`stepwise schema check` first says whether clients would break)"
    )


def test_the_code_makes_no_change_to_the_published_schema() -> None:
    changes = compare(PUBLISHED.read_text(encoding="utf-8"), current_sdl())

    assert changes.breaking == [], f"run `{EXPORT_COMMAND}` if intended"
    assert changes.dangerous == [], f"run `{EXPORT_COMMAND}` if intended"


def test_removing_a_field_breaks_clients() -> None:
    changes = compare(PUBLISHED_SDL, PUBLISHED_SDL.replace("  reason: String\n", ""))

    assert changes.breaking == ["Field Plan.reason was removed."]


def test_a_newly_required_argument_breaks_clients() -> None:
    changes = compare(PUBLISHED_SDL, PUBLISHED_SDL.replace("ID!)", "ID!, asOf: String!)"))

    assert changes.breaking == ["A required argument Query.plan(asOf:) was added."]


def test_an_added_optional_argument_breaks_nothing_but_is_named() -> None:
    changes = compare(PUBLISHED_SDL, PUBLISHED_SDL.replace("ID!)", "ID!, asOf: String)"))

    assert changes.breaking == []
    assert changes.dangerous == ["An optional argument Query.plan(asOf:) was added."]


def test_an_added_field_is_no_change_a_client_could_notice() -> None:
    changes = compare(PUBLISHED_SDL, PUBLISHED_SDL.replace("Float\n", "Float\n  note: String\n"))

    assert not changes


def test_the_check_fails_on_a_breaking_change_and_says_what_to_do_next() -> None:
    lines, breaking = report(PUBLISHED_SDL, PUBLISHED_SDL.replace("  status: String!\n", ""))

    assert breaking
    assert "  - Field Plan.status was removed." in lines
    assert f"run `{EXPORT_COMMAND}`" in lines[-1]
    assert "release notes" in lines[-1]


def test_the_check_passes_a_harmless_change_yet_asks_for_it_to_be_published() -> None:
    lines, breaking = report(PUBLISHED_SDL, PUBLISHED_SDL.replace("ID!)", "ID!, asOf: String)"))

    assert not breaking
    assert f"run `{EXPORT_COMMAND}` to publish it" in lines[-1]
