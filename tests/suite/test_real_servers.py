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
    need_service(all(os.environ.get(v) for v in NODE_VARS), "Node 22 and server-everything (eval \"$(bash .ci/node.sh)\")")
    node, everything, loopback = (os.environ[v] for v in NODE_VARS)
    base = f"env -i PATH={os.environ['PATH']} GZIP_ALLOWED_DOMAINS=127.0.0.1"
    if mode == "stdio":
        return f"{base} {node} {everything} stdio", None
    return "http://127.0.0.1:{port}/mcp", f"{base} PORT={{port}} {node} --require {loopback} {everything} streamableHttp"


def _git_repo(path: Path) -> Path:
    repo = path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    return repo


@pytest.mark.parametrize("name", sorted(SERVERS))
def test_real_server_findings_match_the_hand_checked_list(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec: dict[str, Any] = SERVERS[name]
    monkeypatch.chdir(tmp_path)  # tools that take paths only ever see a throwaway folder
    launch = None
    if "node" in spec:
        server, launch = _node_command(spec["node"])
    else:
        repo = _git_repo(tmp_path) if "{repo}" in spec["command"] else tmp_path
        server = spec["command"].format(python=sys.executable, repo=repo)
    result = run_all(Settings(server=server, launch=launch, timeout=20.0, seed=1, skip_tools=tuple(spec.get("skip_tools", ()))))
    result.close()
    assert result.error is None, result.error
    failed = {f.requirement for f in result.findings if f.outcome == "fail"}
    warned = {f.requirement for f in result.findings if f.outcome == "warn"}
    details = "\n".join(f"{f.requirement}[{f.item}] {f.outcome}: {f.message.splitlines()[2] if len(f.message.splitlines()) > 2 else f.message}"
                        for f in result.findings if f.outcome in ("fail", "warn"))
    assert failed == set(spec["fail"]), f"MUST findings changed:\n{details}"
    assert warned == set(spec["warn"]), f"SHOULD findings changed:\n{details}"
    assert sum(f.outcome == "pass" for f in result.findings) >= 30
