"""Async fixtures that work alike under pytest-asyncio (strict or auto mode) and anyio: ``mcp_client``."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import inspect
import warnings
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from mcptest.connect import ServerHandle
    from mcptest.session import Session

T = TypeVar("T")

SCOPES = ("session", "package", "module", "class", "function")
UNSET_LOOP_SCOPE = 'The configuration option "asyncio_default_fixture_loop_scope" is unset'

# Why a sync fixture: the SDK client's task group must be entered and exited in one task. pytest-asyncio
# sets an async fixture up and tears it down in different tasks ("Attempted to exit cancel scope in a
# different task"), and its strict mode rejects plain async fixtures outright. So the client lives on its
# own event loop thread (an anyio blocking portal, see mcptest.session.Session) that the fixture owns; the
# test awaits each call from whatever loop runs it, and teardown is plain synchronous code.


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mcp_client_scope", "Scope of the mcp_client fixture: function (default), class, module, package "
                  "or session (no wider than mcp_server_scope).", default="function")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Refuse a bad ``mcp_client_scope`` up front; keep pytest-asyncio quiet about a setting mcptest needs not.

    mcptest installs pytest-asyncio so that ``mcp_client`` works under it; its "asyncio_default_fixture_loop_scope
    is unset" deprecation warning would otherwise greet every run of every project, async or not. It concerns
    async fixtures a project defines itself, and a project that sets the option never sees it anyway.
    """
    if config.pluginmanager.hasplugin("asyncio") and not config.getini("asyncio_default_fixture_loop_scope"):
        warnings.filterwarnings("ignore", message=UNSET_LOOP_SCOPE, category=pytest.PytestDeprecationWarning)
    scope = (config.getini("mcp_client_scope") or "function").strip()
    if scope not in SCOPES:
        raise pytest.UsageError(f"mcp_client_scope: {scope!r} is not a pytest scope; choose from {', '.join(SCOPES)}")


def _client_scope(fixture_name: str, config: pytest.Config) -> str:
    """The scope of ``mcp_client``: ini ``mcp_client_scope`` (default ``function``; checked in pytest_configure)."""
    scope = (config.getini("mcp_client_scope") or "function").strip()
    return scope if scope in SCOPES else "function"


def _waker(event: Any) -> Callable[[], None]:
    """A callable that sets ``event`` on the loop running in this thread, from any thread, without ever blocking.

    It must not block: it runs as a done-callback on the portal's loop thread, and a blocking hand-over there
    (``anyio.from_thread.run_sync``) deadlocks as soon as this loop is itself blocked handing the portal a new
    call (``portal.start_task_soon`` waits for the portal's loop), as with ``asyncio.gather`` over several calls.
    """
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio: trio (the only other loop anyio runs on)
        import trio

        token = trio.lowlevel.current_trio_token()

        def wake_trio() -> None:
            with contextlib.suppress(trio.RunFinishedError):  # the waiting loop is gone: nobody is left to wake
                token.run_sync_soon(event.set)

        return wake_trio

    def wake_asyncio() -> None:
        if not loop.is_closed():  # else the waiting loop is gone (its test ended): nobody is left to wake
            with contextlib.suppress(RuntimeError):  # closed between the check and the call
                loop.call_soon_threadsafe(event.set)

    return wake_asyncio


async def wait_future(future: concurrent.futures.Future[T]) -> T:
    """Await a future completed on another thread, from any running anyio-compatible loop (asyncio or trio).

    Neither thread blocks on the other. Cancelling the waiting task cancels the future (and with it the task
    running on the portal's loop).
    """
    import anyio

    if not future.done():
        event = anyio.Event()
        wake = _waker(event)
        future.add_done_callback(lambda _: wake())
        try:
            await event.wait()
        except BaseException:
            future.cancel()
            raise
    return future.result()


class AsyncClient:
    """The SDK's ``mcp.Client``, connected on a loop thread of its own; await its methods from any test loop.

    ``await mcp_client.call_tool("add", {"a": 1, "b": 2})``, ``await mcp_client.list_tools()``, ... work as
    on ``mcp.Client``, each bounded by ``--mcp-timeout``; attributes such as ``server_info`` and
    ``protocol_version`` read through. ``stderr_tail()`` shows what a stdio server logged.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def client(self) -> Any:
        """The underlying ``mcp.Client`` (bound to the fixture's own loop: await it only through this object)."""
        return self._session.client

    def stderr_tail(self, lines: int = 15) -> str:
        """The last stderr lines of a stdio server, formatted for a message (empty when there were none)."""
        return self._session.stderr_tail(lines)

    async def call(self, func: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any) -> T:
        """Run ``await func(*args, **kwargs)`` on the client's loop, bounded by the timeout, and await the result."""
        import anyio

        from mcptest.session import SessionError

        timeout = self._session.timeout
        stderr_tail = self._session.stderr_tail

        async def bounded() -> T:
            try:
                with anyio.fail_after(timeout):
                    return await func(*args, **kwargs)
            except TimeoutError:
                name = getattr(func, "__name__", "call")
                raise SessionError(f"{name} did not finish within {timeout:g} s{stderr_tail()}") from None

        return await wait_future(self._session.portal.start_task_soon(bounded))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._session.client, name)
        if inspect.iscoroutinefunction(attribute):
            return functools.partial(self.call, attribute)
        if callable(attribute):
            raise AttributeError(
                f"mcp_client.{name} returns an object bound to the fixture's own event loop; use the awaitable "
                f"methods (call_tool, list_tools, read_resource, ...) or open your own mcp.Client for {name}"
            )
        return attribute

    def __repr__(self) -> str:
        return f"<mcp_client {self._session.client!r}>"


@pytest.fixture(scope=_client_scope)
def mcp_client(mcp_server: ServerHandle) -> Iterator[AsyncClient]:
    """An async ``mcp.Client`` connected to the server under test, for ``async def`` tests.

    Works the same under pytest-asyncio (``@pytest.mark.asyncio``, strict or auto mode) and anyio
    (``@pytest.mark.anyio``): ``result = await mcp_client.call_tool("add", {"a": 1, "b": 2})``. Each call
    is bounded by ``--mcp-timeout``. A stdio target gets its own server process per client. The scope is
    ``function`` unless ini ``mcp_client_scope`` widens it (up to ``mcp_server_scope``).
    """
    from mcptest.session import Session, SessionError

    try:
        session = Session(mcp_server.session_target(), timeout=mcp_server.timeout)
    except SessionError as exc:
        problem = str(exc)
    else:
        try:
            yield AsyncClient(session)
        finally:
            session.close()
        return
    pytest.fail(problem, pytrace=False)
