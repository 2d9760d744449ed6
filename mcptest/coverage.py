"""Which protocol versions a run checks: probe both eras the way the spec tells clients to, then discover each."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from mcptest.state import VersionState
from mcptest.connect import ServerHandle
from mcptest.discovery import DiscoveryError, Surface, discover, discover_modern, initialize, probe_modern
from mcptest.spec.versions import HANDSHAKE, KNOWN, LATEST_HANDSHAKE, MODERN
from mcptest.wire import Wire, WireError

LEGACY_VERSION = "2024-11-05"
"""The version that defines the HTTP+SSE transport: ``auto`` on an sse target checks it besides the negotiated one."""
LEGACY_NOT_MODERN = ("not checked: the legacy HTTP+SSE transport belongs to the handshake era (2026-07-28 servers "
                     "speak stdio or streamable HTTP)")


@dataclass
class Coverage:
    """The versions a run checks (each with its state) and, for every other known version, why not."""

    states: dict[str, VersionState] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    spares: dict[str, Wire] = field(default_factory=dict)

    @property
    def versions(self) -> list[str]:
        """The checked versions, oldest first."""
        return sorted(self.states)

    def error(self) -> str | None:
        """Why nothing could be checked, or None when at least one version is covered."""
        if self.states:
            return None
        reasons = list(dict.fromkeys(self.skipped.values()))
        return "; ".join(reasons) if reasons else "no protocol version could be checked"

    def close(self) -> None:
        for wire in self.spares.values():
            wire.close()
        self.spares.clear()


def cover(handle: ServerHandle, protocol: str) -> Coverage:
    """Probe ``handle``'s server per ``protocol`` (auto, all or one version) and discover every covered version."""
    coverage = Coverage()
    legacy = handle.transport == "sse"
    wants_handshake = protocol in ("auto", "all") or protocol in HANDSHAKE
    wants_modern = (protocol in ("auto", "all") or protocol in MODERN) and not legacy
    if legacy:
        coverage.skipped[MODERN[-1]] = LEGACY_NOT_MODERN
    offer = protocol if protocol in HANDSHAKE else LATEST_HANDSHAKE
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="mcptest-probe") as pool:
        handshake = pool.submit(_handshake, handle, offer) if wants_handshake else None
        modern = pool.submit(_modern, handle) if wants_modern else None
        _take_handshake(coverage, handle, handshake.result() if handshake else None, protocol)
        _take_modern(coverage, handle, modern.result() if modern else None)
    if protocol == "all" and coverage.states:
        _older(handle, coverage)
    elif protocol == "auto" and legacy and coverage.states:
        _older(handle, coverage, only=LEGACY_VERSION)
    if not coverage.states and handle.transport == "http":
        _legacy_hint(handle, coverage)
    for version in KNOWN:
        if version not in coverage.states and version not in coverage.skipped:
            coverage.skipped[version] = _not_asked(version, protocol)
    _seed_spare(coverage)
    return coverage


def _legacy_hint(handle: ServerHandle, coverage: Coverage) -> None:
    """Nothing spoke streamable HTTP: when a GET shows a legacy HTTP+SSE server, say so and how to test it."""
    from mcptest.wire.sse import legacy_endpoint

    endpoint = legacy_endpoint(handle.url, dict(handle.target.headers), handle.timeout)
    if endpoint is None:
        return
    why = (f"{handle.url} is a legacy HTTP+SSE endpoint (the 2024-11-05 transport), not streamable HTTP: requests "
           f"POSTed to it failed, and a GET answered with an `endpoint` event ({endpoint}). Test it as such: give "
           f"the target as sse+{handle.target.raw} (e.g. --mcp-server=sse+{handle.target.raw}), or point at the "
           "server's streamable HTTP endpoint (often /mcp) if it has one")
    for version in KNOWN:
        coverage.skipped[version] = why


def _died(wire: Wire) -> str | None:
    """Why nothing can be checked when the server behind ``wire`` is gone (the same words from every probe)."""
    return f"the server could not be started: {wire.gone}" if wire.gone and wire.transport == "stdio" else None


def _handshake(handle: ServerHandle, offer: str) -> tuple[Wire | None, Surface | None, str]:
    wire = handle.open()
    try:
        surface = discover(wire, offer)
    except (DiscoveryError, WireError) as exc:
        died = _died(wire)  # before forget(): stopping a hung server must not read as "could not be started"
        handle.forget(wire)
        return None, None, died or str(exc)
    return wire, surface, ""


