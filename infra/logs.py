"""How every process logs: to stderr, one JSON object per line (for a log collector) or plain
text (for a person at a terminal), at the level the settings name; uvicorn's own records go
the same way."""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from infra.settings import Settings

HANDLER = "stepwise"  # the name of the handler installed here, so it is replaced, not doubled
TEXT = "%(asctime)s %(name)s %(levelname)s %(message)s"
# Renamed from the record's attribute names to what log collectors look for.
JSON_NAMES = {"levelname": "level", "name": "logger"}


def json_formatter() -> logging.Formatter:
    # `time`: when the record was made, in UTC, ISO 8601 with microseconds. uvicorn's
    # terminal-coloured copy of its message is left out.
    return JsonFormatter("%(levelname)s %(name)s %(message)s", rename_fields=JSON_NAMES,
                         timestamp="time", reserved_attrs=[*RESERVED_ATTRS, "color_message"],
                         )  # fmt: skip


def uses_json(settings: Settings) -> bool:
    if settings.log_format == "auto":
        return not sys.stderr.isatty()
    return settings.log_format == "json"


def configure_logging(settings: Settings) -> None:
    """Installs the stderr handler on the root logger, unless something else already handles
    logging there (a test runner capturing logs): as logging.basicConfig would."""
    root = logging.getLogger()
    others = [handler for handler in root.handlers if handler.get_name() != HANDLER]
    if others:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER)
    handler.setFormatter(json_formatter() if uses_json(settings) else logging.Formatter(TEXT))
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's loggers hand their records to the root logger (configured above, in each
    process); its access log is off, replaced by the request line of api.observed."""
    passed_on = {"handlers": [], "propagate": True, "level": settings.log_level}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            "uvicorn": passed_on,
            "uvicorn.error": passed_on,
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
