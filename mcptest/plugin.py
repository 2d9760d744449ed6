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
from mcptest.suite_items import REPORT_ATTR, RUN_KEY, SETTINGS_KEY, SuiteCase, attach, finding_of, get_run

# Keep this module's imports light: the plugin loads in every pytest run of every project that has
# mcptest installed, so the engine (mcp, jsonschema, httpx2) is imported only when a server is tested.

pytest_plugins = ["mcptest.fixtures", "mcptest.fixtures_async", "mcptest.fixtures_mocks", "mcptest.fixtures_stateful",
                  "mcptest.grading.pytest_plugin"]

SUITE_DIR = Path(_suite_package.__file__).parent
COLLECTOR_KEY = pytest.StashKey["_Collector"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcptest", "MCP server conformance (mcptest)")
    for option in OPTIONS:
        dest = f"mcp_{option.name}"
        if option.flag_kind == "flag":
            group.addoption(option.flag, action="store_true", default=None, dest=dest, help=option.help)
            parser.addini(option.ini, option.help + " (true/false)", default=None)
        elif option.flag_kind == "append":
            group.addoption(option.flag, action="append", default=None, dest=dest, metavar=option.metavar,
                            help=option.help)
            parser.addini(option.ini, option.help, type="linelist", default=[])
        else:
            group.addoption(option.flag, default=None, dest=dest, metavar=option.metavar, help=option.help)
            parser.addini(option.ini, option.help, default=None)
    group.addoption("--mcp-suite", action="store_true", default=False, dest="mcp_suite",
                    help="Also run the built-in conformance suite (it runs by itself when --mcp-server is given "
                         "without test paths).")
    parser.addini("mcp_server_scope", "Scope of the mcp_server fixture: session (default), package, module, class "
                                      "or function.", default="session")


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
        settings = dataclasses.replace(settings,
                                       seed=worker_seed if worker_seed is not None else random.randrange(2**32))
    config.stash[SETTINGS_KEY] = settings
    collector = _Collector()
    config.stash[COLLECTOR_KEY] = collector
    config.pluginmanager.register(collector, "mcptest-findings")
    if not hasattr(config, "workerinput"):
        from mcptest.rootdir import misplaced_rootdir

        if problem := misplaced_rootdir(config):
            config.issue_config_time_warning(pytest.PytestConfigWarning(problem), stacklevel=2)
    if settings.baseline:
        from mcptest.report.items import configure_baseline

        configure_baseline(config, settings)
    config.addinivalue_line("markers", "mcp_requirement(id): the MCP spec requirement a test covers (e.g. TOOL-05)")
    config.addinivalue_line("markers", "mcp_fuzz(max_examples=25, tools=[patterns], mode='both'): configure the "
                                       "mcp_fuzz fixture")
    # The built-in suite runs when the server is named on the command line and no test paths are given
    # (a server set in ini or env only configures the fixtures of the project's own tests), or when
    # --mcp-suite asks for it next to the given paths.
    if config.getoption("mcp_suite"):
        given = config.args_source == pytest.Config.ArgsSource.ARGS
        config.args = [*config.args, str(SUITE_DIR)] if given else [str(SUITE_DIR)]
    elif config.getoption("mcp_server") and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = [str(SUITE_DIR)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n N`` (``--dist load``), send all of a protocol version's suite tests to one worker (xdist_split)."""
    if config.getvalue("dist") != "load" or str(SUITE_DIR) not in map(str, config.args):
        return None
    from mcptest.xdist_split import VersionScheduling

    return VersionScheduling(config, log, suite_dir=SUITE_DIR)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the run's fuzz seed to each xdist worker, so every worker fuzzes alike."""
    node.workerinput["mcptest_seed"] = node.config.stash[SETTINGS_KEY].seed


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = config.stash[SETTINGS_KEY].header_lines()
    if _runs_suite_here(config):
        lines += _coverage_lines(get_run(config))
    return lines


def _runs_suite_here(config: pytest.Config) -> bool:
    """True when this process runs the built-in suite itself (not an xdist controller, whose workers do)."""
    controller = bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
    return not controller and bool(config.stash[SETTINGS_KEY].server) and str(SUITE_DIR) in map(str, config.args)


def _coverage_lines(run: Any) -> list[str]:
    """Which protocol versions the run checks, and why the others are not."""
    if run.error:
        return [f"mcptest: the server could not be checked: {run.error.splitlines()[0]}"]
    eras = {"2026-07-28": "modern"}
    checked = ", ".join(f"{v} ({eras.get(v, 'handshake')})" for v in run.versions)
    lines = [f"mcptest: checking {checked} over {run.transport}"]
    lines += [f"mcptest: not checking {version}: {why.splitlines()[0]}" for version, why in sorted(run.skipped.items())]
    return lines


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect the built-in suite's modules even when the user's python_files would not match them."""
    in_suite = file_path.parent == SUITE_DIR and file_path.name.startswith("test_") and file_path.suffix == ".py"
    if in_suite and not parent.session.isinitpath(file_path) and not _matches_python_files(parent.config, file_path):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out the built-in suite when no server is given (its tests need one)."""
    if collection_path.parent == SUITE_DIR and collection_path.name.startswith("test_"):
        return True if not config.stash[SETTINGS_KEY].server else None
    return None


def _matches_python_files(config: pytest.Config, path: Path) -> bool:
    return any(path.match(pattern) for pattern in config.getini("python_files"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mcp_check" not in metafunc.fixturenames:
        return
    area = getattr(metafunc.module, "AREA", None)
    run = get_run(metafunc.config)
    cases = [SuiteCase(run, case) for case in run.planned(area)]
    metafunc.parametrize("mcp_check", cases, ids=[case.test_id for case in cases])


def _suite_cases(items: list[pytest.Item]) -> list[Any]:
    cases = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("mcp_check") if callspec is not None else None
        if isinstance(case, SuiteCase):
            cases.append(case.case)
    return cases


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start every selected check at once (they run concurrently; each test then waits for its own)."""
    run = session.config.stash.get(RUN_KEY, None)
    if run is not None and not hasattr(session.config, "workerinput"):
        run.submit(_suite_cases(session.items))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """On an xdist worker, start this test's check together with the ones already queued for this worker.

    An observer judges everything its version's connections saw, so a worker given one runs that whole version
    (xdist_split sends all of a version's tests to one worker, so no version is checked twice).
    """
    run = item.config.stash.get(RUN_KEY, None)
    if run is None or not hasattr(item.config, "workerinput"):
        return
    cases = _suite_cases([item, *_queued(item)])
    observed = {case.version for case in cases if case.check.phase == "observe"}
    run.submit(cases + [case for case in run.cases if case.version in observed])


def _queued(item: pytest.Item) -> list[pytest.Item]:
    """The items xdist already sent this worker (best effort: xdist keeps them in its worker's queue)."""
    for plugin in item.config.pluginmanager.get_plugins():
        queue = getattr(plugin, "torun", None)
        if queue is not None and hasattr(queue, "lock"):
            with queue.lock() as indices:
                return [item.session.items[i] for i in list(indices) if isinstance(i, int)]
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the Finding to a suite test's report, and the server's stderr tail to a failed fixture test's."""
    found = attach(item) if call.when == "call" else None
    report = yield
    if found is not None:
        from mcptest.report.items import annotate_report

        setattr(report, REPORT_ATTR, found.as_dict())
        annotate_report(item, report, found)
    if report.failed and report.when == "call" and found is None and "mcptest.connect" in sys.modules:
        from mcptest.report.stderr import server_stderr

        for title, text in server_stderr(getattr(item, "funcargs", {})):
            report.sections.append((f"mcp server stderr ({title})", text))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_report_to_serializable(config: pytest.Config, report: Any) -> Any:
    """Keep a report's Finding when xdist sends it from a worker to the controller."""
    data = yield
    finding = getattr(report, REPORT_ATTR, None)
    if isinstance(data, dict) and finding is not None:
        data[REPORT_ATTR] = finding
    return data


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config: pytest.Config, data: Any) -> Any:
    report = yield
    if isinstance(data, dict) and REPORT_ATTR in data and report is not None:
        setattr(report, REPORT_ATTR, data[REPORT_ATTR])
    return report


class _Collector:
    """Collects every suite test's Finding from its report (on the controller under xdist: from every worker)."""

    def __init__(self) -> None:
        self.findings: list[Any] = []
        self.metas: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        found = finding_of(report)
        if found is not None and report.when == "call":
            self.findings.append(found)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Keep what an xdist worker knew about the server, so the summary and report files cover the whole run."""
    meta = getattr(node, "workeroutput", {}).get("mcptest_meta")
    if meta is not None:
        node.config.stash[COLLECTOR_KEY].metas.append(meta)


def _report(config: pytest.Config) -> Any:
    """The run's report: this process's run (if any), what workers knew, and every Finding reported,
    in a stable order."""
    run = config.stash.get(RUN_KEY, None)
    collector = config.stash[COLLECTOR_KEY]
    if run is None and not collector.metas:
        return None
    from mcptest.report.model import RunReport

    findings = sorted(collector.findings, key=lambda f: (f.check, f.version, f.item))
    report = RunReport.from_run(run, findings) if run is not None else RunReport(config.stash[SETTINGS_KEY].server,
                                                                                 findings=findings)
    for meta in collector.metas:
        report.merge_meta(meta)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = _report(config)
    if report is not None:
        from mcptest.report.items import BASELINE_KEY, baseline_outcome
        from mcptest.report.summary import terminal_summary

        terminal_summary(terminalreporter, report, config.stash.get(BASELINE_KEY, None), baseline_outcome(config))


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: hand what it knows about the server to the controller
        run = config.stash.get(RUN_KEY, None)
        if run is not None:
            from mcptest.report.model import RunReport

            worker_output["mcptest_meta"] = RunReport.from_run(run, []).meta()
        return
    report = _report(config)
    if report is not None:
        from mcptest.report.files import write_reports
        from mcptest.report.items import BASELINE_KEY, baseline_outcome, finish_baseline

        finish_baseline(session, report, config.stash[SETTINGS_KEY])
        write_reports(report, config.stash[SETTINGS_KEY], config.stash.get(BASELINE_KEY, None),
                      baseline_outcome(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()
    if "mcptest.launch.process" in sys.modules:
        sys.modules["mcptest.launch.process"].stop_all()
    if "mcptest.launch.docker" in sys.modules:
        sys.modules["mcptest.launch.docker"].cleanup()
