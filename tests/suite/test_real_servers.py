"""The suite against real third-party servers (PyPI and npm), with findings checked by hand in real_servers.yaml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mcptest.runner import run_all
from mcptest.settings import Settings
from tests.conftest import need_service

SERVERS = yaml.safe_load((Path(__file__).with_name("real_servers.yaml")).read_text())["servers"]
NODE_VARS = ("MCPTEST_NODE", "MCPTEST_SERVER_EVERYTHING", "MCPTEST_NODE_LOOPBACK")


def _node_command(mode: str) -> tuple[str, str | None]:
    need_service(all(os.environ.get(v) for v in NODE_VARS),
                 "Node 22 and server-everything (eval \"$(bash .ci/node.sh)\")")
    node, everything, loopback = (os.environ[v] for v in NODE_VARS)
    base = f"env -i PATH={os.environ['PATH']} GZIP_ALLOWED_DOMAINS=127.0.0.1"
    if mode == "stdio":
        return f"{base} {node} {everything} stdio", None
    launch = f"{base} PORT={{port}} {node} --require {loopback} {everything} streamableHttp"
    return "http://127.0.0.1:{port}/mcp", launch


def _git_repo(path: Path) -> Path:
    repo = path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    identity = ["-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run(["git", "-C", str(repo), *identity, "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    return repo


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_real_server_findings_match_the_hand_checked_list(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec: dict[str, Any] = SERVERS[name]
    monkeypatch.chdir(tmp_path)  # tools that take paths only ever see a throwaway folder
    launch = None
    if "node" in spec:
        server, launch = _node_command(spec["node"])
    else:
        repo = _git_repo(tmp_path) if "{repo}" in spec["command"] else tmp_path
        server = spec["command"].format(python=sys.executable, repo=repo)
    result = run_all(Settings(server=server, launch=launch, timeout=20.0, seed=1,
                              skip_tools=tuple(spec.get("skip_tools", ()))))
    result.close()
    assert result.error is None, result.error
    problems = [f for f in result.findings if f.outcome in ("fail", "warn", "info")]
    details = "\n".join(f"{f.requirement}[{f.item}]@{f.version} {f.outcome}: {f.gist()}" for f in problems)
    may = set(spec.get("may", []))  # evidence that depends on timing: allowed, not required (the yaml says why)
    for outcome in ("fail", "warn", "info"):
        found = {f.requirement for f in problems if f.outcome == outcome}
        assert set(spec[outcome]) <= found <= set(spec[outcome]) | may, f"{outcome} findings changed:\n{details}"
    assert not [f.reason for f in result.findings if f.outcome == "error"], "mcptest errors"
    for f in problems:
        assert sentence(spec, f.requirement, f.version) == f.text, f"{f.requirement}: the quote in real_servers.yaml"
        assert f.outcome != "fail" or (f.level == "MUST" and "MUST" in f.text), f"{f.requirement} is no MUST"
    assert sum(f.outcome == "pass" for f in result.findings) >= 30


def sentence(spec: dict[str, Any], req_id: str, version: str) -> str:
    """The spec sentence real_servers.yaml says the finding rests on (per version when the wording differs)."""
    quote = spec["findings"][req_id]["quote"]
    return quote[version] if isinstance(quote, dict) else quote
