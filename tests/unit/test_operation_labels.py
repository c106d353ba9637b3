"""How /metrics and the request log name a GraphQL operation: by its name; an anonymous one by
its root fields; and never more distinct names than the setting allows."""

from __future__ import annotations

import pytest
from graphql import parse

from api.observed import OperationNames, operation_label


@pytest.mark.parametrize(
    ("document", "asked_for", "label"),
    [
        ("query PlanForReview { people { pageInfo { hasNextPage } } }", None, "PlanForReview"),
        ("{ supportPlan(personId: 1) { version } person(id: 1) { id } }", None,
         "{person,supportPlan}"),
        ("{ a: person(id: 1) { id } b: person(id: 2) { id } }", None, "{person}"),
        ("{ a { id } b { id } c { id } d { id } }", None, "anonymous"),
        ("query One { a { id } } query Two { b { id } }", "Two", "Two"),
        ("query One { a { id } } query Two { b { id } }", None, "none"),
        ("query One { a { id } }", "Three", "none"),
    ],
)  # fmt: skip
def test_an_operation_is_labelled_by_its_name_or_else_its_root_fields(
    document: str, asked_for: str | None, label: str
) -> None:
    assert operation_label(parse(document), asked_for) == label


def test_no_document_is_labelled_none() -> None:
    assert operation_label(None, None) == "none"


def test_names_beyond_the_most_counted_are_other_and_known_ones_keep_their_name() -> None:
    names = OperationNames(most=2)

    labels = [names.label(name) for name in ("A", "B", "C", "A", "none", "D")]

    assert labels == ["A", "B", "other", "A", "none", "other"]
