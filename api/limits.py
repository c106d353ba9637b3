"""Limits on the work one GraphQL document may ask for, checked while it is validated, before
anything runs: each refusal has its own code.

- TOO_MANY_MUTATIONS: more mutations than allowed in one document (default one, so a refusal
  never hides what an earlier mutation of the same request wrote, and a retry is one request);
- TOO_MANY_ROOT_FIELDS: more root fields in one query;
- TOO_MANY_ALIASES: more aliased fields in the document (aliases multiply work cheaply);
- QUERY_TOO_DEEP: fields nested deeper than allowed (introspection fields are not counted, so
  GraphiQL and code generators keep working);
- QUERY_TOO_LARGE: more fields than allowed once every fragment is expanded (what execution
  would walk), measured with each fragment counted once, so the measure costs what the
  document is long, not what it would expand to (introspection is not counted either).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)


@dataclass(frozen=True)
class Limits:
    mutations: int = 1
    root_fields: int = 10
    aliases: int = 30
    depth: int = 10
    fields: int = 2_000


def limit_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The validation rules enforcing these limits."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments = {
                definition.name.value: definition
                for definition in context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            self.aliases = 0
            self.depths: dict[int, int] = {}  # by selection set (id of its node)
            self.sizes: dict[str, int] = {}  # by fragment: fields once expanded (capped)

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.aliases += 1
                if self.aliases == limits.aliases + 1:
                    self.refuse(
                        "TOO_MANY_ALIASES",
                        f"a document may alias at most {limits.aliases} fields",
                        node,
                    )

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            roots = [
                field
                for field in self.fields(node.selection_set)
                if not field.name.value.startswith("__")
            ]
            if node.operation == OperationType.MUTATION and len(roots) > limits.mutations:
                self.refuse(
                    "TOO_MANY_MUTATIONS",
                    f"send at most {limits.mutations} mutation(s) per request: one request per "
                    "change, each with its own idempotency key",
                    node,
                )
            elif node.operation == OperationType.QUERY and len(roots) > limits.root_fields:
                self.refuse(
                    "TOO_MANY_ROOT_FIELDS",
                    f"ask for at most {limits.root_fields} root fields per query; split it",
                    node,
                )
            depth = self.depth(node.selection_set)
            if depth > limits.depth:
                self.refuse(
                    "QUERY_TOO_DEEP",
                    f"fields may nest at most {limits.depth} deep (this asks for {depth})",
                    node,
                )

            size = self.size(node.selection_set)
            if size > limits.fields:
                self.refuse(
                    "QUERY_TOO_LARGE",
                    f"a document may ask for at most {limits.fields} fields once its fragments "
                    "are expanded; this asks for more: ask for fewer, or page",
                    node,
                )

        def size(self, selections: SelectionSetNode | None) -> int:
            """Fields once every fragment is expanded, counted no higher than just over the
            limit: each fragment's own count is kept, so none is walked twice."""
            total = 0
            for selection in selections.selections if selections else ():
                if isinstance(selection, FieldNode):
                    if selection.name.value not in ("__schema", "__type"):
                        total += 1 + self.size(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    total += self.size(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    total += self.fragment_size(selection.name.value)
                if total > limits.fields:
                    return limits.fields + 1
            return total

        def fragment_size(self, name: str) -> int:
            if name not in self.sizes:
                self.sizes[name] = 0  # while it is counted: a cycle adds nothing (and is refused)
                fragment = self.fragments.get(name)
                self.sizes[name] = self.size(fragment.selection_set) if fragment else 0
            return self.sizes[name]

        def fields(self, selections: SelectionSetNode) -> list[FieldNode]:
            """The fields of a selection set, with those of its fragments: each fragment taken
            once, however often it is spread, so a document of fragments spreading fragments
            costs what it is long, not what it would expand to (and a cycle ends)."""
            found: list[FieldNode] = []
            taken: set[str] = set()
            pending = [selections]
            while pending:
                for selection in pending.pop().selections:
                    if isinstance(selection, FieldNode):
                        found.append(selection)
                    elif isinstance(selection, InlineFragmentNode):
                        pending.append(selection.selection_set)
                    elif isinstance(selection, FragmentSpreadNode):
                        name = selection.name.value
                        fragment = self.fragments.get(name)
                        if fragment is not None and name not in taken:
                            taken.add(name)
                            pending.append(fragment.selection_set)
            return found

        def depth(self, selections: SelectionSetNode | None, within: int = 0) -> int:
            """How deep fields nest below a selection set (each set measured once)."""
            if selections is None:
                return 0
            known = self.depths.get(id(selections))
            if known is not None:
                return known
            if within > limits.depth:
                return within  # deep enough to refuse; a fragment cycle stops here too
            deepest = 0
            for field in self.fields(selections):
                if field.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(field.selection_set, within + 1))
                if deepest > limits.depth:
                    break
            self.depths[id(selections)] = deepest
            return deepest

        def refuse(self, code: str, message: str, node: Any) -> None:
            self.report_error(GraphQLError(message, node, extensions={"code": code}))

    return [DocumentLimits]
