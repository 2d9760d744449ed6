"""Judging message shapes against each version's schema: JSON paths, strict types, older versions, 2026 arms."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mcptest.checks.schema_fields import ADDED, NEWLY_REQUIRED
from mcptest.checks.schema_shapes import judge
from tests.unit.schema import make_schema_fields
from tests.unit.spec.spectext import ENV, spec_dir

TOOL = {"name": "add", "inputSchema": {"type": "object"}}
HANDSHAKE = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")


@pytest.mark.parametrize("version", HANDSHAKE)
def test_conforming_messages_have_no_problem_at_any_handshake_version(version: str) -> None:
    assert judge("result", "tools/list", version, {"tools": [TOOL], "nextCursor": "c"}) == []
    assert judge("result", "tools/call", version, {"content": [{"type": "text", "text": "ok"}], "isError": False}) == []
    assert judge("result", "ping", version, {}) == []
    assert judge("notification", "notifications/progress", version, {"progressToken": 1, "progress": 1}) == []
    assert judge("request", "roots/list", version, None) == []


def test_problems_name_the_json_path_and_what_came() -> None:
    listed = {"tools": [{"name": "a", "inputSchema": {"type": "obj"}}, {"inputSchema": {"type": "object"}}]}
    assert judge("result", "tools/list", "2025-11-25", listed) == [
        "result.tools[0].inputSchema.type: Input should be 'object' (got \"obj\")",
        "result.tools[1].name: required, missing",
    ]
    assert judge("result", "resources/read", "2025-11-25", {"contents": [{"uri": "x://y"}]}) == [
        "result.contents[0].text: required, missing"  # the text arm failed least: the blob arm is not reported
    ]
    assert judge("notification", "notifications/message", "2025-11-25", {"level": "INFO", "data": 1}) == [
        "params.level: Input should be 'alert', 'critical', 'debug', 'emergency', 'error', 'info', 'notice' or "
        "'warning' (got \"INFO\")"
    ]
    assert judge("result", "ping", "2025-11-25", "pong") == [
        'result: Input should be a valid dictionary or instance of Result (got "pong")'
    ]


def test_an_unknown_content_type_is_one_line_listing_the_types() -> None:
    assert judge("result", "tools/call", "2025-11-25", {"content": [{"type": "txt", "text": "x"}]}) == [
        "result.content[0].type: one of 'text', 'image', 'audio', 'resource_link', 'resource' (got \"txt\")"
    ]


def test_json_types_are_not_coerced() -> None:
    assert judge("result", "tools/call", "2025-11-25", {"content": [], "isError": "false"}) == [
        'result.isError: Input should be a valid boolean (got "false")'
    ]
    assert judge("notification", "notifications/progress", "2025-11-25", {"progressToken": 1, "progress": "1"}) == [
        'params.progress: Input should be a valid number (got "1")'
    ]


def test_an_older_version_ignores_fields_it_does_not_define_and_judges_the_rest() -> None:
    tool = {**TOOL, "title": 5, "icons": "x", "outputSchema": 1, "annotations": {"readOnlyHint": "yes"}}
    assert judge("result", "tools/list", "2024-11-05", {"tools": [tool]}) == []
    assert len(judge("result", "tools/list", "2025-11-25", {"tools": [tool]}) or []) == 4
    assert judge("result", "tools/list", "2024-11-05", {"tools": [{**tool, "description": 5}]}) == [
        "result.tools[0].description: Input should be a valid string (got 5)"
    ]
    call = {"content": [{"type": "text", "text": "x", "_meta": 1}], "structuredContent": []}
    assert judge("result", "tools/call", "2025-03-26", call) == []
    assert judge("result", "tools/call", "2025-06-18", call) == ["result.content[0]._meta: Input should be a valid "
                                                                 "dictionary (got 1)",
                                                                 "result.structuredContent: Input should be a valid "
                                                                 "dictionary (got [])"]


def test_2026_results_are_judged_by_their_result_type() -> None:
    done = {"content": [{"type": "text", "text": "x"}]}
    assert judge("result", "tools/call", "2026-07-28", done) == ["result.resultType: required, missing"]
    assert judge("result", "tools/call", "2026-07-28", {**done, "resultType": "complete"}) == []
    assert judge("result", "tools/call", "2026-07-28", {"content": [{"type": "text"}], "resultType": "complete"}) == [
        "result.content[0].text: required, missing"
    ]
    assert judge("result", "tools/call", "2026-07-28", {"resultType": "input_required", "requestState": 5}) == [
        "result.requestState: Input should be a valid string (got 5)"
    ]
    assert judge("result", "tools/call", "2026-07-28", {"resultType": "com.example/partial"}) is None
    assert judge("result", "tools/list", "2026-07-28", {"tools": [], "resultType": "complete"}) == [
        "result.cacheScope: required, missing", "result.ttlMs: required, missing"
    ]


def test_what_no_schema_defines_is_not_judged() -> None:
    assert judge("result", "mcptest/no-such-method", "2025-11-25", {}) is None
    assert judge("notification", "notifications/mcptest", "2025-11-25", {}) is None
    assert judge("result", "initialize", "2026-07-28", {}) is None  # no handshake at 2026-07-28
    assert judge("result", "tools/list", "1999-01-01", {"tools": []}) is None


def test_nothing_became_required_since_2024_11_05() -> None:
    assert NEWLY_REQUIRED == {version: {} for version in HANDSHAKE[:-1]}
    assert "title" in ADDED["2024-11-05"]["Tool"] and "title" not in ADDED["2025-06-18"].get("Tool", ())


def test_importing_the_check_does_not_build_validators() -> None:
    code = ("import mcptest.checks.schema as s, mcptest.checks.schema_shapes as m; "
            "print(m._model.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "0"


@pytest.mark.skipif(spec_dir() is None, reason=f"{ENV} is not set to a checkout of the MCP spec's docs/specification")
def test_the_field_table_is_what_the_schemas_give() -> None:
    root = spec_dir()
    assert root is not None
    text = make_schema_fields.render(*make_schema_fields.collect(root))
    assert make_schema_fields.OUT.read_text(encoding="utf-8") == text, "run tests/unit/schema/make_schema_fields.py"


@pytest.mark.skipif(spec_dir() is None, reason=f"{ENV} is not set to a checkout of the MCP spec's docs/specification")
def test_no_type_enum_or_const_narrowed_since_the_older_versions() -> None:
    root = spec_dir()
    assert root is not None
    assert make_schema_fields.narrowed(root) == []
