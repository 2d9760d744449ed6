"""mcptest beside the other MCP pytest plugins on PyPI: pytest-mcp-assert (``--mcp-server``, ``--mcp-timeout``,
``--mcp-suite``) and pytest-mcp-plugin (``--mcp-timeout``) register options with our names, so pytest refuses to
start with both installed. The fix is ``-p no:PLUGIN`` for the one a run does not use; this module proves it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, need_service, stdio_target

PEERS = {"mcp_assert": "pytest_mcp_assert", "mcp_test": "pytest_mcp_plugin"}  # pytest11 name: wheel name
CLASHES = {"mcp_assert": "--mcp-server", "mcp_test": "--mcp-timeout"}


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both peer plugins installed (offline, from the wheels .ci/peers.sh downloaded) into a directory of their own."""
    wheels = Path(os.environ.get("MCPTEST_PEER_WHEELS", ROOT / ".ci" / "cache" / "peers"))
    found = {name: sorted(wheels.glob(f"{wheel}-*.whl")) for name, wheel in PEERS.items()}
    need_service(all(found.values()), f"the peer plugin wheels in {wheels} (bash .ci/peers.sh)")
    target = tmp_path_factory.mktemp("peers")
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
               *(str(files[-1]) for files in found.values())]
    done = subprocess.run(install, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return target


def _pytest(pytester: pytest.Pytester, peers: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(peers), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], capture_output=True,
                          text=True, timeout=300, cwd=pytester.path, env=env)


def test_with_every_plugin_enabled_pytest_names_the_clashing_option(pytester: pytest.Pytester, peers: Path) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    done = _pytest(pytester, peers, "test_plain.py")
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "--mcp-timeout" in output or "--mcp-server" in output, output[-2000:]


def test_disabling_the_peers_lets_mcptest_run_its_suite(pytester: pytest.Pytester, peers: Path) -> None:
    blocked = [arg for name in PEERS for arg in ("-p", f"no:{name}")]
    done = _pytest(pytester, peers, *blocked, f"--mcp-server={stdio_target('clean_raw.py')}", "-k", "BASE-02")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout and "mcptest-0.1.0" in done.stdout


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_disabling_mcptest_lets_each_peer_load_with_its_own_options(pytester: pytest.Pytester, peers: Path,
                                                                    peer: str) -> None:
    others = [arg for name in PEERS if name != peer for arg in ("-p", f"no:{name}")]
    done = _pytest(pytester, peers, "-p", "no:mcptest", *others, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert CLASHES[peer] in done.stdout and "--mcp-strict" not in done.stdout


def test_every_mcptest_option_and_ini_key_is_namespaced(pytester: pytest.Pytester) -> None:
    import re

    text = pytester.runpytest("--help").stdout.str()
    group = text.split("MCP server conformance (mcptest):")[1].split("\n\n")[0]
    options = re.findall(r"^\s{2}(--[\w-]+)", group, flags=re.M)
    assert options and all(option.startswith("--mcp-") for option in options), options
    ini_keys = re.findall(r"^\s{2}(mcp\w*)\s", text.split("[pytest] configuration options")[1], flags=re.M)
    assert {"mcp_server", "mcp_baseline", "mcp_report_sarif", "mcp_client_scope"} <= set(ini_keys)
