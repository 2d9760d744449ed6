"""pytest's rootdir and ``--mcp-server VALUE``: detect a rootdir the value moved, and run the CLI's pytest cleanly.

pytest chooses its rootdir and ini file in ``Config.parse`` (``determine_setup``) from every command-line word
that is not an option it knows *before any plugin is loaded*: entry-point plugins are imported only afterwards.
So in ``pytest --mcp-server /x/bin/server`` the value is a "test path" for that search, and ``/x/bin`` becomes the
rootdir (its ini files are read, the project's are not, ``.pytest_cache`` lands there). No hook of an installed
plugin runs early enough to prevent it; ``--mcp-server=/x/bin/server`` (one word) is never mistaken for a path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

FLAG = "--mcp-server"


def separate_server_value(args: Sequence[str]) -> str | None:
    """The value of ``--mcp-server VALUE`` given as a separate word (None for ``--mcp-server=VALUE`` or none)."""
    value = None
    for flag, word in zip(args, args[1:]):
        if flag == "--":
            break
        if flag == FLAG:
            value = word
    return value


def misplaced_rootdir(config: pytest.Config) -> str | None:
    """A message when pytest's rootdir/ini came from the ``--mcp-server`` value, else None."""
    params = config.invocation_params
    value = separate_server_value([str(a) for a in params.args])
    if value is None or not (params.dir / value).exists():
        return None
    expected = _setup_without(config, value)
    chosen = (config.rootpath, config.inipath)
    if expected is not None:
        moved = chosen != expected
        should_be = f"{expected[0]}" + (f" (configfile {expected[1]})" if expected[1] else "")
    else:  # pytest's setup search could not be replayed: judge by the server's own directory
        server_dir = (params.dir / value).resolve()
        server_dir = server_dir if server_dir.is_dir() else server_dir.parent
        moved = config.rootpath == server_dir and params.dir != server_dir
        should_be = f"{params.dir} or your project's"
    if not moved:
        return None
    inifile = f", configfile {config.inipath}" if config.inipath else ", no configfile"
    return (f"pytest took the --mcp-server value {value!r} for a test path and chose rootdir "
            f"{config.rootpath}{inifile} instead of {should_be}: your project's pytest configuration is not in "
            f"effect for this run. Write the value as one word: --mcp-server={value}")


def _setup_without(config: pytest.Config, value: str) -> tuple[Path, Path | None] | None:
    """(rootdir, inifile) as pytest would have chosen them had the server value not been on the command line."""
    try:
        from _pytest.config.findpaths import determine_setup

        namespace = config.known_args_namespace
        args = [str(a) for a in getattr(namespace, "file_or_dir", []) or []]
        rootpath, inipath, *_ = determine_setup(
            inifile=namespace.inifilename, override_ini=namespace.override_ini, args=args,
            rootdir_cmd_arg=namespace.rootdir or None, invocation_dir=config.invocation_params.dir)
    except Exception:  # noqa: BLE001 - a private pytest function; fall back to the plain heuristic
        return None
    return rootpath, inipath


@contextmanager
def invoked_from(directory: Path) -> Iterator[object]:
    """Run an in-process ``pytest.main`` as if started in ``directory`` while the process keeps its own cwd.

    pytest reads its invocation directory from the cwd when ``pytest.main`` creates the config and shows
    test ids relative to it, so the CLI enters ``directory`` (the suite's) only for that moment: the
    plugin object yielded here returns to the user's cwd as parsing starts, so every relative path (the
    server command, report files) still means what the user meant, and again when pytest re-enters its
    invocation directory at session end.
    """
    home = Path.cwd()

    class _BackHome:
        @pytest.hookimpl(tryfirst=True)
        def pytest_addhooks(self) -> None:
            os.chdir(home)

        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(self) -> None:
            os.chdir(home)

    os.chdir(directory)
    try:
        yield _BackHome()
    finally:
        os.chdir(home)
