"""The probe registry: every rubric ``probe:`` names a function here, called as ``probe(ctx, **with)``.

A probe returns on a pass, raises ``Miss(evidence)`` when the submission falls short and ``Skip(reason)`` when
the item cannot be decided on this machine. Anything else it raises is a bug in mcptest (a grading error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Probe = Callable[..., None]
PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    """Register a probe under ``name``."""

    def register(func: Probe) -> Probe:
        if name in PROBES:
            raise ValueError(f"probe {name!r} is registered twice")
        PROBES[name] = func
        return func

    return register


def _load() -> None:
    from mcptest.grading.probes import database, monitoring, project, server, services, upstream  # noqa: F401


_load()
__all__ = ["PROBES", "Any", "probe"]
