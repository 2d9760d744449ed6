"""Parsing targets and resolving settings: every accepted form, and errors that say what is valid."""

from __future__ import annotations

import pytest

from mcptest.settings import Settings, SettingsError, resolve
from mcptest.target import TargetError, parse_header, parse_target


@pytest.mark.parametrize(
    ("text", "kind", "field", "value"),
    [
        ("python my_server.py --flag 'a b'", "stdio", "argv", ("python", "my_server.py", "--flag", "a b")),
        ("http://127.0.0.1:8000/mcp", "http", "url", "http://127.0.0.1:8000/mcp"),
        ("HTTPS://localhost/mcp", "http", "url", "HTTPS://localhost/mcp"),
        ("docker:my-server:1.2", "docker", "image", "my-server:1.2"),
        ("py:pkg.mod:app", "python", "ref", "pkg.mod:app"),
    ],
)
def test_target_forms(text: str, kind: str, field: str, value: object) -> None:
    target = parse_target(text)
    assert target.kind == kind and getattr(target, field) == value


@pytest.mark.parametrize(
    ("text", "launch", "message"),
    [
        ("", None, "empty MCP server target"),
        ("http:///mcp", None, "has no host"),
        ("ftp://host/x", None, "unsupported URL scheme 'ftp'"),
        ("docker:", None, "needs an image name"),
        ("py:module", None, "must be py:package.module:attribute"),
        ("python 'unclosed", None, "check the quoting"),
        ("python server.py", "python other.py", r"--mcp-launch only goes with an http\(s\):// or sse\+http:// target"),
    ],
)
def test_target_errors_say_what_is_valid(text: str, launch: str | None, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        parse_target(text, launch=launch)


def test_launch_keeps_the_text_for_reproducers() -> None:
    target = parse_target("http://127.0.0.1:{port}/mcp", launch="python s.py --port {port}")
    assert target.launch == ("python", "s.py", "--port", "{port}") and target.launch_text == "python s.py --port {port}"


def test_headers() -> None:
    assert parse_header("Authorization: Bearer a:b") == ("Authorization", "Bearer a:b")
    with pytest.raises(TargetError, match="expected 'Name: value'"):
        parse_header("no colon here")


def test_precedence_cli_ini_env_default() -> None:
    env = {"MCPTEST_TIMEOUT": "9", "MCPTEST_STRICT": "true", "MCPTEST_SERVER": "python env.py"}
    assert resolve({}, {}, {}) == Settings()
    assert resolve({}, {}, env).timeout == 9.0
    assert resolve({}, {"timeout": "7"}, env).timeout == 7.0
    assert resolve({"timeout": "3"}, {"timeout": "7"}, env).timeout == 3.0
    assert resolve({}, {}, env).strict is True and resolve({}, {}, env).server == "python env.py"
    assert resolve({"header": ["A: 1", "B: 2"]}, {}, {}).header == ("A: 1", "B: 2")


def test_marker_overrides_and_unknown_keys() -> None:
    settings = resolve({"timeout": "3"}, {}, {})
    assert settings.with_overrides({"timeout": 1.5}).timeout == 1.5
    with pytest.raises(SettingsError, match="unknown mcptest setting"):
        settings.with_overrides({"timout": 1})


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"timeout": "x"}, "not a number"),
        ({"protocol": "v9"}, "choose from auto, all, 2024-11-05"),
        ({"seed": "-1"}, "0 or more"),
    ],
)
def test_bad_values(cli: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        resolve(cli, {}, {})
