"""Every part of the GraphQL schema says what it is: each type, field, argument, input field
and enum value carries a description a client's engineer can read in any GraphQL tool; and a
root field returning a list is paged, or says what bounds it."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from api.schema import schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(graphql: GraphQLSchema) -> list[str]:
    """Every type, field, argument, input field and enum value without a description, named
    as Type, Type.field, Type.field(argument) and Enum.VALUE."""
    missing = []
    for name, kind in graphql.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not _said(kind.description):
            missing.append(name)
        missing += _parts(name, kind)
    return missing


def _parts(name: str, kind: GraphQLNamedType) -> list[str]:
    if isinstance(kind, GraphQLEnumType):
        return [f"{name}.{value}" for value, enum_value in kind.values.items()
                if not _said(enum_value.description)]  # fmt: skip
    if isinstance(kind, GraphQLInputObjectType):
        return [f"{name}.{field}" for field, input_field in kind.fields.items()
                if not _said(input_field.description)]  # fmt: skip
    if not isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
        return []
    missing = []
    for field_name, field in kind.fields.items():
        if not _said(field.description):
            missing.append(f"{name}.{field_name}")
        missing += [f"{name}.{field_name}({arg})" for arg, argument in field.args.items()
                    if not _said(argument.description)]  # fmt: skip
    return missing


def _said(description: str | None) -> bool:
    return bool((description or "").strip())


def test_every_type_field_argument_input_field_and_enum_value_is_described() -> None:
    missing = undescribed(schema._schema)

    assert missing == [], f"{len(missing)} parts of the schema say nothing: {missing}"


def test_an_undescribed_argument_or_enum_value_is_named() -> None:
    """The check itself finds what it is for, on a schema with one of each left bare."""
    graphql = schema._schema
    query = graphql.query_type
    assert query is not None
    argument = query.fields["people"].args["first"]
    value = graphql.type_map["Role"].values["MANAGER"]  # type: ignore[attr-defined]
    kept = argument.description, value.description
    argument.description, value.description = None, ""
    try:
        missing = undescribed(graphql)
    finally:
        argument.description, value.description = kept

    assert missing == ["Query.people(first)", "Role.MANAGER"]


def test_every_root_list_is_paged_or_says_what_bounds_it() -> None:
    query = schema._schema.query_type
    assert query is not None
    fields = query.fields.items()

    unbounded = [name for name, field in fields
                 if isinstance(_nullable(field.type), GraphQLList)
                 and "not paged" not in (field.description or "")]  # fmt: skip
    unpaged = [name for name, field in fields
               if get_named_type(field.type).name.endswith("Connection")
               and not {"first", "after"} <= set(field.args)]  # fmt: skip

    assert unbounded == [], f"lists neither paged nor saying what bounds them: {unbounded}"
    assert unpaged == [], f"connections without first and after: {unpaged}"


def _nullable(kind: object) -> object:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind
