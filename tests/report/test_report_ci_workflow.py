"""examples/ci/github-workflow.yaml is a valid GitHub Actions workflow whose mcptest command mcptest accepts."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from importlib import resources

import jsonschema
import yaml

from mcptest.cli import build_parser
from tests.conftest import ROOT

WORKFLOW = ROOT / "examples" / "ci" / "github-workflow.yaml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_is_valid_against_the_github_workflow_schema() -> None:
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    # the same schema, read directly: a broken file must fail it (the check is not vacuous)
    schema = json.loads((resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / "github-workflows.json")
                        .read_text(encoding="utf-8"))
    broken = {**_workflow(), "jobs": {"mcp-conformance": {"steps": [{"uses": "actions/checkout@v4"}]}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))  # runs-on is missing


def test_the_workflow_installs_mcptest_runs_it_with_a_baseline_and_uploads_every_report() -> None:
    workflow = _workflow()
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["mcp-conformance"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any("pip install" in run and "mcptest" in run for run in runs)
    command = next(run for run in runs if run.startswith("mcptest check"))
    args = build_parser().parse_args(shlex.split(command.replace('"$SERVER"', "'python -m my_server'"))[1:])
    assert args.baseline == "mcp-baseline.yaml"
    reports = {args.junit, args.html, args.sarif}
    assert None not in reports
    uploads = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uploads["actions/upload-artifact"]["with"]["path"] == "reports/"
    assert all(path.startswith("reports/") for path in reports)
    assert uploads["github/codeql-action/upload-sarif"]["with"]["sarif_file"] == args.sarif
    assert "!cancelled()" in uploads["actions/upload-artifact"]["if"]  # reports are kept when the gate fails
