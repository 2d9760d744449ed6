"""The mock fixtures as users meet them (pytester): mcp_db, mcp_http_mock, mcp_http_stub, their markers and examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcptest.fixtures_mocks import DB_URL_ENV, REQUIRE_SERVICES_ENV, require_postgres_url
from mcptest.mocks.postgres import database_exists

# Already imported here, so pytest cannot assert-rewrite it in the inner runs: that warning is expected.
PLUGIN = ("-p", "mcptest.fixtures_mocks", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning")
SQLITE = ("--mcp-db-url", "sqlite")  # whatever MCPTEST_DB_URL the outer run has
UNREACHABLE = "postgresql://someone:s3cret@127.0.0.1:1/postgres"

NOTES_SCHEMA = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
NOTES_ROWS = "notes:\n  - {id: 1, body: first}\n  - {id: 2, body: \"it's quoted\"}\n"
DB_TESTS = """
import pytest

pytestmark = pytest.mark.mcp_db(seed=["schema.sql", "rows.yaml"])


def test_seeded_and_writes(mcp_db):
    assert mcp_db.query("SELECT body FROM notes ORDER BY id") == [("first",), ("it's quoted",)]
    mcp_db.execute("INSERT INTO notes (id, body) VALUES (3, 'mine')")
    with open("names.txt", "a") as out:
        out.write(mcp_db.name + "\\n")


def test_does_not_see_the_other_tests_row(mcp_db):
    assert mcp_db.count("notes") == 2
    assert mcp_db.env == {"DATABASE_URL": mcp_db.url}
    with open("names.txt", "a") as out:
        out.write(mcp_db.name + "\\n")


@pytest.mark.mcp_db(seed="schema.sql")
def test_closest_marker_wins(mcp_db):
    assert mcp_db.count("notes") == 0
"""


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The configured PostgreSQL server URL; skips (or fails under MCPTEST_REQUIRE_SERVICES=1) without one."""
    return require_postgres_url(request.config)


@pytest.fixture
def db_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".sql", schema=NOTES_SCHEMA)
    pytester.makefile(".yaml", rows=NOTES_ROWS)
    pytester.makepyfile(test_db=DB_TESTS)
    return pytester


def test_fixtures_markers_and_option_are_documented(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing(): pass")
    pytester.runpytest(*PLUGIN, "--fixtures").stdout.fnmatch_lines([
        "mcp_db -- *", "*A real throwaway database for this test*",
        "mcp_http_mock -- *", "*A respx router patching ``httpx``*",
        "mcp_http_stub -- *", "*A real HTTP stub server on 127.0.0.1*",
    ])
    pytester.runpytest(*PLUGIN, "--markers").stdout.fnmatch_lines([
        "@pytest.mark.mcp_db(seed=PATH_OR_PATHS, backend=None|'sqlite'|'postgresql'): *",
        "@pytest.mark.mcp_http_mock(base_url=None, assert_all_called=True, assert_all_mocked=True): *",
    ])
    pytester.runpytest(*PLUGIN, "--help").stdout.fnmatch_lines(["*--mcp-db-url=URL*", "*mcp_db_url (string)*"])


def test_sqlite_database_is_seeded_and_isolated_per_test(db_project: pytest.Pytester) -> None:
    result = db_project.runpytest(*PLUGIN, *SQLITE, "--strict-markers")
    result.assert_outcomes(passed=3)
    names = (db_project.path / "names.txt").read_text().split()
    assert len(set(names)) == 2 and all(name.endswith("mcp_db.sqlite3") for name in names)


def test_postgres_database_per_test_is_dropped_at_teardown(db_project: pytest.Pytester, postgres_url: str) -> None:
    db_project.runpytest(*PLUGIN, "--mcp-db-url", postgres_url).assert_outcomes(passed=3)
    names = (db_project.path / "names.txt").read_text().split()
    assert len(set(names)) == 2 and all(name.startswith("mcptest_test_") for name in names)
    assert not any(database_exists(postgres_url, name) for name in names)


@pytest.mark.parametrize(("cli", "ini", "env"), [
    ((), "sqlite", UNREACHABLE),                  # ini beats env
    (("--mcp-db-url", "sqlite"), UNREACHABLE, UNREACHABLE),  # the command line beats ini
])
def test_url_precedence_command_line_then_ini_then_env(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                       cli: tuple[str, ...], ini: str, env: str) -> None:
    monkeypatch.setenv(DB_URL_ENV, env)
    pytester.makeini(f"[pytest]\nmcp_db_url = {ini}\n")
    pytester.makepyfile(test_it="def test_it(mcp_db):\n    assert mcp_db.backend == 'sqlite'\n")
    pytester.runpytest(*PLUGIN, *cli).assert_outcomes(passed=1)


def test_unreachable_postgres_errors_with_the_fix_not_a_skip(pytester: pytest.Pytester,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_URL_ENV, UNREACHABLE)
    pytester.makepyfile(test_it="def test_it(mcp_db):\n    pass\n")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*could not connect to PostgreSQL at postgresql://someone:***@127.0.0.1:1/postgres*",
                                 "*--mcp-db-url, ini mcp_db_url or env MCPTEST_DB_URL*unset it to use SQLite*"])
    assert "s3cret" not in result.stdout.str()


