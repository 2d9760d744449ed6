"""``--mcp-server /path/to/server`` and pytest's rootdir: plain pytest warns with the fix; ``mcptest check`` is
immune and shows short test ids."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mcptest.rootdir import separate_server_value
from tests.conftest import SERVERS


@pytest.fixture
def server_in_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An executable one-word server command in a directory of its own, as an installed server would be."""
    bin_dir = tmp_path_factory.mktemp("bin")
    # an ini of the server's own (as a checked-out tool may have): pytest must not make it the run's configfile
    (bin_dir / "pytest.ini").write_text("[pytest]\nconsole_output_style = classic\n", encoding="utf-8")
    server = bin_dir / "my-server"
    source = (SERVERS / "clean_raw.py").read_text(encoding="utf-8")
    server.write_text(f"#!{sys.executable}\n{source}", encoding="utf-8")
    server.chmod(0o755)
    shutil.copytree(SERVERS / "_raw", bin_dir / "_raw")  # the server's own helper package
    return server


def _project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    project_marker: only the project's own ini declares this\n")


def test_the_separate_value_is_found_and_the_one_word_form_is_not() -> None:
    assert separate_server_value(["-q", "--mcp-server", "/x/bin/server", "-k", "BASE"]) == "/x/bin/server"
    assert separate_server_value(["--mcp-server=/x/bin/server"]) is None
    assert separate_server_value(["--", "--mcp-server", "/x"]) is None
    assert separate_server_value(["--mcp-server"]) is None


def test_a_separate_path_value_that_moved_the_rootdir_is_warned_about_with_the_fix(
        pytester: pytest.Pytester, server_in_bin: Path) -> None:
    _project(pytester)
    result = pytester.runpytest_subprocess("--mcp-server", str(server_in_bin), "-k", "BASE-02",
                                           "-p", "no:cacheprovider")
    text = result.stdout.str()
    assert f"rootdir: {server_in_bin.parent}" in text  # pytest's own choice, made before any plugin loads
    warning = " ".join(text.split())
    assert (f"pytest took the --mcp-server value '{server_in_bin}' for a test path "
            f"and chose rootdir {server_in_bin.parent}") in warning
    assert f"instead of {pytester.path} (configfile {pytester.path / 'tox.ini'})" in warning
    assert f"Write the value as one word: --mcp-server={server_in_bin}" in warning
    assert warning.count("pytest took the --mcp-server value") == 1


def test_the_one_word_form_keeps_the_projects_rootdir_and_warns_nothing(
        pytester: pytest.Pytester, server_in_bin: Path) -> None:
    _project(pytester)
    result = pytester.runpytest_subprocess(f"--mcp-server={server_in_bin}", "-k", "BASE-02", "-p", "no:cacheprovider")
    assert result.parseoutcomes()["passed"] == 1 and result.ret == 0
    assert f"rootdir: {pytester.path}" in result.stdout.str()
    assert "took the --mcp-server value" not in result.stdout.str()
    result.stdout.fnmatch_lines(["test_jsonrpc.py .*"])


def test_a_separate_value_that_moves_nothing_is_not_warned_about(pytester: pytest.Pytester) -> None:
    _project(pytester)
    shutil.copy(SERVERS / "clean_raw.py", pytester.path / "server.py")
    shutil.copytree(SERVERS / "_raw", pytester.path / "_raw")
    result = pytester.runpytest_subprocess("--mcp-server", "server.py", "--mcp-suite", "-k", "BASE-02",
                                           "-p", "no:cacheprovider")
    assert "took the --mcp-server value" not in result.stdout.str()


def test_help_shows_the_one_word_form(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    help_text = " ".join(result.stdout.str().split())
    assert "Write --mcp-server=TARGET when TARGET is a path" in help_text


def test_mcptest_check_keeps_its_rootdir_short_ids_and_the_users_relative_paths(
        pytester: pytest.Pytester, server_in_bin: Path) -> None:
    shutil.copy(SERVERS / "base07_unknown_method_result.py", pytester.path / "srv.py")
    shutil.copytree(SERVERS / "_raw", pytester.path / "_raw")
    done = subprocess.run([sys.executable, "-m", "mcptest.cli", "check", f"{sys.executable} srv.py", "-k", "BASE-07",
                           "--strict", "--json", "out/report.json", "-rA"], capture_output=True, text=True, timeout=300,
                          cwd=pytester.path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "FAILED test_jsonrpc.py::test_jsonrpc[BASE-07@2025-11-25]" in done.stdout
    assert "../" not in done.stdout
    assert (pytester.path / "out" / "report.json").is_file()  # relative to where the user ran mcptest
    one_word = subprocess.run([sys.executable, "-m", "mcptest.cli", "check", str(server_in_bin), "-k", "BASE-02"],
                              capture_output=True, text=True, timeout=300, cwd=pytester.path)
    assert one_word.returncode == 0, one_word.stdout[-2000:]
    assert "took the --mcp-server value" not in one_word.stdout and "rootdir" not in one_word.stdout
    assert not (server_in_bin.parent / ".pytest_cache").exists()
