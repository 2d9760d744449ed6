"""Guard for the `hypothesis<6.170.10` pin: hypothesis-jsonschema must still draw objects and arrays."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

# Arrays with size bounds and uniqueness inside an open object: the shapes whose drawing goes through the
# Hypothesis internals (`cu.many(...).more()`) that hypothesis 6.170.10 removed.
SCHEMAS = [
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 5, "uniqueItems": True},
    {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 4, "uniqueItems": True},
            "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "maxItems": 3}},
        },
        "required": ["tags"],
    },
]
BREAKAGE = "'many' object has no attribute 'more'"


@pytest.mark.parametrize("schema", SCHEMAS, ids=["unique-bounded-array", "object-with-arrays"])
def test_installed_hypothesis_and_hypothesis_jsonschema_still_draw_array_schemas(schema: dict[str, Any]) -> None:
    drawn: list[Any] = []

    @settings(max_examples=25, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(from_schema(schema))
    def draw(value: Any) -> None:
        drawn.append(value)

    try:
        draw()
    except AttributeError as err:
        if BREAKAGE not in str(err):
            raise
        pytest.fail(
            f"hypothesis {version('hypothesis')} breaks hypothesis-jsonschema {version('hypothesis-jsonschema')} "
            f"({BREAKAGE}): keep the pin `hypothesis>=6.100,<6.170.10` in pyproject.toml until a "
            "hypothesis-jsonschema release supports the newer Hypothesis, then lift both together.",
            pytrace=False,
        )
    assert len(drawn) == 25
