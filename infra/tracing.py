"""Optional OpenTelemetry tracing of HTTP requests, off unless a collector is named: by
STEPWISE_OTEL_ENDPOINT, or by OpenTelemetry's own OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT. It needs
the `tracing` extra, which a plain install leaves out."""

from __future__ import annotations

import os
from importlib.util import find_spec
from typing import Any

from infra.settings import Settings

STANDARD = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
INSTALL = "pip install 'stepwise[tracing]'"
NEEDED = ("opentelemetry.sdk", "opentelemetry.instrumentation.fastapi",
          "opentelemetry.exporter.otlp.proto.http")  # fmt: skip
UNTRACED = "health,ready,metrics"  # probes and scrapes: many, and of no interest in a trace


class TracingNotInstalled(Exception):
    pass


def asked_by(settings: Settings) -> str | None:
    """The variable that switches tracing on, if one does."""
    if settings.otel_endpoint:
        return "STEPWISE_OTEL_ENDPOINT"
    return next((name for name in STANDARD if os.environ.get(name)), None)


def missing(settings: Settings) -> str | None:
    """Why tracing, though asked for, cannot start (None: not asked for, or installed)."""
    variable = asked_by(settings)
    if variable is None or all(_installed(module) for module in NEEDED):
        return None
    return f"{variable} is set but tracing is not installed: {INSTALL}"


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is absent
        return False


def trace(app: Any, settings: Settings) -> None:
    """Sends a span per request (FastAPI's instrumentation) to the collector, if asked."""
    if asked_by(settings) is None:
        return
    if (problem := missing(settings)) is not None:
        raise TracingNotInstalled(problem)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME", "stepwise")
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    # Without our setting the exporter reads OpenTelemetry's own variables.
    endpoint = traces_url(settings.otel_endpoint) if settings.otel_endpoint else None
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED)


def traces_url(endpoint: str) -> str:
    """The collector's base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it, to its traces path."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"
