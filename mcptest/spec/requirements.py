"""Every requirement the suite checks: id -> level, versions, spec section and the spec's own sentence.

The tables live in ``mcptest.spec.tables`` (one module per area). How a level is chosen:

* the keyword of the quoted sentence decides: MUST / MUST NOT / REQUIRED / SHALL -> MUST; SHOULD / SHOULD NOT /
  RECOMMENDED -> SHOULD; MAY / OPTIONAL -> MAY;
* a sentence whose keyword binds the client gives the server no rule: INFO (recorded, never a failure);
* an expectation from JSON-RPC 2.0 (``source="jsonrpc"``) or from practice the spec describes without a keyword
  (``source="practice"``) is at most SHOULD;
* an expectation from the structure the version's schema defines (``source="schema"``: required members, their
  types, what a declared capability promises) is MUST; what the schema only recommends in lowercase is SHOULD.

Where an older version words a rule differently (or more weakly), ``Requirement.at`` holds that version's quote,
page and level: use ``level_at(version)`` and ``quote_at(version)`` for a finding at that version.
"""

from __future__ import annotations

from mcptest.spec.model import LEVELS, SOURCES, At, Level, Requirement, Source
from mcptest.spec.tables import TABLES


def _index() -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    for table in TABLES:
        for entry in table:
            if entry.id in found:
                raise ValueError(f"requirement id {entry.id} is defined twice")
            found[entry.id] = entry
    return found


REQUIREMENTS: dict[str, Requirement] = _index()
"""Every requirement by id, in the order of the tables."""


def requirement(id: str) -> Requirement:
    """The requirement with ``id``.

    Raises:
        KeyError: unknown id; the message says where to list the known ones.
    """
    try:
        return REQUIREMENTS[id]
    except KeyError:
        raise KeyError(f"unknown requirement id {id!r}; see `mcptest checks` for the list") from None


__all__ = ["LEVELS", "REQUIREMENTS", "SOURCES", "At", "Level", "Requirement", "Source", "requirement"]