def _modern(handle: ServerHandle) -> tuple[Wire | None, Surface | None, str, Wire | None]:
    wire = handle.open()
    probe = probe_modern(wire, MODERN[-1])
    if probe.modern and probe.result is not None:
        try:
            return wire, discover_modern(wire, MODERN[-1], probe.result), "", None
        except WireError as exc:
            handle.forget(wire)
            return None, None, f"listing its surface at {MODERN[-1]} failed: {exc}", None
    if _died(wire):
        handle.forget(wire)
        return None, None, _died(wire), None
    if probe.modern:
        handle.forget(wire)
        listed = ", ".join(probe.supported) or "none"
        return (None, None, f"the server speaks the 2026 era but not {MODERN[-1]} ({probe.why}; supported: {listed})",
                None)
    spare = wire if handle.transport == "stdio" and wire.gone is None else None
    if spare is None:
        handle.forget(wire)
    return None, None, f"the server does not speak {MODERN[-1]}: {probe.why}", spare


def _take_handshake(coverage: Coverage, handle: ServerHandle, outcome: tuple | None, protocol: str) -> None:
    if outcome is None:
        return
    wire, surface, why = outcome
    if surface is None:
        reason = (why if why.startswith("the server could not be started")
                  else f"the server does not speak the handshake era: {why}")
        for version in HANDSHAKE:
            coverage.skipped[version] = reason
        return
    if protocol in HANDSHAKE and surface.version != protocol:
        coverage.skipped[protocol] = (f"the server does not speak {protocol}: offered it in initialize, it answered "
                                      f"{surface.version!r}")
        wire.close()
        return
    coverage.states[surface.version] = VersionState(handle=handle, surface=surface, shared=wire)


def _take_modern(coverage: Coverage, handle: ServerHandle, outcome: tuple | None) -> None:
    if outcome is None:
        return
    wire, surface, why, spare = outcome
    if surface is None:
        coverage.skipped[MODERN[-1]] = why
        if spare is not None:
            coverage.spares["probe"] = spare
        return
    coverage.states[surface.version] = VersionState(handle=handle, surface=surface, shared=wire)


def _older(handle: ServerHandle, coverage: Coverage, only: str | None = None) -> None:
    """Under ``all``: offer every handshake version older than the negotiated one (or just ``only``); cover those
    echoed back."""
    newest = max((v for v in coverage.states if v in HANDSHAKE), default=None)
    older = [v for v in HANDSHAKE if newest is not None and v < newest and only in (None, v)]
    if not older:
        return

    def offer(version: str) -> tuple[str, Wire | None, Surface | None, str]:
        wire = handle.open()
        try:
            surface = discover(wire, version)
        except (DiscoveryError, WireError) as exc:
            handle.forget(wire)
            return version, None, None, f"initialize at {version} failed: {exc}"
        if surface.version != version:
            handle.forget(wire)
            return (version, None, None,
                    f"the server does not support {version}: offered it, it answered {surface.version!r}")
        return version, wire, surface, ""

    with ThreadPoolExecutor(max_workers=max(len(older), 1), thread_name_prefix="mcptest-offer") as pool:
        for version, wire, surface, why in pool.map(offer, older):
            if surface is None:
                coverage.skipped[version] = why
            else:
                coverage.states[version] = VersionState(handle=handle, surface=surface, shared=wire)


def _not_asked(version: str, protocol: str) -> str:
    if protocol in KNOWN:
        return f"not checked: --mcp-protocol {protocol} checks only {protocol}"
    if version in HANDSHAKE:
        return f"not checked by default: --mcp-protocol all (or --mcp-protocol {version}) checks it"
    return f"not checked: --mcp-protocol {version} or auto checks it"


def _seed_spare(coverage: Coverage) -> None:
    """A failed stdio modern probe left a live process: it becomes a lane connection of the handshake version."""
    spare = coverage.spares.pop("probe", None)
    newest = max((v for v in coverage.states if v in HANDSHAKE), default=None)
    if spare is None or newest is None:
        if spare is not None:
            spare.close()
        return
    spare.envelope = None  # it probed with the 2026 envelope; as a handshake-era connection it sends none
    try:
        initialize(spare, newest)
    except DiscoveryError:
        spare.close()
        return
    coverage.spares[newest] = spare
