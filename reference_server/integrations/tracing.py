"""Distributed tracing: OpenTelemetry client spans whose context travels as a W3C ``traceparent`` header."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
TRACER_NAME = "reference_server"


def configure_tracing(service_name: str) -> bool:
    """Install an SDK tracer provider when none is configured yet, so spans get real trace ids.

    An application that configured OpenTelemetry itself (exporters, sampling) keeps its provider.
    Returns True when this call installed the provider.
    """
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:  # API-only install: spans stay no-op and no traceparent is sent
        return False
    trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": service_name})))
    return True


@contextmanager
def client_span(name: str, attributes: dict[str, str | int]) -> Iterator[tuple[Span, dict[str, str]]]:
    """Open a CLIENT span and yield it with the headers (``traceparent``/``tracestate``) that carry it."""
    tracer = trace.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
        headers: dict[str, str] = {}
        _PROPAGATOR.inject(headers)
        yield span, headers


@contextmanager
def operation_span(name: str) -> Iterator[Span]:
    """A span around one whole operation (a tool call): every outbound call inside it joins its trace."""
    tracer = trace.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(name, kind=SpanKind.INTERNAL) as span:
        yield span


def mark_error(span: Span, description: str) -> None:
    """Flag a span as failed."""
    span.set_status(Status(StatusCode.ERROR, description))
