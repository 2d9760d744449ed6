"""Parse what the user points mcptest at into a typed Target (pure: no I/O)."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["stdio", "http", "sse", "docker", "python"]


class TargetError(ValueError):
    """The target string cannot be understood; the message says what forms are valid."""


FORMS = (
    '"python my_server.py" (a command: stdio), '
    "http://127.0.0.1:8000/mcp (streamable HTTP), "
    "sse+http://127.0.0.1:8000/sse (the legacy HTTP+SSE transport), "
    "docker:IMAGE[:TAG] (a container over stdio), "
    "py:package.module:attr (a server object, served over stdio in a child process)"
)


@dataclass(frozen=True)
class Target:
    """What to test and how to reach it.

    Attributes:
        kind: ``stdio`` (a command whose stdin/stdout speak MCP), ``http`` (a streamable HTTP
            endpoint), ``sse`` (a legacy HTTP+SSE endpoint), ``docker`` (an image run with stdio attached)
            or ``python`` (an importable server object, served over stdio by a child process).
        raw: the string the user gave, for messages.
        argv: the command for ``stdio`` and ``python`` targets.
        url: the endpoint for ``http`` targets (may contain ``{port}`` when ``launch`` is set).
        launch: for ``http`` targets, a command mcptest starts first (``{port}`` is replaced by a
            free port in both the command and the URL).
        image: the image for ``docker`` targets.
        ref: ``module:attr`` for ``python`` targets.
        headers: extra HTTP headers sent with every request.
        env: extra environment variables for a process mcptest starts.
    """

    kind: Kind
    raw: str
    argv: tuple[str, ...] = ()
    url: str = ""
    launch: tuple[str, ...] = ()
    launch_text: str = ""
    image: str = ""
    ref: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = field(default=())

    @property
    def label(self) -> str:
        """A short human name for reports."""
        return self.raw if len(self.raw) <= 60 else self.raw[:57] + "..."

    @property
    def is_process(self) -> bool:
        """True when mcptest itself starts the server process (and so can restart it)."""
        return self.kind in ("stdio", "python", "docker") or bool(self.launch)

    @property
    def speaks_stdio(self) -> bool:
        """True when each connection is a process of its own talking over stdin/stdout."""
        return self.kind in ("stdio", "python", "docker")


def parse_header(text: str) -> tuple[str, str]:
    """Parse ``"Name: value"`` into a pair, or raise TargetError saying the expected form."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
        raise TargetError(f"invalid header {text!r}: expected 'Name: value', e.g. 'Authorization: Bearer TOKEN'")
    return name.strip(), value.strip()


def parse_target(
    text: str,
    *,
    launch: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    env: tuple[tuple[str, str], ...] = (),
) -> Target:
    """Turn a ``--mcp-server`` value into a Target.

    Args:
        text: the value the user gave.
        launch: a command to start before connecting to an HTTP target.
        headers: extra HTTP headers.
        env: extra environment variables for started processes.

    Raises:
        TargetError: the value is empty or malformed; the message lists the accepted forms.
    """
    raw = text.strip()
    if not raw:
        raise TargetError(f"empty MCP server target; give one of: {FORMS}")
    launch_argv = _split(launch, "--mcp-launch") if launch else ()
    lowered = raw.lower()
    if lowered.startswith(("http://", "https://", "sse+http://", "sse+https://")):
        kind: Kind = "sse" if lowered.startswith("sse+") else "http"
        url = raw[4:] if kind == "sse" else raw
        host = url.split("://", 1)[1].split("/", 1)[0]
        if not host or host.startswith(":"):
            raise TargetError(f"URL {raw!r} has no host; expected e.g. http://127.0.0.1:8000/mcp")
        return Target(kind, raw, url=url, launch=launch_argv, launch_text=(launch or "").strip(),
                      headers=headers, env=env)
    if launch_argv:
        raise TargetError(f"--mcp-launch only goes with an http(s):// or sse+http:// target, not {raw!r}")
    if lowered.startswith("docker:"):
        image = raw[len("docker:"):].strip()
        if not image or any(c.isspace() for c in image):
            raise TargetError(f"docker target {raw!r} needs an image name, e.g. docker:my-server:latest")
        return Target("docker", raw, image=image, headers=headers, env=env)
    if lowered.startswith("py:"):
        ref = raw[3:].strip()
        module, sep, attr = ref.partition(":")
        if not sep or not module or not attr:
            raise TargetError(f"python target {raw!r} must be py:package.module:attribute")
        argv = (sys.executable, "-m", "mcptest.launch.pyserve", ref)
        return Target("python", raw, argv=argv, ref=ref, headers=headers, env=env)
    if "://" in raw.split()[0]:
        scheme = raw.split("://", 1)[0]
        raise TargetError(f"unsupported URL scheme {scheme!r} in {raw!r}; give one of: {FORMS}")
    return Target("stdio", raw, argv=_split(raw, "--mcp-server"), headers=headers, env=env)


def _split(command: str, option: str) -> tuple[str, ...]:
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise TargetError(f"cannot parse {option} command {command!r}: {exc} (check the quoting)") from None
    if not argv:
        raise TargetError(f"{option} command is empty")
    return argv