def test_unsupported_database_url_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it="def test_it(mcp_db):\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "--mcp-db-url", "mysql://root@127.0.0.1/db")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mcp_db URL 'mysql://root@127.0.0.1/db' is not supported: give a server URL like*"])


@pytest.mark.parametrize("required", [False, True])
def test_postgres_only_tests_skip_without_a_server_unless_services_are_required(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, required: bool) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    monkeypatch.setenv(REQUIRE_SERVICES_ENV, "1" if required else "0")
    pytester.makepyfile(test_it="import pytest\n\n@pytest.mark.mcp_db(backend='postgresql')\n"
                                "def test_it(mcp_db):\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "-rs")
    result.assert_outcomes(**({"errors": 1} if required else {"skipped": 1}))
    result.stdout.fnmatch_lines(["*mcp_db(backend='postgresql') needs a PostgreSQL server URL: pass --mcp-db-url*"])
    assert ("MCPTEST_REQUIRE_SERVICES is set, so this fails instead of skipping" in result.stdout.str()) is required


def test_bad_mcp_db_markers_are_explained(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it="""
        import pytest

        @pytest.mark.mcp_db(sead="schema.sql")
        def test_typo(mcp_db):
            pass

        @pytest.mark.mcp_db(seed="missing.sql")
        def test_missing(mcp_db):
            pass
    """)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*@pytest.mark.mcp_db got unknown option(s) sead; valid: seed, backend*",
                                 "*mcp_db seed file missing.sql not found*relative to the test file's folder*"])


HTTP_TESTS = """
import httpx
import pytest

API = "https://api.example.test"


@pytest.mark.mcp_http_mock(base_url=API)
def test_unused_route(mcp_http_mock):
    mcp_http_mock.get("/used").respond(200)
    mcp_http_mock.post("/never", name="orders").respond(201)
    assert httpx.get(API + "/used").status_code == 200


@pytest.mark.mcp_http_mock(assert_all_called=False)
def test_relaxed(mcp_http_mock):
    mcp_http_mock.get(API + "/never").respond(200)


def test_already_failing(mcp_http_mock):
    mcp_http_mock.get(API + "/never-either").respond(200)
    assert 1 == 2


def test_swallowed_unmatched_request(mcp_http_mock):
    try:
        httpx.delete(API + "/items/7")
    except Exception:
        pass  # code under test that hides errors: the teardown still reports the request


@pytest.mark.mcp_http_mock(assert_all_mocked=False)
def test_unmatched_allowed(mcp_http_mock):
    assert httpx.get(API + "/anything").status_code == 200


@pytest.mark.mcp_http_mock(asert_all_called=False)
def test_bad_option(mcp_http_mock):
    pass
"""


def test_http_mock_contract_is_checked_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_http_contract=HTTP_TESTS)
    result = pytester.runpytest(*PLUGIN, "-rfE")
    result.assert_outcomes(passed=4, failed=1, errors=3)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_unused_route*",
        "*mcp_http_mock: these mocked routes were never called:",
        "*  - route 'orders': <Scheme eq 'https'> AND <Host eq 'api.example.test'> AND <Path eq '/never'>*",
        "*relax the check with @pytest.mark.mcp_http_mock(assert_all_called=False).",
    ])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_swallowed_unmatched_request*",
        "*these requests matched no mocked route*",
        "*  - DELETE https://api.example.test/items/7",
        "*@pytest.mark.mcp_http_mock(assert_all_mocked=False).",
    ])
    result.stdout.fnmatch_lines(["*ERROR at setup of test_bad_option*",
                                 "*unknown option(s) asert_all_called; valid options: base_url*"])
    output = result.stdout.str()
    assert "teardown of test_already_failing" not in output  # the failed test's teardown stays silent
    # once in the report sections (the short summary repeats it untruncated when CI is set)
    assert output.split("short test summary info")[0].count("these mocked routes were never called") == 1


def test_stub_server_serves_sequences_and_records_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stub="""
        import httpx

        def test_retry_sequence(mcp_http_stub):
            route = mcp_http_stub.route("POST", "/jobs", json={"id": 1}, fail_times=2)
            codes = [httpx.post(mcp_http_stub.url + "/jobs", json={"n": i}).status_code for i in range(3)]
            assert codes == [503, 503, 200]
            assert [call.json() for call in route.calls] == [{"n": 0}, {"n": 1}, {"n": 2}]
            assert mcp_http_stub.env("JOBS_URL") == {"JOBS_URL": mcp_http_stub.url}

        def test_failure_shows_requests(mcp_http_stub):
            httpx.get(mcp_http_stub.url + "/missing?x=1")
            assert mcp_http_stub.requests == []
    """)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*- mcp_http_stub requests -*", "GET /missing (unmatched: 404)"])
