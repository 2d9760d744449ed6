"""pytest wiring only: options, ini keys, markers, report header, the built-in suite and its summary."""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from mcptest import suite as _suite_package
from mcptest.settings import OPTIONS, Settings, SettingsError, resolve
from mcptest.suite_items import RUN_KEY, SETTINGS_KEY, SuiteCase, get_run

# Keep this module's imports light: the plugin loads in every pytest run of every project that has
# mcptest installed, so the engine (mcp, jsonschema, httpx2) is imported only when a server is tested.

pytest_plugins = ["mcptest.fixtures", "mcptest.fixtures_mocks", "mcptest.grading.pytest_plugin"]

SUITE_DIR = Path(_suite_package.__file__).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcptest", "MCP server conformance (mcptest)")
    for option in OPTIONS:
        if option.flag_kind == "flag":
            group.addoption(option.flag, action="store_true", default=None, dest=f"mcp_{option.name}", help=option.help)
            parser.addini(option.ini, option.help + " (true/false)", default=None)
        elif option.flag_kind == "append":
            group.addoption(option.flag, action="append", default=None, dest=f"mcp_{option.name}", metavar=option.metavar, help=option.help)
            parser.addini(option.ini, option.help, type="linelist", default=[])
        else:
            group.addoption(option.flag, default=None, dest=f"mcp_{option.name}", metavar=option.metavar, help=option.help)
            parser.addini(option.ini, option.help, default=None)
    group.addoption("--mcp-suite", action="store_true", default=False, dest="mcp_suite",
                    help="Also run the built-in conformance suite (it runs by itself when --mcp-server is given without test paths).")
    parser.addini("mcp_server_scope", "Scope of the mcp_server fixture: session (default), package, module, class or function.", default="session")


def _settings(config: pytest.Config) -> Settings:
    cli = {o.name: config.getoption(f"mcp_{o.name}") for o in OPTIONS}
    ini = {o.name: _ini(config, o.ini) for o in OPTIONS}
    try:
        return resolve(cli, ini)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None


def _ini(config: pytest.Config, name: str) -> Any:
    value = config.getini(name)
    return None if value in (None, [], "") else value


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = _settings(config)
    if settings.seed is None:  # one seed per run, shared with xdist workers, printed in the header
        worker_seed = getattr(config, "workerinput", {}).get("mcptest_seed")
        settings = dataclasses.replace(settings, seed=worker_seed if worker_seed is not None else random.randrange(2**32))
    config.stash[SETTINGS_KEY] = settings
    config.addinivalue_line("markers", "mcp_requirement(id): the MCP spec requirement a test covers (e.g. TOOL-05)")
    config.addinivalue_line("markers", "mcp_fuzz(max_examples=25, tools=[patterns], mode='both'): configure the mcp_fuzz fixture")
    # The built-in suite runs when the server is named on the command line and no test paths are given
    # (a server set in ini or env only configures the fixtures of the project's own tests), or when
    # --mcp-suite asks for it next to the given paths.
    if config.getoption("mcp_suite"):
        config.args = [*config.args, str(SUITE_DIR)] if config.args_source == pytest.Config.ArgsSource.ARGS else [str(SUITE_DIR)]
    elif config.getoption("mcp_server") and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(SUITE_DIR)]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the run's fuzz seed to each xdist worker, so every worker fuzzes alike."""
    node.workerinput["mcptest_seed"] = node.config.stash[SETTINGS_KEY].seed


def pytest_report_header(config: pytest.Config) -> list[str]:
    return config.stash[SETTINGS_KEY].header_lines()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect the built-in suite's modules even when the user's python_files would not match them."""
    in_suite = file_path.parent == SUITE_DIR and file_path.name.startswith("test_") and file_path.suffix == ".py"
    if in_suite and not parent.session.isinitpath(file_path) and not _matches_python_files(parent.config, file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out built-in suite modules with nothing to run for this target (e.g. stdio checks over HTTP)."""
    if collection_path.parent != SUITE_DIR or not collection_path.name.startswith("test_"):
        return None
    if not config.stash[SETTINGS_KEY].server:
        return True
    area = collection_path.stem.removeprefix("test_")
    return True if area not in ("lifecycle",) and not get_run(config).planned(area) else None


def _matches_python_files(config: pytest.Config, path: Path) -> bool:
    return any(path.match(pattern) for pattern in config.getini("python_files"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mcp_check" not in metafunc.fixturenames:
        return
    area = getattr(metafunc.module, "AREA", None)
    run = get_run(metafunc.config)
    cases = [SuiteCase(run, check, item) for check, item in run.planned(area)]
    metafunc.parametrize("mcp_check", cases, ids=[case.test_id for case in cases])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the server's stderr tail to the report of a failed test that used a server fixture."""
    report = yield
    if report.failed and report.when == "call" and "mcptest.connect" in sys.modules:
        from mcptest.report.stderr import server_stderr

        for title, text in server_stderr(getattr(item, "funcargs", {})):
            report.sections.append((f"mcp server stderr ({title})", text))
    return report


MERGED_KEY = pytest.StashKey[Any]()


def _report(config: pytest.Config) -> Any:
    """This process's findings, plus those xdist workers sent (on the controller)."""
    merged = config.stash.get(MERGED_KEY, None)
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return merged
    from mcptest.report.model import RunReport

    report = RunReport.from_run(run)
    if merged is not None:
        report.merge(merged.to_wire())
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Collect an xdist worker's findings, so the summary and report files cover the whole run."""
    data = getattr(node, "workeroutput", {}).get("mcptest_report")
    if data is None:
        return
    from mcptest.report.model import RunReport

    merged = node.config.stash.get(MERGED_KEY, None) or RunReport(target=data.get("target"))
    merged.merge(data)
    node.config.stash[MERGED_KEY] = merged


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = _report(config)
    if report is not None:
        from mcptest.report.summary import terminal_summary

        terminal_summary(terminalreporter, report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: hand the findings to the controller
        run = config.stash.get(RUN_KEY, None)
        if run is not None:
            from mcptest.report.model import RunReport

            worker_output["mcptest_report"] = RunReport.from_run(run).to_wire()
        return
    report = _report(config)
    if report is not None:
        from mcptest.report.files import write_reports

        write_reports(report, config.stash[SETTINGS_KEY])


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()
    if "mcptest.launch.process" in sys.modules:
        sys.modules["mcptest.launch.process"].stop_all()
    if "mcptest.launch.docker" in sys.modules:
        sys.modules["mcptest.launch.docker"].cleanup()
