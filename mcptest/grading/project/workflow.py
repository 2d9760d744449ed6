"""CI workflows: GitHub Actions schema validation (the schema check-jsonschema ships) and tests-before-deploy."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

TEST_COMMAND = re.compile(r"\b(pytest|py\.test|mcptest|tox|nox|make\s+test|npm\s+(run\s+)?test|go\s+test)\b")
DEPLOY_COMMAND = re.compile(r"kubectl\s+(apply|set\s+image|rollout|create|replace)|helm\s+(upgrade|install)|"
                            r"docker\s+push|\bdeploy\b", re.IGNORECASE)


@cache
def workflow_schema() -> dict[str, Any]:
    """The GitHub Actions workflow schema vendored by check-jsonschema (SchemaStore's), read offline."""
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("github-workflows.json").read_text()
    return json.loads(text)


def schema_errors(document: Any) -> list[str]:
    """Validation errors of one workflow document, most specific first."""
    import jsonschema

    validator = jsonschema.Draft7Validator(workflow_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: (len(list(e.path)), e.message))
    found = []
    for error in errors:
        path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        # a oneOf/anyOf failure: say what each alternative wanted ("runs-on" for a job, "uses" for a reusable one)
        options = list(dict.fromkeys(e.message[:120] for e in error.context or [] if not list(e.relative_path)))
        found.append(f"{path}: {'; or '.join(options[:3]) if options else error.message[:200]}")
    return found


def _texts(step: Mapping[str, Any]) -> str:
    return " ".join(str(step.get(key, "")) for key in ("name", "run", "uses", "id"))


def _steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in job.get("steps") or [] if isinstance(s, Mapping)]


def _needs(job: Mapping[str, Any]) -> set[str]:
    needs = job.get("needs") or []
    return {needs} if isinstance(needs, str) else {str(n) for n in needs}


def tests_before_deploy(document: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether every deploy step runs only after a test step (same job, earlier; or a job it ``needs``)."""
    jobs = {str(k): v for k, v in (document.get("jobs") or {}).items() if isinstance(v, Mapping)}
    tests = {name for name, job in jobs.items() if any(TEST_COMMAND.search(str(s.get("run", ""))) for s in _steps(job))}
    deploys = []
    for name, job in jobs.items():
        job_is_deploy = bool(re.search(r"deploy", name, re.IGNORECASE))
        for index, step in enumerate(_steps(job)):
            if DEPLOY_COMMAND.search(_texts(step)) or (job_is_deploy and index == len(_steps(job)) - 1):
                deploys.append((name, index))
    if not tests:
        return False, "no step runs the tests (pytest, mcptest, tox, nox, make test)"
    if not deploys:
        return False, "no job or step deploys (kubectl apply, helm upgrade, docker push, or a job named deploy)"
    for name, index in deploys:
        earlier = any(TEST_COMMAND.search(str(s.get("run", ""))) for s in _steps(jobs[name])[:index])
        if not earlier and not (_ancestors(name, jobs) & tests):
            return False, f"job {name!r} deploys without needing a job that runs the tests"
    return True, ""


def _ancestors(name: str, jobs: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seen: set[str] = set()
    todo = list(_needs(jobs.get(name, {})))
    while todo:
        job = todo.pop()
        if job not in seen:
            seen.add(job)
            todo.extend(_needs(jobs.get(job, {})))
    return seen
