"""Upstream-service probes, decided by the requests that reach the grader's stub servers (never by timing)."""

from __future__ import annotations

from typing import Any

from mcptest.grading import plan
from mcptest.grading.context import GradingContext
from mcptest.grading.outcome import Miss
from mcptest.grading.probes import probe
from mcptest.grading.submission import RunningServer, ServerFailure, ToolOutcome
from mcptest.grading.tools import call, find_record, prepared
from mcptest.launch.wait import wait_until

HELD_SECONDS = 20.0  # how long the stub holds a "slow" answer (it is released when the stub stops)


def api(server: RunningServer, service: str, endpoint: str, method: str = "GET", timeout: float | None = None,
        **extra: Any) -> ToolOutcome:
    """``api_request`` to one of the grader's services."""
    return call(server, "api_request", {"service": service, "method": method, "endpoint": endpoint, **extra},
                timeout)


def _configured(ctx: GradingContext) -> RunningServer:
    ctx.require_configurable()
    return ctx.server("main")


@probe("retry-to-success")
def retry_to_success(ctx: GradingContext) -> None:
    """A GET that fails twice (HTTP 503) and then succeeds is retried until it succeeds."""
    server = _configured(ctx)
    route = ctx.stub("main").route("GET", "/weather/forecast", json={"forecast": "sunny", "probe": "retry"},
                                   fail_times=2)
    outcome = api(server, "weather", "/forecast")
    reached = route.call_count
    if outcome.is_error:
        raise Miss(f"api_request gave up after {reached} request(s) although the service answered 503, 503 "
                   f"and then 200: {outcome.describe()}")
    if find_record(outcome.payload, "forecast") is None:
        raise Miss(f"api_request succeeded but its result does not contain the service's JSON body: "
                   f"{outcome.describe()}")


@probe("no-post-replay")
def no_post_replay(ctx: GradingContext) -> None:
    """A POST that fails with HTTP 503 is not sent again (unless every copy carries one Idempotency-Key)."""
    server = _configured(ctx)
    route = ctx.stub("main").route("POST", "/billing/invoices", status=201, json={"id": "inv-1"}, fail_times=5)
    outcome = api(server, "billing", "/invoices", method="POST", data={"customer": "c-1", "amount": 42})
    calls = route.calls
    if not calls:
        raise Miss(f"the POST never reached the service: {outcome.describe()}")
    keys = {request.headers.get("idempotency-key") for request in calls}
    if len(calls) > 1 and (None in keys or len(keys) > 1):
        raise Miss(f"a POST that failed with HTTP 503 was sent {len(calls)} times without one Idempotency-Key "
                   "(a replayed POST can charge or create twice)")
    if not outcome.is_error and len(calls) == 1:
        raise Miss(f"api_request reported success although the service answered HTTP 503: {outcome.describe()}")


def _failing(ctx: GradingContext, service: str) -> None:
    spec = plan.SERVICES[service]
    for key in spec.stubs:
        ctx.stub(key).route("GET", f"{spec.prefix}/status", status=503, json={"error": "service down"})


def open_circuit(ctx: GradingContext, service: str, max_calls: int = 12) -> RunningServer:
    """Call a service that always answers 503 until two calls in a row fail without reaching it (Miss if never)."""
    server = _configured(ctx)
    flag = f"circuit-open:{service}"
    if ctx.scratch.get(flag):
        return server
    _failing(ctx, service)
    streak, history = 0, []
    for _ in range(max_calls):
        before = len(ctx.requests_to(service, "/status"))
        outcome = api(server, service, "/status")
        sent = len(ctx.requests_to(service, "/status")) - before
        history.append(sent)
        if not outcome.is_error:
            raise Miss(f"api_request reported success although every instance answers 503: {outcome.describe()}")
        streak = streak + 1 if sent == 0 and len(ctx.requests_to(service, "/status")) else 0
        if streak >= 2:
            ctx.scratch[flag] = True
            return server
    spec = plan.SERVICES[service]
    raise Miss(f"after {max_calls} failing calls ({sum(history)} requests reached the service, per call: {history}) "
               f"calls still reach a service that always fails; CIRCUIT_FAILURE_THRESHOLD_{spec.suffix} was "
               f"{spec.threshold}")


@probe("circuit-opens")
def circuit_opens(ctx: GradingContext, service: str = "fragile") -> None:
    """A service that keeps failing trips the breaker: later calls fail at once without reaching it."""
    open_circuit(ctx, service)


