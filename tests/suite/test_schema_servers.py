"""BASE-18 end to end: each malformed kind of message is caught at 2025-11-25 and 2026-07-28 with its JSON path."""

from __future__ import annotations

import pytest

from mcptest.findings import Finding
from mcptest.runner import run_all
from mcptest.settings import Settings
from tests.conftest import stdio_target

TRAFFIC = ("schema", "tools", "resources", "prompts", "utilities")
"""The areas whose checks send the requests that bring every kind of message back (fuzzing adds nothing here)."""
TIMING = {"PING-01", "CANC-01"}
"""Checks that judge a call by how long it ran; a loaded machine can make them misfire (not this defect's doing)."""

DEFECTS = [
    ("schema_tools_list_hint_as_string.py", "the tools/list result",
     'result.tools[0].annotations.readOnlyHint: Input should be a valid boolean (got "true")', {"TOOL-01"}),
    ("schema_tools_call_priority_as_word.py", "the tools/call result",
     'result.content[0].annotations.priority: Input should be a valid number (got "high")', set()),
    ("schema_resources_read_mime_as_list.py", "the resources/read result",
     'result.contents[0].mimeType: Input should be a valid string (got ["application/octet-stream"])', {"RES-02"}),
    ("schema_prompts_get_text_as_list.py", "the prompts/get result",
     'result.messages[1].content.text: Input should be a valid string (got ["Gladly."])', {"PROMPT-02"}),
    ("schema_progress_total_as_string.py", "the notifications/progress notification",
     "params.total: Input should be a valid number (got ", set()),
]


def failures(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.outcome in ("fail", "warn", "error")]


@pytest.mark.parametrize(("server", "what", "path", "also"), DEFECTS, ids=[d[0].removesuffix(".py") for d in DEFECTS])
def test_a_malformed_message_is_a_must_finding_naming_its_path(server: str, what: str, path: str,
                                                               also: set[str]) -> None:
    run = run_all(Settings(server=stdio_target(server), timeout=30.0), areas=TRAFFIC)  # generous: only bounds hangs
    run.close()
    assert run.error is None, run.error
    assert run.versions == ["2025-11-25", "2026-07-28"]
    base18 = {f.version: f for f in run.findings if f.check == "BASE-18"}
    for version in run.versions:
        finding = base18[version]
        assert finding.outcome == "fail" and finding.level == "MUST", finding.render()
        assert f"{what} does not fit the {version} schema" in finding.actual
        assert path in finding.actual, finding.actual
        assert "also malformed" not in finding.actual, finding.actual  # the one corrupted kind, nothing else
    overlapping = {f.check for f in failures(run.findings) if f.check != "BASE-18"}
    assert overlapping <= also | TIMING, overlapping


def test_older_versions_are_judged_without_the_fields_they_do_not_define() -> None:
    run = run_all(Settings(server=stdio_target("clean_raw.py"), protocol="all", timeout=30.0), areas=TRAFFIC)
    run.close()
    assert run.versions == ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    judged = {f.version: f.outcome for f in run.findings if f.check == "BASE-18"}
    assert judged == dict.fromkeys(run.versions, "pass")
    assert not failures(run.findings), [f.render() for f in failures(run.findings)]
