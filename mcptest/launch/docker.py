"""Docker targets: check the engine and image, run a container over stdio or HTTP, remove what we left."""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import httpx

from mcptest.launch.process import LaunchError
from mcptest.launch.wait import wait_until

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

LABEL = "mcptest.run"
"""The label every container we start carries; its value names the run (see ``run_id``)."""

DEFAULT_HOST = "unix:///var/run/docker.sock"
_API_TIMEOUT = 10.0
_RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
_clients: dict[str, DockerClient] = {}
_labels: set[str] = set()
_checked: set[tuple[str, str]] = set()
_lock = threading.Lock()
_ACCEPT = {"Accept": "application/json, text/event-stream"}


def run_id() -> str:
    """The ``mcptest.run`` label value of the containers this process starts."""
    return _RUN_ID


def engine_address() -> str:
    """Where the Docker SDK and CLI look for the engine: ``DOCKER_HOST`` or the local socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def client() -> DockerClient:
    """A Docker SDK client for a reachable engine (one per engine address, reused while it answers).

    Raises:
        LaunchError: the SDK is not installed, or no engine answers at ``engine_address()``.
    """
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        raise LaunchError(
            "docker targets need the Docker SDK for Python: pip install 'mcptest[docker]' (or pip install docker)"
        ) from None
    address = engine_address()
    sdk = _clients.pop(address, None)
    if sdk is None and address.startswith("unix://") and not os.path.exists(address.removeprefix("unix://")):
        raise _no_engine(address)  # checked first: the SDK would leak a socket finding this out
    try:
        sdk = sdk or docker.from_env(timeout=_API_TIMEOUT)
        sdk.ping()
    except DockerException:
        if sdk is not None:
            sdk.close()
        raise _no_engine(address) from None
    _clients[address] = sdk
    return sdk


def _no_engine(address: str) -> LaunchError:
    return LaunchError(
        f"no Docker engine reachable at {address}: start one with `dockerd &` "
        "(or `systemctl start docker`), or set DOCKER_HOST to a running engine"
    )


def check_image(sdk: DockerClient, image: str) -> None:
    """Make sure ``image`` exists on the engine (we never pull implicitly).

    Raises:
        LaunchError: the image is missing or its name is invalid; the message says how to get it.
    """
    from docker.errors import APIError, ImageNotFound

    try:
        sdk.images.get(image)
    except ImageNotFound:
        raise LaunchError(
            f"Docker image {image!r} is not on the engine at {engine_address()}: build it with "
            f"`docker build -t {image} DIR` (or `docker pull {image}`); `docker images` lists the images you have"
        ) from None
    except APIError as exc:
        raise LaunchError(f"Docker image {image!r} cannot be used: {exc.explanation or exc}") from None


def _ensure_ready(image: str) -> DockerClient:
    """Check engine and image once per (engine, image) in this process; register the run label."""
    sdk = client()
    key = (engine_address(), image)
    if key not in _checked:
        check_image(sdk, image)
        _checked.add(key)
    _register(_RUN_ID)
    return sdk


def _register(label_value: str) -> None:
    with _lock:
        if not _labels:
            atexit.register(cleanup)
        _labels.add(label_value)


def _env_flags(env: Mapping[str, str]) -> list[str]:
    for key in env:
        if not key or "=" in key or any(c.isspace() for c in key):
            raise LaunchError(
                f"environment variable name {key!r} cannot be passed to a container: "
                "a name must be non-empty, without '=' or whitespace"
            )
    flags = [] if "PYTHONUNBUFFERED" in env else ["-e", "PYTHONUNBUFFERED=1"]
    for key in env:
        flags += ["-e", key]
    return flags


def docker_argv(
    image: str,
    env: Mapping[str, str],
    *,
    network: str = "host",
    command: Sequence[str] = (),
) -> tuple[str, ...]:
    """The argv of a ``docker run`` whose stdin/stdout are the container's (a stdio MCP server).

    The engine and the image are checked first, so a missing engine or image is a one-line
    ``LaunchError`` instead of a failed handshake. The container gets ``--init`` (signals reach the
    server), ``--rm`` (closing stdin ends and removes it) and the label ``mcptest.run=run_id()``,
    registered so ``cleanup()`` force-removes anything a killed client left behind.

    Environment values are not put on the command line (where ``ps`` and error messages would show
    them): each name is passed as ``-e NAME`` and docker reads its value from its own environment,
    so run the argv with the same mapping, e.g. ``ServerProcess(argv, env=env)``.

    Args:
        image: the image reference, e.g. ``my-server:1.0``.
        env: environment variables for the server inside the container.
        network: the container's network; ``host`` (default) lets the server reach services the
            tests run on 127.0.0.1 (a stub API, a database); ``none`` isolates it.
        command: arguments that replace the image's CMD.

    Raises:
        LaunchError: no docker CLI, SDK or engine; the image is missing; a bad variable name.
    """
    if shutil.which("docker") is None:
        raise LaunchError(
            "docker targets run the `docker` command-line client, which is not on PATH: "
            "apt-get install docker.io (or install Docker Engine)"
        )
    env_flags = _env_flags(env)
    _ensure_ready(image)
    return (
        "docker", "run", "-i", "--rm", "--init", "--pull=never", "--log-driver=none",
        f"--network={network}", "--label", f"{LABEL}={_RUN_ID}", *env_flags, image, *command,
    )  # fmt: skip


class HttpContainer(NamedTuple):
    """A detached container serving MCP over HTTP on a 127.0.0.1 port; unpacks as ``(url, container)``."""

    url: str
    container: Container

    def stop(self, grace: float = 2.0) -> None:
        """Stop the container (SIGTERM, then SIGKILL after ``grace`` seconds) and remove it."""
        _remove(self.container, grace)

    def logs_tail(self, lines: int = 15) -> list[str]:
        """The last ``lines`` lines the container wrote (stdout and stderr)."""
        return _logs_tail(self.container, lines)


def run_http_container(
    image: str,
    container_port: int,
    env: Mapping[str, str],
    *,
    path: str = "/mcp",
    command: Sequence[str] | None = None,
    timeout: float = 30.0,
) -> HttpContainer:
    """Run ``image`` detached, publish ``container_port`` on 127.0.0.1 only, and wait until it answers HTTP.

    The host port is chosen by the engine (no race for a free port). The server inside must listen
    on 0.0.0.0 (the container's own interface), as containerized servers usually do.

    Args:
        image: the image reference.
        container_port: the TCP port the server listens on inside the container.
        env: environment variables for the server.
        path: the MCP endpoint's path.
        command: arguments that replace the image's CMD.
        timeout: seconds to wait for the first HTTP answer.

    Returns:
        The endpoint URL (``http://127.0.0.1:PORT/mcp``) and the container; call ``stop()`` when done.

    Raises:
        LaunchError: engine or image missing, or the server exited or stayed silent past ``timeout``
            (the message carries the container's last log lines).
    """
    from docker.errors import APIError

    sdk = _ensure_ready(image)
    try:
        container = sdk.containers.run(
            image,
            command=list(command) if command is not None else None,
            detach=True,
            init=True,
            environment=dict(env),
            labels={LABEL: _RUN_ID},
            ports={f"{container_port}/tcp": ("127.0.0.1", None)},
        )
    except APIError as exc:
        raise LaunchError(f"could not start container {image!r}: {exc.explanation or exc}") from None
    try:
        host_port = _host_port(container, container_port)
        url = f"http://127.0.0.1:{host_port}/{path.lstrip('/')}" if host_port else f"port {container_port}/tcp"
        if host_port:
            why = wait_until(lambda: _answers_http(url), timeout, interval=0.1, abort=lambda: _exited(container))
        else:
            why = _exited(container) or f"the engine published no host port for {container_port}/tcp"
        if why:
            tail = _logs_tail(container, 15)
            logs = "; last log lines:\n    " + "\n    ".join(tail) if tail else "; it logged nothing"
            raise LaunchError(f"container {image!r} did not answer HTTP at {url}: {why}{logs}")
    except BaseException:
        _remove(container, 0.0)
        raise
    return HttpContainer(url, container)


def _host_port(container: Container, container_port: int) -> int | None:
    """The 127.0.0.1 port the engine published for ``container_port`` (None if it published none)."""
    container.reload()
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{container_port}/tcp") or []
    return int(bindings[0]["HostPort"]) if bindings else None


def _answers_http(url: str) -> bool:
    """True when anything at ``url`` answers with an HTTP status line (any status)."""
    try:
        with httpx.stream("GET", url, timeout=1.0, headers=_ACCEPT, trust_env=False):
            return True
    except httpx.HTTPError:
        return False


def _exited(container: Container) -> str | None:
    from docker.errors import NotFound

    try:
        container.reload()
    except NotFound:
        return "the container was removed"
    if container.status in ("exited", "dead"):
        code = container.attrs["State"].get("ExitCode")
        return f"the container exited with code {code}"
    return None


def _logs_tail(container: Container, lines: int) -> list[str]:
    from docker.errors import APIError

    try:
        raw: bytes = container.logs(tail=lines)
    except APIError:
        return []
    return raw.decode("utf-8", "replace").splitlines()


def _remove(container: Container, grace: float) -> bool:
    """Stop (after ``grace`` seconds of SIGTERM) and remove; False when it was already gone."""
    from docker.errors import APIError, NotFound

    try:
        if grace > 0:
            container.stop(timeout=max(1, round(grace)))
        container.remove(force=True)
    except NotFound:
        return False  # already gone (auto-removed or cleaned up)
    except APIError as exc:
        if exc.status_code != 409:  # 409: removal already in progress
            raise
        return False
    return True


def remove_containers(label_value: str) -> int:
    """Force-remove every container (running or not) labelled ``mcptest.run=label_value``.

    Returns:
        How many containers were removed.

    Raises:
        LaunchError: no engine is reachable.
    """
    sdk = client()
    removed = 0
    for container in sdk.containers.list(all=True, filters={"label": f"{LABEL}={label_value}"}):
        removed += _remove(container, 0.0)
    return removed


def cleanup() -> int:
    """Remove every container this process started and that is still there (call at the end of a run).

    Safe to call more than once and when no engine is reachable any more (then it removes nothing).

    Returns:
        How many containers were removed.
    """
    with _lock:
        labels = sorted(_labels)
    if not labels:
        return 0  # nothing started here (and the Docker SDK may not even be installed)
    from docker.errors import DockerException

    removed = 0
    for label_value in labels:
        try:
            removed += remove_containers(label_value)
        except LaunchError:
            return removed  # no engine any more: nothing we could remove
        except DockerException:
            continue  # the engine refused this one (e.g. busy); the next label may still go
    return removed