@probe("circuit-closes")
def circuit_closes(ctx: GradingContext, service: str = "fragile", grace: float = 10.0) -> None:
    """Once the reset timeout has passed, a probe request goes through and a success closes the circuit."""
    try:
        server = open_circuit(ctx, service)
    except Miss as miss:
        raise Miss("the circuit never opened, so it cannot close again (see circuit-opens)", miss.evidence) from None
    spec = plan.SERVICES[service]
    for key in spec.stubs:
        ctx.stub(key).route("GET", f"{spec.prefix}/status", json={"status": "recovered"})
    before = len(ctx.requests_to(service, "/status"))
    last: list[ToolOutcome] = []

    def recovered() -> bool:
        last[:] = [api(server, service, "/status")]
        return not last[0].is_error

    waited = (spec.reset or 0) + grace
    if wait_until(recovered, waited, interval=0.2):
        reached = len(ctx.requests_to(service, "/status")) - before
        raise Miss(f"the circuit never closed: for {waited:g} s after the service recovered, calls kept failing "
                   f"({reached} request(s) reached it; CIRCUIT_RESET_TIMEOUT_{spec.suffix}={spec.reset:g}); "
                   f"last: {last[0].describe() if last else 'no call'}")
    ctx.scratch.pop(f"circuit-open:{service}", None)
    before = len(ctx.requests_to(service, "/status"))
    again = api(server, service, "/status")
    if again.is_error or len(ctx.requests_to(service, "/status")) == before:
        raise Miss(f"after one successful probe the circuit did not stay closed: {again.describe()}")


@probe("responsive")
def responsive(ctx: GradingContext, wait: float = 8.0) -> None:
    """While one call waits on a slow service, the server still answers other requests."""
    server = _configured(ctx)
    ctx.stub("slow").route("GET", "/stall/report", json={"report": "late"}, delay=HELD_SECONDS)
    before = len(ctx.requests_to("stall", "/report"))
    pending = server.start_call(*prepared(server, "api_request",
                                          {"service": "stall", "method": "GET", "endpoint": "/report"}))
    try:
        if wait_until(lambda: len(ctx.requests_to("stall", "/report")) > before or pending.done(), wait):
            raise Miss(f"api_request to the slow service did not reach it within {wait:g} s")
        if pending.done() and len(ctx.requests_to("stall", "/report")) == before:
            raise Miss(f"api_request to the slow service ended without reaching it: {pending.result().describe()}")
        try:
            server.ping(timeout=wait)
        except ServerFailure:
            ctx.restart_stub("slow")  # release the held answer so the blocked server can go on
            raise Miss(f"while api_request waited on a service that answers after {HELD_SECONDS:g} s, the server "
                       f"did not answer a ping within {wait:g} s: the event loop was blocked") from None
    finally:
        pending.cancel()


@probe("service-timeout")
def service_timeout(ctx: GradingContext, bound: float = 15.0) -> None:
    """``SERVICE_TIMEOUT_SLOW=1``: a service that holds its answer makes the call fail well before the stub answers."""
    server = _configured(ctx)
    ctx.stub("slow").route("GET", "/slow/report", json={"report": "late"}, delay=HELD_SECONDS)
    before = len(ctx.requests_to("slow", "/report"))
    try:
        outcome = api(server, "slow", "/report", timeout=bound)
    except ServerFailure:
        ctx.restart_stub("slow")
        raise Miss(f"with SERVICE_TIMEOUT_SLOW={plan.SERVICES['slow'].timeout:g} the call to a service that "
                   f"answers after {HELD_SECONDS:g} s was still waiting after {bound:g} s") from None
    if len(ctx.requests_to("slow", "/report")) == before:
        raise Miss(f"api_request never reached the service 'slow': {outcome.describe()}")
    if not outcome.is_error:
        raise Miss(f"api_request did not fail although the service did not answer in time: {outcome.describe()}")


@probe("api-keys")
def api_keys(ctx: GradingContext) -> None:
    """``API_KEY_<SERVICE>`` reaches that service (all its instances) and no other service."""
    server = _configured(ctx)
    main = ctx.stub("main")
    main.route("GET", "/weather/today", json={"today": "rain"})
    for key in ("main", "second"):
        ctx.stub(key).route("GET", "/catalog/keys", json={"ok": True})
    main.route("GET", "/billing/keys", json={"ok": True})
    for service, endpoint in (("weather", "/today"), ("catalog", "/keys"), ("catalog", "/keys"), ("billing", "/keys")):
        outcome = api(server, service, endpoint)
        if outcome.is_error:
            raise Miss(f"api_request to {service} failed: {outcome.describe()}")
    keys = {name: spec.api_key for name, spec in plan.SERVICES.items() if spec.api_key}
    for service in ("weather", "catalog", "billing"):
        for request in ctx.requests_to(service, "/today" if service == "weather" else "/keys"):
            carried = {name for name, key in keys.items() if any(key in value for value in request.headers.values())}
            wanted = {service} if service in keys else set()
            if carried != wanted:
                got = ", ".join(sorted(carried)) or "none"
                raise Miss(f"a request to {service} carried the API key(s) of: {got} (expected "
                           f"{'its own API_KEY_' + plan.SERVICES[service].suffix if wanted else 'none'})")

