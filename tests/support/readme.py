"""The README's examples as the suite runs them: each fenced block, with the note written on the
line before it as an HTML comment (GitHub does not render it), which says how it is run:

    <!-- example: as manager; about Amira Hassan -->       a GraphQL example: whose token, and
                                                           which demo person its "…" ids name
    <!-- example: as manager; refused VALIDATION_FAILED plan.hours.no_change -->
                                                           it must fail with this code (and rule)
    <!-- example: as manager; empty repeatReviews -->      root fields the demo answers with
                                                           nothing (any other must answer something)
    <!-- example: answer in data.planHistory.edges.node -->
                                                           a JSON block after a GraphQL example:
                                                           one of the values at that path of the
                                                           response (`answer`: the response)
    <!-- example: not run: REASON -->                      a block that cannot be run as written

Shell blocks need no note: each command in them is run (`stepwise ...` as a process, `curl` as a
request to the app), or listed in the test as skipped by design with its reason. A block without
a language (a diagram) is not an example."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^```(\S*)\s*$")
NOTE = re.compile(r"^<!--\s*example:(?P<note>.*?)-->\s*$")
SHELLS = {"sh", "bash"}
# The day the demo was loaded when the examples' dates were chosen, as the README states it.
LOADED_ON = re.compile(r"demo as loaded on (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Note:
    role: str | None = None
    person: str | None = None
    refused: tuple[str, ...] = ()  # the error code, then the rule if it names one
    answer_in: str | None = None
    empty: tuple[str, ...] = ()
    not_run: str | None = None


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    note: Note | None

    @property
    def where(self) -> str:
        return f"README.md line {self.line}"


def read_note(text: str) -> Note:
    """The note's parts, separated by `;`; an unknown part is an error, not something ignored."""
    text = text.strip()
    if text.startswith("not run:"):
        return Note(not_run=text.removeprefix("not run:").strip())
    found: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        keyword, _, rest = part.partition(" ")
        if keyword == "as":
            found["role"] = rest.strip()
        elif keyword == "about":
            found["person"] = rest.strip()
        elif keyword == "refused":
            found["refused"] = tuple(rest.split())
        elif keyword == "empty":
            found["empty"] = tuple(rest.split())
        elif keyword == "answer":
            found["answer_in"] = rest.removeprefix("in").strip() or "."
        else:
            raise ValueError(f"unknown part of an example's note: {part!r}")
    return Note(**found)  # type: ignore[arg-type]


def blocks(text: str) -> list[Block]:
    """Every fenced block that has a language, in the order written."""
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        if language := opening.group(1):
            before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            note = NOTE.match(before.strip())
            body = "\n".join(lines[index + 1 : end])
            found.append(
                Block(index + 1, language, body, read_note(note["note"]) if note else None)
            )
        index = end + 1
    return found


def commands(block: Block) -> list[list[str]]:
    """Each command of a shell block as its words: lines continued with `\\` joined, comments
    and blank lines left out."""
    joined = re.sub(r"\\\n", " ", block.text)
    return [words for line in joined.splitlines() if (words := shlex.split(line, comments=True))]


def loaded_on(text: str) -> str:
    found = LOADED_ON.search(text)
    if found is None:
        raise ValueError("README.md no longer says on which day the examples' demo was loaded")
    return found.group(1)


def program(words: list[str]) -> tuple[str, ...]:
    """The command's name and subcommands, without settings before it or the venv's path."""
    words = [w for w in words if "=" not in w or w.startswith("-")]
    return (Path(words[0]).name, *(w for w in words[1:3] if not w.startswith("-")))


def unexplained(found: list[Block], known: Callable[[list[str]], bool]) -> list[str]:
    """What each block that does not say how it is checked lacks; `known`: whether the suite
    runs or skips a command."""
    lacking = []
    for block in found:
        note = block.note
        if block.language in SHELLS:
            lacking += [f"{block.where}: `{shlex.join(words)}` is neither run nor skipped: list "
                        "it in the test's SKIPPED with why" for words in commands(block)
                        if not known(words)]  # fmt: skip
        elif note is None or note.not_run == "":
            lacking.append(f"{block.where}: a ```{block.language} block with no note")
        elif note.not_run:
            continue
        elif block.language == "graphql" and not note.role:
            lacking.append(f"{block.where}: say whose token runs it (`as manager`)")
        elif block.language == "json" and not note.answer_in:
            lacking.append(f"{block.where}: say where in the answer it is (`answer in a.b`)")
        elif block.language not in ("graphql", "json"):
            lacking.append(f"{block.where}: a ```{block.language} block is `not run: why`")
    return lacking


def curl_request(words: list[str], authorization: str) -> tuple[dict[str, str], str, str]:
    """The headers, URL and output file (or "") of a `curl` command, with `$TOKEN` as the
    given token."""
    headers, url, output, rest = {}, "", "", iter(words[1:])
    for word in rest:
        if word == "-H":
            name, _, value = next(rest).partition(": ")
            headers[name] = value.replace("Bearer $TOKEN", authorization)
        elif word == "-o":
            output = next(rest)
        elif not word.startswith("-"):
            url = word.replace("\\$", "$")  # as the shell reads it inside double quotes
    return headers, url, output


def table_commands(text: str) -> list[str]:
    """The synopses in the README's table of commands, e.g. `stepwise demo`."""
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(stepwise [^`]*)` \|", section, flags=re.MULTILINE)


def synopsis(row: str) -> tuple[list[str], list[str], bool]:
    """The command's words, every option the row names (`[--from DAY]`: `--from`), and whether
    it runs as it is, with none of them (nothing but optional parts follow its words)."""
    words = list(takewhile(lambda word: re.fullmatch(r"[a-z]+", word), row.split()[1:]))
    rest = row.split()[1 + len(words) :]
    optional = re.sub(r"\[[^\]]*\]", "", " ".join(rest)).strip() == ""
    return words, re.findall(r"--[a-z][a-z-]*", row), optional
